// The graph viewer webview's page: the common webview page and CSP (extension/webview/page-html.ts) plus
// `worker-src blob:`, because a webview cannot start a worker from a resource URL (another origin), so the app starts
// its layout worker from a Blob of the worker bundle it carries. Pure, so the harness serves exactly this page.
import { makeNonce, pageCsp, pageHtml, type PageHtmlOptions } from "../webview/page-html";

export { makeNonce };
export type GraphHtmlOptions = PageHtmlOptions;

export function graphCsp(cspSource: string, nonce: string): string {
  return pageCsp(cspSource, nonce, ["worker-src blob:"]);
}

export function graphHtml(o: GraphHtmlOptions): string {
  return pageHtml(o, graphCsp(o.cspSource, o.nonce));
}

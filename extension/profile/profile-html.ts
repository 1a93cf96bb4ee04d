// The profile viewer webview's page: the common webview page and CSP (extension/webview/page-html.ts) plus
// `worker-src blob:`, because the app parses and indexes traces in a Web Worker it starts from a Blob of the worker
// bundle it carries (a webview cannot start a worker from a resource URL). Pure, so the harness serves exactly this page.
import { makeNonce, pageCsp, pageHtml, type PageHtmlOptions } from "../webview/page-html";

export { makeNonce };
export type ProfileHtmlOptions = PageHtmlOptions;

export function profileCsp(cspSource: string, nonce: string): string {
  return pageCsp(cspSource, nonce, ["worker-src blob:"]);
}

export function profileHtml(o: ProfileHtmlOptions): string {
  return pageHtml(o, profileCsp(o.cspSource, o.nonce));
}

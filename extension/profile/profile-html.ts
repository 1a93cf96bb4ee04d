// The profile viewer webview's page: the common webview page and CSP (extension/webview/page-html.ts) plus
// `worker-src blob:` (the app starts its trace-parsing worker from a Blob of the worker bundle it carries). Pure, so
// the harness serves exactly this page. (Placeholder of the host branch; the viewer branch owns this file.)
import { makeNonce, pageCsp, pageHtml, type PageHtmlOptions } from "../webview/page-html";

export { makeNonce };
export type ProfileHtmlOptions = PageHtmlOptions;

export function profileCsp(cspSource: string, nonce: string): string {
  return pageCsp(cspSource, nonce, ["worker-src blob:"]);
}

export function profileHtml(o: ProfileHtmlOptions): string {
  return pageHtml(o, profileCsp(o.cspSource, o.nonce));
}

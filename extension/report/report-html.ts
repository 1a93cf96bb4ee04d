// The report webview's page: the common webview page and CSP (extension/webview/page-html.ts) with nothing added.
import { makeNonce, pageCsp, pageHtml, type PageHtmlOptions } from "../webview/page-html";

export { makeNonce };
export type ReportHtmlOptions = PageHtmlOptions;

export function reportCsp(cspSource: string, nonce: string): string {
  return pageCsp(cspSource, nonce);
}

export function reportHtml(o: ReportHtmlOptions): string {
  return pageHtml(o, reportCsp(o.cspSource, o.nonce));
}

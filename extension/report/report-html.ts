// The report webview's page: a strict CSP (only our nonce'd script; styles from the extension or nonce'd), the app's
// bundle and styles, and codicons. The csp-nonce meta is where FAST (under the toolkit) finds the nonce for the
// <style> it adds. Pure (no vscode import) so the browser test serves exactly this page.

export interface ReportHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: string[];
  title: string;
}

export function reportCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join("; ");
}

export function reportHtml(o: ReportHtmlOptions): string {
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escape(reportCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta property="csp-nonce" content="${o.nonce}">
${o.styleUris.map((u) => `<link rel="stylesheet" href="${escape(u)}" nonce="${o.nonce}">`).join("\n")}
<title>${escape(o.title)}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${o.nonce}" src="${escape(o.scriptUri)}"></script>
</body>
</html>`;
}

/** 32 random characters from [A-Za-z0-9]. */
export function makeNonce(): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => chars[b % chars.length]).join("");
}

// The page every Edge Studio webview loads: a strict CSP (only our nonce'd script; styles from the extension or
// nonce'd; no remote resources), the app's bundle and styles, and the csp-nonce meta where FAST (under the webview
// toolkit) finds the nonce for the <style> it adds. Each viewer names what it needs beyond that (the graph viewer: a
// layout worker started from a Blob). Pure (no vscode import) so browser tests serve exactly these pages.

export interface PageHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: string[];
  title: string;
}

/** The CSP of every webview, plus `extra` directives (e.g. "worker-src blob:"). */
export function pageCsp(cspSource: string, nonce: string, extra: readonly string[] = []): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    ...extra,
  ].join("; ");
}

export function pageHtml(o: PageHtmlOptions, csp: string): string {
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escape(csp)}">
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

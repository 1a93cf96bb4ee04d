// The graph viewer webview's page: a strict CSP (only our nonce'd script; styles from the extension or nonce'd; the
// layout worker from a Blob, as a webview cannot start one from a resource URL), the app's bundle and styles, and
// codicons. Pure (no vscode import) so the browser test and the harness serve exactly this page.

export interface GraphHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: string[];
  title: string;
}

export function graphCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    "worker-src blob:",
  ].join("; ");
}

export function graphHtml(o: GraphHtmlOptions): string {
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escape(graphCsp(o.cspSource, o.nonce))}">
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

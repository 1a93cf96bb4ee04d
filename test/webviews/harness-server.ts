// The server behind the viewers' standalone harness pages (graph-harness/, profile-harness/): it serves the built
// bundles (dist/webviews/), a few of VS Code's theme variables, and per scenario the host's own page for the app (its
// CSP also sent as a header) with a fake host script put in before the app.
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, resolve } from "node:path";
import { makeNonce, type PageHtmlOptions } from "../../extension/webview/page-html";

export const repoRoot = resolve(import.meta.dirname, "..", "..");
export const distWebviews = join(repoRoot, "dist", "webviews");

/** A few of the variables VS Code defines in a webview (Dark Modern), so the page looks as it would there. */
export const themeCss = `html { --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f; --vscode-editor-foreground: #cccccc;
  --vscode-descriptionForeground: #9d9d9d; --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px;
  --vscode-errorForeground: #f85149; --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185;
  --vscode-charts-yellow: #cca700; --vscode-charts-purple: #b180d7; --vscode-charts-red: #f14c4c; --vscode-charts-foreground: #cccccc;
  --vscode-focusBorder: #0078d4; --vscode-editorWidget-background: #202020; --vscode-editorWidget-border: #454545;
  --vscode-panel-border: #2b2b2b; --vscode-textLink-foreground: #4daafc; --vscode-badge-background: #616161; }
body.vscode-light { --vscode-editor-background: #ffffff; --vscode-editor-foreground: #3b3b3b; --vscode-foreground: #3b3b3b;
  --vscode-editorWidget-background: #f8f8f8; --vscode-editorWidget-border: #c8c8c8; }`;

const types: Record<string, string> = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".ttf": "font/ttf",
  ".html": "text/html",
};

/** One webview app as the host shows it: its folder under dist/webviews, its page builder and CSP, its title. */
export interface HarnessApp {
  name: string;
  title: string;
  html(o: PageHtmlOptions): string;
  csp(cspSource: string, nonce: string): string;
}

export interface PageServer {
  origin: string;
  /** Serves the app's page at `/<name>` with `script(nonce)` (the fake host) before the app; returns the URL. */
  addPage(name: string, script: (nonce: string) => string): string;
  close(): Promise<void>;
}

export async function startPageServer(app: HarnessApp): Promise<PageServer> {
  if (!existsSync(join(distWebviews, app.name, "main.js")))
    throw new Error(`dist/webviews/${app.name}/main.js is missing: run \`npm run build\` first`);
  const pages = new Map<string, { html: string; nonce: string }>();
  let origin = "";
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/theme.css") return void res.writeHead(200, { "content-type": "text/css" }).end(themeCss);
    const page = pages.get(url.pathname);
    if (page) {
      res.writeHead(200, { "content-type": "text/html", "content-security-policy": app.csp(origin, page.nonce) });
      return void res.end(page.html);
    }
    const file = resolve(distWebviews, `.${url.pathname}`);
    if (!file.startsWith(distWebviews) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    origin,
    addPage(name, script) {
      const nonce = makeNonce();
      const html = app.html({
        cspSource: origin,
        nonce,
        scriptUri: `${origin}/${app.name}/main.js`,
        styleUris: [`${origin}/theme.css`, `${origin}/codicons/codicon.css`, `${origin}/${app.name}/main.css`],
        title: app.title,
      });
      pages.set(`/${name}`, {
        html: html.replace('<div id="app"></div>', `<div id="app"></div>\n${script(nonce)}`),
        nonce,
      });
      return `${origin}/${name}`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

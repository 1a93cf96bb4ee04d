// The graph viewer's standalone harness: an HTTP server that serves the built bundle (dist/webviews/) and, per
// scenario, the host's own page (extension/graph/graph-html.ts, with its CSP also sent as a header) with the fake host
// (fake-host.ts) put in before the app. Used by test/webviews/graph.test.ts and bench/graph-browser.bench.ts; run it
// on its own to look at the viewer in a browser: `node --import tsx test/webviews/graph-harness/serve.ts`.
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, resolve } from "node:path";
import { graphCsp, graphHtml } from "../../../extension/graph/graph-html";
import { makeNonce } from "../../../extension/webview/page-html";
import { fakeHostScript, type Scenario } from "./fake-host";

export const repoRoot = resolve(import.meta.dirname, "..", "..", "..");
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

export interface Harness {
  origin: string;
  /** Serves `scenario` at `/<name>`; returns the URL. */
  add(name: string, scenario: Scenario): string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  if (!existsSync(join(distWebviews, "graph", "main.js")))
    throw new Error("dist/webviews/graph/main.js is missing: run `npm run build` first");
  const pages = new Map<string, { html: string; nonce: string }>();
  let origin = "";
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/theme.css") return void res.writeHead(200, { "content-type": "text/css" }).end(themeCss);
    const page = pages.get(url.pathname);
    if (page) {
      res.writeHead(200, { "content-type": "text/html", "content-security-policy": graphCsp(origin, page.nonce) });
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
    add(name, scenario) {
      const nonce = makeNonce();
      const html = graphHtml({
        cspSource: origin,
        nonce,
        scriptUri: `${origin}/graph/main.js`,
        styleUris: [`${origin}/theme.css`, `${origin}/codicons/codicon.css`, `${origin}/graph/main.css`],
        title: "Graph",
      });
      pages.set(`/${name}`, {
        html: html.replace(
          '<div id="app"></div>',
          `<div id="app"></div>\n${fakeHostScript(scenario, nonce, `edge-graph-${name}`)}`,
        ),
        nonce,
      });
      return `${origin}/${name}`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export { chromiumArgs, chromiumPath } from "../../fixtures/chromium";

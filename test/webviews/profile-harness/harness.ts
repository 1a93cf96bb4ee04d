// The profile viewer's standalone harness: an HTTP server that serves the built bundle (dist/webviews/) and, per
// scenario, the host's own page (extension/profile/profile-html.ts, its CSP also sent as a header) with the fake host
// (fake-host.ts) put in before the app; `attach` gives a Playwright page the bindings through which the fake host
// reads trace files from a folder (in chunks) and one event's text by byte offset (what the real host answers
// EventTextRequest with): the page's CSP allows no fetch. Used by test/webviews/profile.test.ts and
// bench/profile-browser.bench.ts.
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { makeNonce } from "../../../extension/webview/page-html";
import { profileCsp, profileHtml } from "../../../extension/profile/profile-html";
import { distWebviews, themeCss } from "../graph-harness/harness";
import { fakeHostScript, type Scenario } from "./fake-host";

export { chromiumArgs, chromiumPath, repoRoot } from "../graph-harness/harness";

const types: Record<string, string> = { ".js": "text/javascript", ".css": "text/css", ".ttf": "font/ttf" };

export interface Harness {
  origin: string;
  /** Serves `scenario` at `/<name>`; returns the URL. */
  add(name: string, scenario: Scenario): string;
  /** Installs the fake host's file bindings on `page` (before its first goto). */
  attach(page: Page): Promise<void>;
  close(): Promise<void>;
}

/** The text of the JSON object starting at `offset` in `file` (strings and escapes respected), or undefined. */
export function eventTextAt(file: string, offset: number, maxBytes = 1_000_000): string | undefined {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(maxBytes);
    const n = readSync(fd, buf, 0, maxBytes, offset);
    if (n === 0 || buf[0] !== 0x7b) return undefined;
    let depth = 0;
    let inString = false;
    for (let i = 0; i < n; i++) {
      const c = buf[i];
      if (inString) {
        if (c === 0x5c) i++;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if ((c === 0x7d || c === 0x5d) && --depth === 0) return buf.subarray(0, i + 1).toString("utf8");
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export async function startHarness(filesDir: string): Promise<Harness> {
  if (!existsSync(join(distWebviews, "profile", "main.js")))
    throw new Error("dist/webviews/profile/main.js is missing: run `npm run build` first");
  const pages = new Map<string, { html: string; nonce: string }>();
  let origin = "";
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/theme.css") return void res.writeHead(200, { "content-type": "text/css" }).end(themeCss);
    const page = pages.get(url.pathname);
    if (page) {
      res.writeHead(200, { "content-type": "text/html", "content-security-policy": profileCsp(origin, page.nonce) });
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
      const html = profileHtml({
        cspSource: origin,
        nonce,
        scriptUri: `${origin}/profile/main.js`,
        styleUris: [`${origin}/theme.css`, `${origin}/codicons/codicon.css`, `${origin}/profile/main.css`],
        title: "Profile",
      });
      pages.set(`/${name}`, {
        html: html.replace(
          '<div id="app"></div>',
          `<div id="app"></div>\n${fakeHostScript(scenario, nonce, `edge-profile-${name}`)}`,
        ),
        nonce,
      });
      return `${origin}/${name}`;
    },
    async attach(page) {
      const fileOf = (name: string) => {
        const file = resolve(filesDir, name);
        if (!file.startsWith(resolve(filesDir)) || !existsSync(file)) throw new Error(`no such trace file: ${name}`);
        return file;
      };
      await page.exposeFunction("__hostRead", (name: string, offset: number, length: number) => {
        const fd = openSync(fileOf(name), "r");
        try {
          const buf = Buffer.alloc(length);
          const n = readSync(fd, buf, 0, length, offset);
          return buf.subarray(0, n).toString("base64");
        } finally {
          closeSync(fd);
        }
      });
      await page.exposeFunction(
        "__hostEventText",
        (name: string, offset: number) => eventTextAt(fileOf(name), offset) ?? null,
      );
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

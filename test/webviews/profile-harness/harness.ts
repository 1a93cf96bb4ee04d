// The profile viewer's standalone harness: an HTTP server that serves the built bundle (dist/webviews/) and, per
// scenario, the host's own page (extension/profile/profile-html.ts, its CSP also sent as a header) with the fake host
// (fake-host.ts) put in before the app; `attach` gives a Playwright page the bindings through which the fake host
// reads trace files from a folder (in chunks) and one event's text by byte offset (what the real host answers
// EventTextRequest with): the page's CSP allows no fetch. Used by test/webviews/profile.test.ts and
// bench/profile-browser.bench.ts.
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { profileCsp, profileHtml } from "../../../extension/profile/profile-html";
import { startPageServer } from "../harness-server";
import { fakeHostScript, type Scenario } from "./fake-host";

export { chromiumArgs, chromiumPath } from "../../fixtures/chromium";
export { repoRoot } from "../harness-server";

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
  const server = await startPageServer({ name: "profile", title: "Profile", html: profileHtml, csp: profileCsp });
  return {
    origin: server.origin,
    add: (name, scenario) => server.addPage(name, (nonce) => fakeHostScript(scenario, nonce, `edge-profile-${name}`)),
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
    close: () => server.close(),
  };
}

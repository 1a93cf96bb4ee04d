// The profile viewer's standalone harness: an HTTP server that serves the built bundle (dist/webviews/) and, per
// scenario, the host's own page (extension/profile/profile-html.ts, its CSP also sent as a header) with the fake host
// (fake-host.ts) put in before the app; `attach` gives a Playwright page the bindings through which the fake host
// reads trace files from a folder (in chunks) and one event's text by byte offset (with the real host's reader,
// extension/profile/event-text.ts, what it answers EventTextRequest with): the page's CSP allows no fetch. Used by
// test/webviews/profile.test.ts and bench/profile-browser.bench.ts.
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { readEventText } from "../../../extension/profile/event-text";
import { withFileBytes } from "../../../extension/profile/file-bytes";
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
      // The host's own reading (extension/profile/event-text.ts over file-bytes.ts); its errors reach the page.
      await page.exposeFunction("__hostEventText", (name: string, offset: number) =>
        withFileBytes(fileOf(name), (bytes) => readEventText(bytes, offset)),
      );
    },
    close: () => server.close(),
  };
}

// The UI suite: Playwright drives the code-server workbench with the packaged linux-x64 .vsix installed (as a user
// installs it; `EDGE_UI_FROM_SOURCE=1` loads the repository as the extension under development instead).
// Each check is a function of the open page; screenshots go to test-artifacts/vscode/.
import { join } from "node:path";
import type { Page } from "playwright-core";
import { artifactsDir, openBrowser, openWorkbench, startCodeServer, type SuiteResult } from "./harness";
import { codeLensRunOpensReport } from "./ui-codelens-run";
import { graphOverlayAndSearch } from "./ui-graph";
import { profileTimelineRevealsNode } from "./ui-profile";
import { reportShowsLatencyTable } from "./ui-report";
import { walkthroughCreatesDemoRecipe } from "./ui-walkthrough";
import { ensureVsix } from "../packaging/vsix";

/** Opens a workspace file through Quick Open (Ctrl+P), clicking its exact row, and waits for its editor tab. */
async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } }); // focus the workbench
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  await input.fill(fileName);
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: fileName }).first().click();
  await page.locator(`.tab.active[aria-label^="${fileName}"]`).waitFor();
}

/** Types at the end of the active editor and waits for the suggest widget to show `expected`. */
async function completionShows(page: Page): Promise<void> {
  const editor = page.locator(".editor-instance .monaco-editor").first();
  await editor.locator(".view-lines").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("comp");
  await page.keyboard.press("Control+Space");
  const row = page.locator(".suggest-widget .monaco-list-row", { hasText: "compile" });
  await row.first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(artifactsDir, "ui-completion.png") });
}

const checks: [string, (page: Page) => Promise<void>][] = [
  [
    "the workbench opens a recipe as edge-recipe",
    async (page) => {
      await quickOpen(page, "ui.edge.yaml");
      await page.locator(".statusbar-item", { hasText: "Edge Recipe" }).first().waitFor();
    },
  ],
  ["typing in a recipe shows our completion in the suggest widget", completionShows],
  ["the run report webview shows its latency table", reportShowsLatencyTable],
  ["the walkthrough's first step writes and opens a demo recipe for a picked model", walkthroughCreatesDemoRecipe],
  ["the recipe CodeLens runs it in a task terminal and its report webview opens", codeLensRunOpensReport],
  [
    "the graph viewer opens a model, turns a run's latency overlay on and reveals a node from search",
    graphOverlayAndSearch,
  ],
  [
    "the profile viewer opens a run's profile.json, draws its timeline and reveals a kernel's node in the graph viewer",
    profileTimelineRevealsNode,
  ],
];

/** Runs every UI check in one fresh code-server and Chromium; a failed check stops the ones after it. */
export async function runUiSuite(workspace: string): Promise<SuiteResult[]> {
  const server = await startCodeServer(
    "ui",
    {},
    process.env.EDGE_UI_FROM_SOURCE ? {} : { installVsix: ensureVsix("linux-x64") },
  );
  const browser = await openBrowser();
  const results: SuiteResult[] = [];
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(60_000);
    await openWorkbench(page, server, workspace);
    let failed = false;
    for (const [name, check] of checks) {
      const started = performance.now();
      if (failed) {
        results.push({ name, ok: false, durationMs: 0, error: "skipped after an earlier failure" });
        continue;
      }
      try {
        await check(page);
        results.push({ name, ok: true, durationMs: performance.now() - started });
      } catch (error) {
        failed = true;
        await page.screenshot({ path: join(artifactsDir, `ui-failure-${results.length}.png`) }).catch(() => undefined);
        results.push({
          name,
          ok: false,
          durationMs: performance.now() - started,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  const failures = results.filter((r) => !r.ok).length;
  console.log(`ui suite: ${results.length - failures} passed, ${failures} failed`);
  return results;
}

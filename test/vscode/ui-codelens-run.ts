// The UI suite's CodeLens run check: a recipe opened in the editor, its "▶ Run on laptop" CodeLens clicked, the
// `edge` task's terminal showing the run's closing summary, and the finished run's report webview opening by itself
// with its latency table.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { artifactsDir } from "./harness";

const recipe = "run-ok.edge.yaml"; // workspace.ts: recipe name "task-ok", device "laptop", 5 iterations

/** The workspace folder the workbench shows (its `folder` URL parameter: a path, or a vscode-remote URI). */
function workspaceOf(page: Page): string {
  const folder = new URL(page.url()).searchParams.get("folder");
  if (!folder) throw new Error(`no folder in the workbench URL ${page.url()}`);
  return folder.startsWith("/") ? folder : decodeURIComponent(new URL(folder).pathname);
}

export async function codeLensRunOpensReport(page: Page): Promise<void> {
  // The terminal draws on a WebGL canvas by default; its DOM renderer puts the text in `.xterm-rows` to be read.
  const settings = join(workspaceOf(page), ".vscode");
  mkdirSync(settings, { recursive: true });
  writeFileSync(
    join(settings, "settings.json"),
    `${JSON.stringify({ "terminal.integrated.gpuAcceleration": "off" })}\n`,
  );

  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } }); // focus the workbench
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  await input.fill(recipe);
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: recipe }).first().click();
  await page.locator(`.tab.active[aria-label^="${recipe}"]`).waitFor();

  const editor = page.locator(".editor-instance .monaco-editor").first();
  await editor.locator(".codelens-decoration a", { hasText: "Run on laptop" }).first().click({ timeout: 60_000 });

  // The pseudoterminal's closing summary ("Run ok (exit 0)") in the task terminal's rows.
  await page
    .locator(".terminal-wrapper .xterm-rows", { hasText: /Run.ok.*\(exit.0\)/ })
    .first()
    .waitFor({ timeout: 120_000 });

  // The finished run's report opens by itself in a webview titled "Report <runId>".
  await page.locator('.tab.active[aria-label*="-task-ok-laptop"]').waitFor();
  const webview = page.frameLocator("iframe.webview.ready").last().frameLocator("#active-frame");
  await webview.locator('header.run-header[data-run$="-task-ok-laptop"]').waitFor({ timeout: 60_000 });
  await webview.locator('#latency-table tr[data-key="p50"]').waitFor();
  await page.screenshot({ path: join(artifactsDir, "ui-codelens-run.png") });
}

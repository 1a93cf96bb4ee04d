// The UI suite's graph viewer check: a model copied into the workspace and a profiled run of it written by the
// engine; the model opened with "Reopen Editor With…" → Edge Model Graph (the custom editor, priority option); inside
// the webview's iframes the run's latency overlay is turned on (its legend appears) and a node found by search is
// revealed and selected (its properties appear). The selectors are the graph webview's (webviews/graph/).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { artifactsDir } from "./harness";
import { clsModel, repoRoot } from "./workspace";

const runId = "20200101-000000-ui-graph-laptop";
const modelName = "ui-graph.onnx";

/** The workspace folder the workbench shows (its `folder` URL parameter: a path, or a vscode-remote URI). */
function workspaceOf(page: Page): string {
  const folder = new URL(page.url()).searchParams.get("folder");
  if (!folder) throw new Error(`no folder in the workbench URL ${page.url()}`);
  return folder.startsWith("/") ? folder : decodeURIComponent(new URL(folder).pathname);
}

/** Copies the model into the workspace and profiles it with `edge run` into .edge/runs/<runId>. */
function writeModelAndRun(workspace: string): void {
  const model = join(workspace, modelName);
  copyFileSync(clsModel, model);
  const recipe = join(workspace, ".edge", "ui-graph.edge.yaml");
  mkdirSync(join(workspace, ".edge", "runs"), { recursive: true });
  writeFileSync(
    recipe,
    `name: ui-graph\nmodel:\n  path: ${model}\n  inputs:\n    x: { shape: [1, 3, 48, 192], dtype: float32 }\ndevices:\n  laptop: { local: {} }\nrun:\n  device: laptop\n  iterations: 3\n  profile: true\n`,
  );
  const out = join(workspace, ".edge", "runs", runId);
  const result = spawnSync(process.execPath, [join(repoRoot, "bin", "edge.js"), "run", recipe, "--out", out], {
    encoding: "utf8",
  });
  if (!existsSync(join(out, "report.json")))
    throw new Error(`edge run wrote no report (exit ${result.status}): ${result.stderr}`);
}

export async function graphOverlayAndSearch(page: Page): Promise<void> {
  writeModelAndRun(workspaceOf(page));
  // Open the model as VS Code does by default (binary), then reopen it with our editor.
  // From the explorer (Quick Open's file index may not list a file written a moment ago).
  await page
    .locator(".explorer-folders-view .monaco-list-row", { hasText: new RegExp(`^${modelName.replace(".", "\\.")}$`) })
    .first()
    .click();
  await page.locator(`.tab.active[aria-label^="${modelName}"]`).waitFor();
  const input = page.locator(".quick-input-widget input");
  await page.keyboard.press("F1");
  await input.fill(">Reopen Editor With");
  // "Reopen Editor With..." exactly: "Reopen Editor With Text Editor" is listed too.
  await page
    .locator(".quick-input-widget .monaco-list-row", { hasText: /Reopen Editor With(\.\.\.|…)/ })
    .first()
    .click();
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: "Edge Model Graph" }).first().click();

  const webview = page.frameLocator("iframe.webview.ready").last().frameLocator("#active-frame");
  await webview.locator('body[data-ready="true"]').waitFor({ timeout: 60_000 });
  // Overlays: the run is offered (it ran this model); turning latency on shows its legend.
  const runSelect = webview.locator("#run-select");
  await runSelect.waitFor();
  const option = runSelect.locator("option", { hasText: runId }).first();
  const value = await option.getAttribute("value");
  if (value !== null) await runSelect.selectOption(value);
  await webview.locator("#overlay-latency").check();
  await webview.locator('[data-legend="latency"]').waitFor();
  // Search: a Conv node, listed, revealed and selected (its properties shown).
  await webview.locator("#search").fill("Conv");
  await webview.locator("#search-results .result").first().click();
  await webview.locator('.properties[data-kind="node"]').waitFor();
  await page.screenshot({ path: join(artifactsDir, "ui-graph.png") });
}

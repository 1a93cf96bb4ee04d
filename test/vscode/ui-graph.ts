// The UI suite's graph viewer check: a model copied into the workspace and a profiled run of it written by the
// engine; the model opened with "Reopen Editor With…" → Edge Model Graph (the custom editor, priority option); inside
// the webview's iframes the run's latency overlay is turned on (its legend appears) and a node found by search is
// revealed and selected (its properties appear). The selectors are the graph webview's (webviews/graph/).
import { join } from "node:path";
import type { Page } from "playwright-core";
import { artifactsDir } from "./harness";
import { openFile, reopenWith, workspaceOf, writeProfiledRun } from "./ui-workbench";

const runId = "20200101-000000-ui-graph-laptop";

export async function graphOverlayAndSearch(page: Page): Promise<void> {
  const { model } = writeProfiledRun(workspaceOf(page), {
    name: "ui-graph",
    modelName: "ui-graph.onnx",
    runId,
    iterations: 3,
  });
  // Open the model as VS Code does by default (binary), then reopen it with our editor.
  await openFile(page, model);
  await reopenWith(page, "Edge Model Graph");

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

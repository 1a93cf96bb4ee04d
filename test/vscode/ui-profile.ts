// The UI suite's profile viewer check: a profiled run of a model copied into the workspace, written by the engine;
// its profile.json opened by its path and reopened with "Reopen Editor With…" → Edge Profile (the custom
// editor, priority option); inside the webview's iframes the timeline draws once the trace is indexed, and a kernel
// chosen in the timeline reveals its node in the graph viewer (a second webview shows the node's properties). The
// selectors are the profile webview's (webviews/profile/) and the graph webview's (webviews/graph/).
import { join } from "node:path";
import type { Page } from "playwright-core";
import { artifactsDir } from "./harness";
import { openFile, reopenWith, workspaceOf, writeProfiledRun } from "./ui-workbench";

export async function profileTimelineRevealsNode(page: Page): Promise<void> {
  // The run profiles the graph as written (optimization: disabled), so its kernels carry the model's own node names:
  // with onnxruntime's fusions a kernel may belong to a node only the optimized graph has.
  const { runDir } = writeProfiledRun(workspaceOf(page), {
    name: "ui-profile",
    modelName: "ui-profile.onnx",
    runId: "20200101-000000-ui-profile-laptop",
    iterations: 5,
    extra: "  optimization: disabled\n",
  });
  // The run's profile.json (opens as JSON text), then reopened with our editor.
  await openFile(page, join(runDir, "profile.json"));
  await reopenWith(page, "Edge Profile");

  const webview = page.frameLocator("iframe.webview.ready").last().frameLocator("#active-frame");
  await webview.locator('body[data-ready="true"]').waitFor({ timeout: 60_000 });
  // The timeline draws once the worker indexed the streamed trace (its canvas counts the boxes it drew).
  await webview.locator('canvas.timeline-canvas[data-rects]:not([data-rects="0"])').waitFor({ timeout: 60_000 });
  await page.screenshot({ path: join(artifactsDir, "ui-profile.png") });
  // A node's kernels chosen from the nodes table (its first kernel is selected and detailed), then "Reveal in graph":
  // the graph viewer opens at its node.
  await webview.locator("#tab-nodes").click();
  await webview.locator("#nodes-table tbody tr").first().click();
  await webview.locator("#reveal-node").waitFor({ timeout: 30_000 });
  await webview.locator("#reveal-node").click();
  const graph = page.frameLocator("iframe.webview.ready").last().frameLocator("#active-frame");
  await graph.locator('.properties[data-kind="node"]').waitFor({ timeout: 60_000 });
  await page.screenshot({ path: join(artifactsDir, "ui-profile-graph.png") });
}

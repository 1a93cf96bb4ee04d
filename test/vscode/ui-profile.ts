// The UI suite's profile viewer check: a profiled run of a model copied into the workspace, written by the engine;
// its profile.json opened from the explorer and reopened with "Reopen Editor With…" → Edge Profile (the custom
// editor, priority option); inside the webview's iframes the timeline draws once the trace is indexed, and a kernel
// chosen in the timeline reveals its node in the graph viewer (a second webview shows the node's properties). The
// selectors are the profile webview's (webviews/profile/) and the graph webview's (webviews/graph/).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { artifactsDir } from "./harness";
import { clsModel, repoRoot } from "./workspace";

const runId = "20200101-000000-ui-profile-laptop";
const modelName = "ui-profile.onnx";

/** The workspace folder the workbench shows (its `folder` URL parameter: a path, or a vscode-remote URI). */
function workspaceOf(page: Page): string {
  const folder = new URL(page.url()).searchParams.get("folder");
  if (!folder) throw new Error(`no folder in the workbench URL ${page.url()}`);
  return folder.startsWith("/") ? folder : decodeURIComponent(new URL(folder).pathname);
}

/** Copies the model into the workspace and profiles it with `edge run` into .edge/runs/<runId>. */
function writeProfiledRun(workspace: string): void {
  const model = join(workspace, modelName);
  copyFileSync(clsModel, model);
  const recipe = join(workspace, ".edge", "ui-profile.edge.yaml");
  mkdirSync(join(workspace, ".edge", "runs"), { recursive: true });
  // The run profiles the graph as written (optimization: disabled), so its kernels carry the model's own node names:
  // with onnxruntime's fusions a kernel may belong to a node only the optimized graph has.
  writeFileSync(
    recipe,
    `name: ui-profile\nmodel:\n  path: ${model}\n  inputs:\n    x: { shape: [1, 3, 48, 192], dtype: float32 }\ndevices:\n  laptop: { local: {} }\nrun:\n  device: laptop\n  iterations: 5\n  profile: true\n  optimization: disabled\n`,
  );
  const out = join(workspace, ".edge", "runs", runId);
  const result = spawnSync(process.execPath, [join(repoRoot, "bin", "edge.js"), "run", recipe, "--out", out], {
    encoding: "utf8",
  });
  if (!existsSync(join(out, "profile.json")))
    throw new Error(`edge run wrote no profile (exit ${result.status}): ${result.stderr}`);
}

/** Clicks an explorer row by its exact label: opens a file, or expands a folder that is not expanded yet. */
async function explorerRow(page: Page, label: string): Promise<void> {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: new RegExp(`^${escaped}$`) }).first();
  await row.waitFor();
  if ((await row.getAttribute("aria-expanded")) === "true") return;
  await row.click();
}

export async function profileTimelineRevealsNode(page: Page): Promise<void> {
  writeProfiledRun(workspaceOf(page));
  // The run's profile.json from the explorer (opens as JSON text), then reopened with our editor.
  for (const folder of [".edge", "runs", runId]) await explorerRow(page, folder);
  await explorerRow(page, "profile.json");
  await page.locator('.tab.active[aria-label^="profile.json"]').waitFor();
  const input = page.locator(".quick-input-widget input");
  await page.keyboard.press("F1");
  await input.fill(">Reopen Editor With");
  await page
    .locator(".quick-input-widget .monaco-list-row", { hasText: /Reopen Editor With(\.\.\.|…)/ })
    .first()
    .click();
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: "Edge Profile" }).first().click();

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

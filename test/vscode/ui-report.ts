// The UI suite's run report check: a run written by the engine into the open workspace's .edge/runs, opened through
// the command palette (Edge: Open Run Report…), its latency table seen inside the webview's iframes, and a file link
// opening the file in an editor.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { artifactsDir } from "./harness";
import { clsModel, repoRoot } from "./workspace";

const runId = "20200101-000000-ui-report-laptop";

/** The workspace folder the workbench shows (its `folder` URL parameter: a path, or a vscode-remote URI). */
function workspaceOf(page: Page): string {
  const folder = new URL(page.url()).searchParams.get("folder");
  if (!folder) throw new Error(`no folder in the workbench URL ${page.url()}`);
  return folder.startsWith("/") ? folder : decodeURIComponent(new URL(folder).pathname);
}

function writeRun(workspace: string): void {
  const recipe = join(workspace, ".edge", "ui-report.edge.yaml");
  mkdirSync(join(workspace, ".edge", "runs"), { recursive: true });
  writeFileSync(
    recipe,
    `name: ui-report\nmodel:\n  path: ${clsModel}\n  inputs:\n    x: { shape: [1, 3, 48, 192], dtype: float32 }\ndevices:\n  laptop: { local: {} }\nrun:\n  device: laptop\n  iterations: 5\nbudgets:\n  latency_p95_ms: 1000\n`,
  );
  const out = join(workspace, ".edge", "runs", runId);
  const result = spawnSync(process.execPath, [join(repoRoot, "bin", "edge.js"), "run", recipe, "--out", out], {
    encoding: "utf8",
  });
  if (!existsSync(join(out, "report.json")))
    throw new Error(`edge run wrote no report (exit ${result.status}): ${result.stderr}`);
}

export async function reportShowsLatencyTable(page: Page): Promise<void> {
  writeRun(workspaceOf(page));
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } });
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  await input.fill(">Edge: Open Run Report");
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: "Open Run Report" }).first().click();
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: runId }).first().click();
  const webview = page.frameLocator("iframe.webview.ready").last().frameLocator("#active-frame");
  await webview.locator('#latency-table tr[data-key="p50"]').waitFor({ timeout: 60_000 });
  await webview.locator("svg.latency-chart g.series circle.point").nth(4).waitFor();
  await page.screenshot({ path: join(artifactsDir, "ui-report.png") });
  // A file link asks the host (OpenFileCommand) to open the file in an editor.
  await webview.locator('.file-link[data-path="recipe.resolved.json"]').click();
  await page.locator('.tab.active[aria-label^="recipe.resolved.json"]').waitFor();
}

// What the UI suite's checks share about the workbench page: the workspace folder it shows, a profiled `edge run`
// of a model copied into that workspace, opening a file by its absolute path, and "Reopen Editor With…".
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { clsModel, repoRoot } from "./workspace";

/** The workspace folder the workbench shows (its `folder` URL parameter: a path, or a vscode-remote URI). */
export function workspaceOf(page: Page): string {
  const folder = new URL(page.url()).searchParams.get("folder");
  if (!folder) throw new Error(`no folder in the workbench URL ${page.url()}`);
  return folder.startsWith("/") ? folder : decodeURIComponent(new URL(folder).pathname);
}

export interface ProfiledRun {
  /** The copied model and the run folder. */
  model: string;
  runDir: string;
}

/**
 * Copies the classification model into the workspace as `modelName` and profiles it with `edge run` into
 * .edge/runs/<runId> (`extra` is appended to the recipe's `run:` section).
 */
export function writeProfiledRun(
  workspace: string,
  o: { name: string; modelName: string; runId: string; iterations: number; extra?: string },
): ProfiledRun {
  const model = join(workspace, o.modelName);
  copyFileSync(clsModel, model);
  const recipe = join(workspace, ".edge", `${o.name}.edge.yaml`);
  mkdirSync(join(workspace, ".edge", "runs"), { recursive: true });
  writeFileSync(
    recipe,
    `name: ${o.name}\nmodel:\n  path: ${model}\n  inputs:\n    x: { shape: [1, 3, 48, 192], dtype: float32 }\ndevices:\n  laptop: { local: {} }\nrun:\n  device: laptop\n  iterations: ${o.iterations}\n  profile: true\n${o.extra ?? ""}`,
  );
  const runDir = join(workspace, ".edge", "runs", o.runId);
  const result = spawnSync(process.execPath, [join(repoRoot, "bin", "edge.js"), "run", recipe, "--out", runDir], {
    encoding: "utf8",
  });
  if (!existsSync(join(runDir, "profile.json")))
    throw new Error(`edge run wrote no profile (exit ${result.status}): ${result.stderr}`);
  return { model, runDir };
}

/**
 * Opens a file by its absolute path through Quick Open, which looks the path up directly: neither its file index nor
 * the explorer's file watcher has to have seen a file written a moment ago.
 */
export async function openFile(page: Page, path: string): Promise<void> {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const input = page.locator(".quick-input-widget input");
  await page.keyboard.press("Control+P");
  await input.waitFor();
  await input.fill(path);
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: name }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press("Enter");
  await page.locator(`.tab.active[aria-label^="${name}"]`).waitFor();
  // The widget is shared with the command palette: a key pressed while it is still closing goes to the old list.
  await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
}

/**
 * "Reopen Editor With…" on the active editor, then the editor labelled `editor`. A file that was just opened may still
 * take the focus while its editor finishes loading, which closes the command palette under the click: then the
 * palette is opened again (a few times at most).
 */
export async function reopenWith(page: Page, editor: string): Promise<void> {
  const input = page.locator(".quick-input-widget input");
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press("F1");
      await input.waitFor({ timeout: 10_000 });
      await input.fill(">Reopen Editor With");
      // "Reopen Editor With..." exactly: "Reopen Editor With Text Editor" is listed too.
      await page
        .locator(".quick-input-widget .monaco-list-row", { hasText: /Reopen Editor With(\.\.\.|…)/ })
        .first()
        .click({ timeout: 10_000 });
      await page
        .locator(".quick-input-widget .monaco-list-row", { hasText: editor })
        .first()
        .click({ timeout: 10_000 });
      return;
    } catch (error) {
      if (attempt >= 4) throw error;
      await page.keyboard.press("Escape");
      await page
        .locator(".quick-input-widget")
        .waitFor({ state: "hidden", timeout: 10_000 })
        .catch(() => undefined);
    }
  }
}

// The graph viewer's questions to the user: which model to open (a file dialog), and which model to compare with
// (the models of the runs that used or produced this one first, then a file dialog).
import { basename } from "node:path";
import * as vscode from "vscode";
import type { RunChoice } from "../../webviews/protocol/graph";
import { runModels, type ScannedRun } from "./model-runs";

const ONNX_FILTER = { "ONNX models": ["onnx"] };

export async function pickModelFile(title: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: ONNX_FILTER });
  return picked?.[0];
}

/** The models of `runs` other than `model`: each run's produced models, then its original. */
export function modelsOfRuns(model: string, runs: readonly RunChoice[], scanned: readonly ScannedRun[]) {
  const seen = new Set([model]);
  const items: { path: string; detail: string }[] = [];
  for (const choice of runs) {
    const run = scanned.find((r) => r.runDir === choice.runDir);
    if (!run?.report) continue;
    const models = runModels(run.report, run.runDir);
    const add = (path: string | undefined, what: string) => {
      if (!path || seen.has(path)) return;
      seen.add(path);
      items.push({ path, detail: `${what} of run ${run.runId}` });
    };
    for (const p of models.produced) add(p, "produced");
    add(models.original, "original");
  }
  return items;
}

export async function pickModelToCompare(
  model: string,
  runs: readonly RunChoice[],
  scanned: readonly ScannedRun[],
): Promise<string | undefined> {
  const browse = "$(folder-opened) Choose a file…";
  const items: (vscode.QuickPickItem & { path?: string })[] = [
    ...modelsOfRuns(model, runs, scanned).map((m) => ({
      label: basename(m.path),
      description: m.path,
      detail: m.detail,
      path: m.path,
    })),
    { label: browse, alwaysShow: true },
  ];
  const choice =
    items.length === 1
      ? items[0]
      : await vscode.window.showQuickPick(items, {
          title: `Compare ${basename(model)} with…`,
          placeHolder: 'The model to show as "before" (this one is "after")',
          matchOnDescription: true,
        });
  if (!choice) return undefined;
  if (choice.path) return choice.path;
  return (await pickModelFile(`Compare ${basename(model)} with…`))?.fsPath;
}

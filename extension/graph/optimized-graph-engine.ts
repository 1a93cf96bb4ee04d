// Makes onnxruntime's optimized graph of a run's model (optimized-graph.ts plans it): whether the one written before
// is fresh (file times), and `edge compile …` run with the engine's Node through run/engine-process.ts (an argument
// array, never a shell; a stop sends SIGTERM, then SIGKILL). The engine writes OUT atomically, so a stopped or
// failed compile leaves the earlier file (or none). No VS Code here: callers pass the Node and the extension's root.
import { stat } from "node:fs/promises";
import { startEngine, type EngineNode } from "../run/engine-process";
import { compileFailureMessage, isFresh } from "./optimized-graph";

async function mtimeMs(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => (s.isFile() ? s.mtimeMs : undefined),
    () => undefined,
  );
}

/** The optimized graph at `out` exists and is newer than `model`. */
export async function isFreshOutput(out: string, model: string): Promise<boolean> {
  const [outMtimeMs, modelMtimeMs] = await Promise.all([mtimeMs(out), mtimeMs(model)]);
  return isFresh({ outMtimeMs, modelMtimeMs });
}

export interface CompileRunOptions {
  node: EngineNode;
  /** The extension's root (holds bin/edge.js). */
  extensionPath: string;
  cwd: string;
  /** The arguments after `edge` (optimized-graph.ts `compileArgs`). */
  args: readonly string[];
  /** Stops the engine (the user cancelled the progress notification). */
  signal?: AbortSignal;
  /** What the engine writes (stdout and stderr), for the log. */
  onOutput?(text: string): void;
}

/** A compile the user stopped. */
export class CompileStoppedError extends Error {
  override readonly name = "CompileStoppedError";
}

/** Runs `edge compile …`; resolves when it wrote its output, rejects with the CLI's message when it did not. */
export async function runCompile(options: CompileRunOptions): Promise<void> {
  if (options.signal?.aborted) throw new CompileStoppedError("stopped before it started");
  let output = "";
  const engine = startEngine({
    node: options.node,
    extensionPath: options.extensionPath,
    args: options.args,
    cwd: options.cwd,
    onEvent: () => undefined,
    onOutput: (text) => {
      output = (output + text).slice(-16_000);
      options.onOutput?.(text);
    },
  });
  const stop = () => engine.cancel();
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    const exit = await engine.exited;
    if (engine.cancelled) throw new CompileStoppedError("stopped");
    if (exit.code !== 0) throw new Error(compileFailureMessage(output, exit));
  } finally {
    options.signal?.removeEventListener("abort", stop);
  }
}

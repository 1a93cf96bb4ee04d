// A run's side of its generation thread (generate-worker.ts): starts the thread, which makes the session; runs the
// generations there, handing their events to the run's sink as they come and a stop to the thread; and closes it.
// The thread exists because onnxruntime-node copies every output into a new buffer: a decode step's cache copies
// are garbage one step later, and the collections they cause cost more in a process that holds more (measured: a
// 135 M-parameter LM decoded 15–25 % slower in `edge run` than in a bare script, and as fast in this thread).
// A model whose cache is small generates on the run's thread (wantsGenerateThread), and so does every model where no
// thread script sits beside this module (a bundle built without it, a device runner bundle made before it had one).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { GenerationResult } from "../../common/generation";
import { EdgeError } from "../errors";
import type { EventSink } from "../events";
import type { GenerateIo } from "./generate-io";
import type { FromGenerateThread, GenerateThreadInit, ThreadError, ToGenerateThread } from "./generate-thread-protocol";
import type { GeneratePlan } from "./plan";

/**
 * The cache size (at the generation's longest) from which a generation runs in its own thread. Below it the copies
 * are small and the thread only costs: a call into onnxruntime from a worker thread took ~0.1–0.25 ms longer per
 * decode step here, which is a third of a 0.9 M-parameter LM's step (0.8 MB of cache) and under 2 % of a 135 M
 * one's, whose 14 MB of copies a step cost 10–25 % in the run's heap.
 */
export const THREAD_MIN_CACHE_BYTES = 4e6;

/** The bytes of `present.*` a decode step hands back at the longest cache of `plan` (prompt + new tokens). */
export function cacheBytesPerStep(io: GenerateIo, plan: GeneratePlan): number {
  const positions = Math.max(...plan.promptTokens) + plan.newTokens;
  return io.cache.reduce((sum, c) => {
    const [, heads, , headDim] = c.emptyShape;
    return sum + heads * positions * headDim * (c.dtype === "float16" ? 2 : 4);
  }, 0);
}

/** Whether `plan` generates in a thread of its own: as it says (ownThread), else when its cache is large. */
export function wantsGenerateThread(io: GenerateIo, plan: GeneratePlan): boolean {
  return plan.ownThread ?? cacheBytesPerStep(io, plan) >= THREAD_MIN_CACHE_BYTES;
}

export interface GenerateThreadLocation {
  url: URL;
  /** For a `.ts` thread (tests, the engine run from source): tsx's register API, which the thread loads first. */
  tsxApi?: string;
}

/**
 * The thread's script beside this module: the .ts file under tsx; generate-worker.js beside the CLI's bundle, or
 * generate-worker.cjs beside the device runner (runner.cjs in its bundle); or none.
 */
export function generateThreadLocation(
  moduleUrl: string | undefined = import.meta.url,
): GenerateThreadLocation | undefined {
  if (typeof moduleUrl !== "string" || !moduleUrl.startsWith("file:")) return undefined;
  if (moduleUrl.endsWith(".ts")) {
    const url = new URL("./generate-worker.ts", moduleUrl);
    const tsxApi = existsSync(fileURLToPath(url)) ? tsxEsmApi(moduleUrl) : undefined;
    return tsxApi ? { url, tsxApi } : undefined;
  }
  for (const name of ["./generate-worker.js", "./generate-worker.cjs"]) {
    const url = new URL(name, moduleUrl);
    if (existsSync(fileURLToPath(url))) return { url };
  }
  return undefined;
}

/** tsx's ESM register API (its package's `./esm/api` import export), found from `moduleUrl`; or undefined. */
function tsxEsmApi(moduleUrl: string): string | undefined {
  try {
    const manifest = createRequire(moduleUrl).resolve("tsx/package.json");
    const exports = (JSON.parse(readFileSync(manifest, "utf8")) as { exports?: Record<string, unknown> }).exports;
    const api = (exports?.["./esm/api"] as { import?: { default?: string } } | undefined)?.import?.default;
    return api ? pathToFileURL(join(dirname(manifest), api)).href : undefined;
  } catch {
    return undefined;
  }
}

/** A thread error as the EdgeError it was (another error becomes a `run/failed` one). */
function rebuild(error: ThreadError, modelPath: string): EdgeError {
  return new EdgeError(error.code ?? "run/failed", error.message, error.where ?? { file: modelPath }, error.hint);
}

export class GenerateThread {
  private readonly listeners = new Set<(message: FromGenerateThread) => void>();
  private gone: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly init: GenerateThreadInit,
  ) {
    worker.on("message", (message: FromGenerateThread) => {
      for (const listener of [...this.listeners]) listener(message);
    });
    const end = (why: Error) => {
      this.gone ??= why;
      for (const listener of [...this.listeners]) listener({ type: "closed" });
    };
    worker.on("error", (e) => end(e));
    worker.on("exit", (code) => end(new Error(`the generation thread exited (code ${code})`)));
  }

  /**
   * Starts the thread and waits for its session; its creation time as onnxruntime measured it in the thread.
   * Throws `run/failed` when onnxruntime cannot make the session or the thread does not start.
   */
  static async start(
    init: GenerateThreadInit,
    location: GenerateThreadLocation,
  ): Promise<{ thread: GenerateThread; creationMs: number }> {
    const worker = location.tsxApi
      ? // `--import tsx` in a worker's execArgv does not reach its loader: tsx is registered inside the thread.
        new Worker(
          `import(${JSON.stringify(location.tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(String(location.url))}); });`,
          { eval: true, workerData: init },
        )
      : new Worker(location.url, { workerData: init });
    const thread = new GenerateThread(worker, init);
    const first = await thread.next((m) => m.type === "session" || m.type === "session-failed");
    if (first.type === "session") return { thread, creationMs: first.creationMs };
    await worker.terminate();
    const why = first.type === "session-failed" ? first.message : (thread.gone?.message ?? "it stopped");
    throw new EdgeError("run/failed", `onnxruntime could not create a session for ${init.modelPath}: ${why}`, {
      file: init.modelPath,
    });
  }

  /** The next message that `wanted` accepts, or `closed` when the thread ends first. */
  private next(wanted: (m: FromGenerateThread) => boolean): Promise<FromGenerateThread> {
    return new Promise((resolve) => {
      if (this.gone) return resolve({ type: "closed" });
      const listener = (m: FromGenerateThread) => {
        if (m.type !== "closed" && !wanted(m)) return;
        this.listeners.delete(listener);
        resolve(m);
      };
      this.listeners.add(listener);
    });
  }

  private send(message: ToGenerateThread): void {
    if (!this.gone) this.worker.postMessage(message);
  }

  /**
   * Runs the generations in the thread (generate.ts's runGenerations) and fills `result` with them; the peak RSS
   * the thread saw. The thread's events go to `sink` as they arrive; `signal` stops it between steps. Throws the
   * loop's error, with the generations done before it in `result`.
   */
  async generate(sink: EventSink, result: GenerationResult, signal?: AbortSignal): Promise<number> {
    const forward = (m: FromGenerateThread) => {
      if (m.type === "events") for (const event of m.events) sink.emit(event);
    };
    this.listeners.add(forward);
    const onAbort = () => this.send({ type: "stop" });
    signal?.addEventListener("abort", onAbort);
    try {
      if (signal?.aborted) onAbort();
      this.send({ type: "generate" });
      const end = await this.next((m) => m.type === "done" || m.type === "failed");
      if (end.type !== "done" && end.type !== "failed")
        throw new EdgeError("run/failed", `the generation stopped: ${this.gone?.message ?? "its thread ended"}`, {
          file: this.init.modelPath,
        });
      result.warmup = end.result.warmup;
      result.runs.push(...end.result.runs);
      if (end.type === "failed") throw rebuild(end.error, this.init.modelPath);
      return end.peakRssBytes;
    } finally {
      this.listeners.delete(forward);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Releases the session and ends the thread (terminated if it does not end within a few seconds). */
  async close(): Promise<void> {
    if (this.gone) return;
    const closed = this.next((m) => m.type === "closed");
    this.send({ type: "close" });
    const timer = setTimeout(() => void this.worker.terminate(), 5_000);
    await closed;
    clearTimeout(timer);
    await this.worker.terminate();
  }
}

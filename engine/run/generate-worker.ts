// The generation thread: a worker_threads Worker that owns the onnxruntime session of a generation benchmark and
// runs the engine's loop (generate.ts) on it, so that the cache copies onnxruntime-node hands back every decode step
// (megabytes a step, garbage a step later) are collected in this thread's small heap and not in the run's, whose
// collections cost more the more the process holds (the CLI's code, the recipe, the model's graph). Built as its
// own entry (dist/engine/generate-worker.js, and dist/device-runner-generate-worker.cjs for the device runner's
// bundle) and started by generate-thread.ts; the protocol is in generate-thread-protocol.ts.
import { parentPort, workerData } from "node:worker_threads";
import type { GenerationResult } from "../../common/generation";
import { isEdgeError } from "../errors";
import type { EventInput } from "../events";
import { runGenerations } from "./generate";
import type { FromGenerateThread, GenerateThreadInit, ThreadError, ToGenerateThread } from "./generate-thread-protocol";
import { type OrtSession, loadOrt } from "./ort";

const port = parentPort;
if (!port) throw new Error("generate-worker: run me as a worker thread");
const init = workerData as GenerateThreadInit;
const post = (message: FromGenerateThread) => port.postMessage(message);
const stop = new AbortController();
let session: OrtSession | undefined;
let peakRssBytes = 0;
const sampleRss = () => {
  const rss = process.memoryUsage.rss();
  if (rss > peakRssBytes) peakRssBytes = rss;
  return rss;
};

/**
 * The loop's events, posted in batches: at most every FLUSH_MS, a step's start and end at once. A message per token
 * would wake the run's thread every step, which on a small model costs more than the step.
 */
const FLUSH_MS = 50;
const events = {
  queue: [] as EventInput[],
  lastFlushMs: performance.now(),
  push(event: EventInput): void {
    this.queue.push(event);
    if (event.type.startsWith("step/") || performance.now() - this.lastFlushMs >= FLUSH_MS) this.flush();
  },
  flush(): void {
    this.lastFlushMs = performance.now();
    if (this.queue.length === 0) return;
    post({ type: "events", events: this.queue });
    this.queue = [];
  },
};

function threadError(e: unknown): ThreadError {
  if (isEdgeError(e)) return { code: e.code, message: e.message, where: e.where, hint: e.hint };
  return { message: e instanceof Error ? e.message : String(e) };
}

async function generate(): Promise<void> {
  const ort = await loadOrt();
  const result: GenerationResult = { warmup: null, runs: [] };
  try {
    await runGenerations(
      {
        ort,
        session: session!,
        io: init.io,
        plan: init.plan,
        seed: init.seed,
        vocabSize: init.vocabSize,
        sink: { emit: (event: EventInput) => events.push(event) },
        signal: stop.signal,
        sampleRss,
        modelPath: init.modelPath,
      },
      result,
    );
    events.flush();
    post({ type: "done", result, peakRssBytes });
  } catch (e) {
    events.flush();
    post({ type: "failed", error: threadError(e), result, peakRssBytes });
  }
}

port.on("message", (message: ToGenerateThread) => {
  if (message.type === "generate") void generate();
  else if (message.type === "stop") stop.abort();
  else if (message.type === "close")
    void (async () => {
      await session?.release();
      session = undefined;
      post({ type: "closed" });
      port.close();
    })();
});

/** Makes the session (no top-level await: the device runner's copy of this thread is CommonJS). */
async function open(): Promise<void> {
  const ort = await loadOrt();
  const started = performance.now();
  try {
    session = await ort.InferenceSession.create(init.modelPath, init.ortOptions);
    sampleRss();
    post({ type: "session", creationMs: performance.now() - started });
  } catch (e) {
    post({ type: "session-failed", message: e instanceof Error ? e.message : String(e) });
  }
}

void open();

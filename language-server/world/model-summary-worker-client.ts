// The server's side of the model-summary worker: starts the worker thread on first use and gives it one read at a
// time from its own queue, keeping the process alive only while reads are pending. A read is never left to run
// unbounded: one that takes longer than `timeoutMs` or is cancelled (its caller's AbortSignal: the file changed,
// nobody needs it any more) terminates the worker, and the next read starts a new one; a crash or an out-of-memory
// worker (its heap is capped) does the same. Every read resolves with a result, never a rejection.
import { Worker } from "node:worker_threads";
import type { ModelSummaryResult } from "./world-host";
import type { SummarizeRequestToWorker, SummarizeResponseFromWorker } from "./model-summary-protocol";

export interface SummaryWorkerLocation {
  /** The worker's script: dist/language-server/model-summary-worker.js in the bundle. */
  url: URL | string;
  /** Node flags for the worker. */
  execArgv?: string[];
  /** Run a `.ts` worker through tsx (tests, and the server run from source). */
  tsx?: boolean;
}

export interface SummaryWorkerOptions {
  /** A read taking longer than this is stopped and reported (default 30 s). */
  timeoutMs?: number;
  /** The worker's JavaScript heap limit (default 1024 MB): a model that needs more fails, the server stays. */
  maxHeapMb?: number;
}

/** The worker next to this module: the .ts file under tsx (tests), the .js file in the esbuild bundle. */
export function defaultSummaryWorker(): SummaryWorkerLocation {
  const here = import.meta.url;
  if (/\.ts$/.test(here)) return { url: new URL("./model-summary-worker.ts", here), tsx: true };
  return { url: new URL("./model-summary-worker.js", here) };
}

/** The code of a result that did not come from reading the model (stopped, timed out, crashed). */
const STOPPED = "internal/bug";

interface Read {
  id: number;
  path: string;
  resolve: (result: ModelSummaryResult) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class ModelSummaryWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly queue: Read[] = [];
  private current: { read: Read; timer: NodeJS.Timeout } | undefined;
  private disposed = false;
  private readonly timeoutMs: number;
  private readonly maxHeapMb: number;
  /** Workers asked to stop that have not stopped yet (a thread stuck in a system call cannot be stopped). */
  private stopping = 0;

  constructor(
    private readonly location: SummaryWorkerLocation = defaultSummaryWorker(),
    options: SummaryWorkerOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxHeapMb = options.maxHeapMb ?? 1024;
  }

  /** Whether a read is running or waiting. */
  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  /** Whether a worker was told to stop and has not: ending the process may then need to be forced. */
  get stuck(): boolean {
    return this.stopping > 0;
  }

  /** Summarizes the model at `path`; an aborted `signal` stops the read (the result then says so). */
  summarize(path: string, signal?: AbortSignal): Promise<ModelSummaryResult> {
    return new Promise((resolve) => {
      if (this.disposed) return resolve(stopped("the model reader was stopped"));
      if (signal?.aborted) return resolve(stopped("the model read was cancelled"));
      const read: Read = { id: this.nextId++, path, resolve, signal };
      if (signal) {
        read.onAbort = () => this.cancel(read, "the model read was cancelled");
        signal.addEventListener("abort", read.onAbort, { once: true });
      }
      this.queue.push(read);
      this.pump();
    });
  }

  /** Stops the worker; pending reads get an error result. Resolves when it stopped, or after `waitMs` at most. */
  async dispose(waitMs = 1000): Promise<void> {
    this.disposed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (this.current) this.finish(this.current.read, stopped("the model reader was stopped"));
    for (const read of this.queue.splice(0)) this.finish(read, stopped("the model reader was stopped"));
    if (worker) await this.stop(worker, waitMs);
  }

  private pump(): void {
    if (this.current || this.disposed) return;
    const read = this.queue.shift();
    if (!read) {
      this.worker?.unref();
      return;
    }
    const worker = this.start();
    worker.ref();
    const timer = setTimeout(() => {
      const seconds = Number((this.timeoutMs / 1000).toFixed(1));
      this.cancel(read, `reading the model took longer than ${seconds} s; the editor stopped reading it`);
    }, this.timeoutMs);
    this.current = { read, timer };
    const request: SummarizeRequestToWorker = { id: read.id, path: read.path };
    worker.postMessage(request);
  }

  /** Ends a read with `message`: dropped from the queue, or its worker terminated when it is running. */
  private cancel(read: Read, message: string): void {
    const queued = this.queue.indexOf(read);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.finish(read, stopped(message));
      return;
    }
    if (this.current?.read !== read) return;
    this.finish(read, stopped(message));
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void this.stop(worker, 5000);
    this.pump();
  }

  private finish(read: Read, result: ModelSummaryResult): void {
    if (this.current?.read === read) {
      clearTimeout(this.current.timer);
      this.current = undefined;
    }
    if (read.onAbort) read.signal?.removeEventListener("abort", read.onAbort);
    read.resolve(result);
  }

  private async stop(worker: Worker, waitMs: number): Promise<void> {
    this.stopping++;
    let timer: NodeJS.Timeout | undefined;
    const stopped = worker.terminate().then(
      () => void this.stopping--,
      () => void this.stopping--,
    );
    await Promise.race([stopped, new Promise((r) => (timer = setTimeout(r, waitMs).unref()))]);
    clearTimeout(timer);
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const options = { execArgv: this.location.execArgv, resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } };
    const worker = this.location.tsx
      ? // `--import tsx` in a worker's execArgv does not reach its loader: register tsx inside the worker instead.
        new Worker(
          `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(String(this.location.url))}); });`,
          { ...options, eval: true },
        )
      : new Worker(this.location.url, options);
    worker.unref();
    worker.on("message", (response: SummarizeResponseFromWorker) => {
      if (this.worker !== worker || this.current?.read.id !== response.id) return;
      this.finish(this.current.read, response.result);
      this.pump();
    });
    const gone = (message: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.current) this.finish(this.current.read, stopped(message));
      this.pump();
    };
    worker.on("error", (error) => gone(`the model reader crashed: ${error.message}`));
    worker.on("exit", (code) => gone(`the model reader stopped (exit code ${code})`));
    this.worker = worker;
    return worker;
  }
}

function stopped(message: string): ModelSummaryResult {
  return { ok: false, error: { code: STOPPED, message } };
}

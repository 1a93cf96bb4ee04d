// The server's side of the model-summary worker: starts the worker thread on first use, matches answers to
// requests by id, keeps the process alive only while requests are pending, and starts a new worker after a crash
// (the pending requests then get an error result, never a rejection).
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

/** The worker next to this module: the .ts file under tsx (tests), the .js file in the esbuild bundle. */
export function defaultSummaryWorker(): SummaryWorkerLocation {
  const here = import.meta.url;
  if (/\.ts$/.test(here)) return { url: new URL("./model-summary-worker.ts", here), tsx: true };
  return { url: new URL("./model-summary-worker.js", here) };
}

export class ModelSummaryWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (result: ModelSummaryResult) => void>();

  constructor(private readonly location: SummaryWorkerLocation = defaultSummaryWorker()) {}

  summarize(path: string): Promise<ModelSummaryResult> {
    return new Promise((resolve) => {
      const worker = this.start();
      const id = this.nextId++;
      this.pending.set(id, resolve);
      worker.ref();
      const request: SummarizeRequestToWorker = { id, path };
      worker.postMessage(request);
    });
  }

  /** Stops the worker; pending requests get an error result. */
  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failPending("the model reader was stopped");
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = this.location.tsx
      ? // `--import tsx` in a worker's execArgv does not reach its loader: register tsx inside the worker instead.
        new Worker(
          `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(String(this.location.url))}); });`,
          {
            eval: true,
            execArgv: this.location.execArgv,
          },
        )
      : new Worker(this.location.url, { execArgv: this.location.execArgv });
    worker.unref();
    worker.on("message", (response: SummarizeResponseFromWorker) => {
      const resolve = this.pending.get(response.id);
      this.pending.delete(response.id);
      if (this.pending.size === 0) worker.unref();
      resolve?.(response.result);
    });
    worker.on("error", (error) => {
      if (this.worker === worker) this.worker = undefined;
      this.failPending(`the model reader crashed: ${error.message}`);
    });
    worker.on("exit", (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.failPending(`the model reader stopped (exit code ${code})`);
    });
    this.worker = worker;
    return worker;
  }

  private failPending(message: string): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const resolve of waiting) resolve({ ok: false, error: { code: "internal/bug", message } });
  }
}

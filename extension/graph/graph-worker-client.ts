// The host's side of one graph worker thread (graph-worker.ts): started on first use, requests matched to answers by
// id, a crash or an out-of-memory worker (its heap is capped) failing the pending requests and leaving the next
// request to start a fresh thread, and `terminate` when the document's last editor closes. No vscode import.
import { Worker } from "node:worker_threads";
import type { GraphOpenError } from "../../webviews/protocol/graph";
import type { GraphWorkerCalls, GraphWorkerMethod, GraphWorkerResponse } from "./graph-worker-protocol";

export interface GraphWorkerLocation {
  /** The worker's script: dist/extension/graph-worker.cjs in the extension. */
  script: string | URL;
  /** Run a `.ts` worker through tsx: the URL of `tsx/esm/api` (tests resolve it; the extension never sets it). */
  tsxApi?: string;
}

/** A request that failed: the engine's error (or why the worker could not answer). */
export class GraphWorkerError extends Error {
  constructor(readonly error: GraphOpenError) {
    super(error.message);
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: GraphWorkerError): void;
}

export class GraphWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private terminated = false;

  constructor(
    private readonly location: GraphWorkerLocation,
    private readonly maxHeapMb = 4096,
  ) {}

  /** Whether a worker thread is running now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  request<M extends GraphWorkerMethod>(
    method: M,
    params: GraphWorkerCalls[M]["params"],
  ): Promise<GraphWorkerCalls[M]["result"]> {
    if (this.terminated)
      return Promise.reject(new GraphWorkerError({ code: "internal/bug", message: "the model reader was stopped" }));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      worker.postMessage({ id, method, params });
    });
  }

  /** Stops the thread; pending requests fail. Resolves when it stopped. */
  async terminate(): Promise<void> {
    this.terminated = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failPending("the model reader was stopped");
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const options = { resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } };
    const worker = this.location.tsxApi
      ? // `--import tsx` in a worker's execArgv does not reach its loader: register tsx inside the worker instead.
        new Worker(
          `import(${JSON.stringify(this.location.tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(String(this.location.script))}); });`,
          { ...options, eval: true },
        )
      : new Worker(this.location.script, options);
    worker.on("message", (response: GraphWorkerResponse) => {
      const pending = this.pending.get(response.id);
      if (!pending || this.worker !== worker) return;
      this.pending.delete(response.id);
      if (response.ok) pending.resolve(response.result);
      else pending.reject(new GraphWorkerError(response.error));
    });
    const gone = (message: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failPending(message);
    };
    worker.on("error", (error) => gone(`the model reader crashed: ${error.message}`));
    worker.on("exit", (code) => gone(`the model reader stopped (exit code ${code})`));
    this.worker = worker;
    return worker;
  }

  private failPending(message: string): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new GraphWorkerError({ code: "internal/bug", message }));
  }
}

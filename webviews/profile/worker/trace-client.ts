// The UI side of the trace worker: starts it from a Blob of its bundled text (a VS Code webview may not start a
// Worker from a resource URL; the page's CSP allows `worker-src blob:`, as for the graph viewer), forwards the host's
// chunks (transferred, not copied) and live kernels, and turns queries into promises.
import type { KernelEvent } from "../../../common/events";
import type { TraceSlot } from "../../protocol/profile";
import type { TraceOverview } from "../model/trace-views";
import type { FromWorker, Queries, QueryKind, ToWorker } from "./messages";

/** The worker bundle's text, put in by scripts/build.mjs (esbuild `define`). */
declare const PROFILE_TRACE_WORKER_SOURCE: string;

export interface TraceEvents {
  progress(slot: TraceSlot, bytes: number, events: number): void;
  /** The worker has read `bytes` bytes of the slot's current stream. */
  consumed?(slot: TraceSlot, bytes: number): void;
  ready(slot: TraceSlot, overview: TraceOverview, version: number): void;
  failed(slot: TraceSlot, message: string): void;
}

export class TraceClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: unknown): void; reject(e: Error): void }>();

  constructor(private readonly events: TraceEvents) {
    const url = URL.createObjectURL(new Blob([PROFILE_TRACE_WORKER_SOURCE], { type: "text/javascript" }));
    this.worker = new Worker(url);
    URL.revokeObjectURL(url);
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
    this.worker.onerror = (event) => {
      for (const p of this.pending.values()) p.reject(new Error(event.message || "the trace worker failed"));
      this.pending.clear();
    };
  }

  chunk(slot: TraceSlot, bytes: Uint8Array): void {
    // A chunk's buffer may be shared with other views (a structured clone's is not): copy only then.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    this.send({ type: "chunk", slot, bytes: own }, [own.buffer as ArrayBuffer]);
  }

  end(slot: TraceSlot, error?: string): void {
    this.send({ type: "end", slot, error });
  }

  reset(slot: TraceSlot): void {
    this.send({ type: "reset", slot });
  }

  live(iteration: number, kernels: KernelEvent[]): void {
    this.send({ type: "live", iteration, kernels });
  }

  query<K extends QueryKind>(kind: K, params: Queries[K]["params"]): Promise<Queries[K]["result"]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.send({ type: "query", id, kind, params });
    });
  }

  dispose(): void {
    this.worker.terminate();
  }

  private send(message: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private receive(m: FromWorker): void {
    if (m.type === "progress") return this.events.progress(m.slot, m.bytes, m.events);
    if (m.type === "consumed") return this.events.consumed?.(m.slot, m.bytes);
    if (m.type === "ready") return this.events.ready(m.slot, m.overview, m.version);
    if (m.type === "failed") return this.events.failed(m.slot, m.message);
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === "error") p.reject(new Error(m.message));
    else p.resolve(m.result);
  }
}

// The messages between the profile viewer and its trace worker (trace-worker.ts). Bytes and live kernels flow in;
// the worker answers queries (`id`-matched) about the model it built, and reports reading progress and readiness.
import type { KernelEvent } from "../../../common/events";
import type { TraceSlot } from "../../protocol/profile";
import type {
  CompareTables,
  RangeSummary,
  SliceInfo,
  TimelineWindow,
  TraceOverview,
  TraceTables,
} from "../model/trace-views";

/** The queries and their answers. */
export interface Queries {
  window: { params: { slot: TraceSlot; startUs: number; endUs: number; usPerPx: number }; result: TimelineWindow };
  slice: { params: { slot: TraceSlot; index: number }; result: SliceInfo | undefined };
  /** The tables without the first `skipRuns` model_runs (warm-up; clamped to the trace's runs). */
  tables: { params: { slot: TraceSlot; skipRuns: number }; result: TraceTables };
  /** Each trace without its own warm-up runs. */
  compare: { params: { skipRuns: Record<TraceSlot, number> }; result: CompareTables | undefined };
  range: { params: { slot: TraceSlot; startUs: number; endUs: number }; result: RangeSummary };
  nodeKernels: { params: { slot: TraceSlot; node: string }; result: number[] };
  /** The slice starting at `startUs` on `track` named `name` (a restored selection). */
  findSlice: { params: { slot: TraceSlot; track: number; startUs: number; name: string }; result: number };
}
export type QueryKind = keyof Queries;

export type ToWorker =
  | { type: "chunk"; slot: TraceSlot; bytes: Uint8Array }
  | { type: "end"; slot: TraceSlot; error?: string }
  /** Start the slot again (a live run's final file replaces its kernels once indexed). */
  | { type: "reset"; slot: TraceSlot }
  | { type: "live"; iteration: number; kernels: KernelEvent[] }
  | { type: "query"; id: number; kind: QueryKind; params: unknown };

export type FromWorker =
  | { type: "progress"; slot: TraceSlot; bytes: number; events: number }
  /** After every chunk: the bytes of the slot's current stream read so far (the host's flow control). */
  | { type: "consumed"; slot: TraceSlot; bytes: number }
  | { type: "ready"; slot: TraceSlot; overview: TraceOverview; version: number }
  /** Nothing could be read: not JSON, or JSON that is not a trace. */
  | { type: "failed"; slot: TraceSlot; message: string }
  | { type: "reply"; id: number; result: unknown }
  | { type: "error"; id: number; message: string };

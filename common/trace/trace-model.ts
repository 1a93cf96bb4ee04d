// The profile viewer's model of a Chrome trace: what the streaming parser's events become once indexed, in a form a
// Web Worker, the extension host and `edge profile` share. Columnar (typed arrays, one column per field, slice i is
// column i) so a 3 M-event trace stays far below its file's size in memory and crosses postMessage as transferables.
// The builder (trace-index.ts) fills it; the queries (level-of-detail windows, tables, compare) read it. Times are µs.

/** A track: the slices of one thread of one process, drawn as one row group in the timeline. */
export interface TraceTrack {
  /** Index in `TraceModel.tracks`. */
  id: number;
  pid: number | string;
  tid: number | string;
  /** From `M` events (process_name / thread_name), else "pid N" / "tid N". */
  processName: string;
  threadName: string;
  /** Nesting levels on this track (1 + the deepest slice's depth). */
  depthCount: number;
  /** Slices on this track, in `TraceSlices` order: [first, first + count). */
  first: number;
  count: number;
}

/** What a slice is in onnxruntime's terms (others are "other"). */
export const SLICE_KIND = {
  other: 0,
  /** A `Session` event: model_loading, session_initialization. */
  session: 1,
  /** A `Session` event named model_run: one inference. */
  run: 2,
  /** A `Node` event: one kernel of one node. */
  kernel: 3,
} as const;
export type SliceKind = (typeof SLICE_KIND)[keyof typeof SLICE_KIND];

/**
 * Every slice (X events, and B/E pairs matched per track), sorted by track, then start, then longer first (so a
 * parent precedes its children). Column arrays of length `count`.
 */
export interface TraceSlices {
  count: number;
  startUs: Float64Array;
  durationUs: Float64Array;
  /** Index into `TraceModel.strings`: the event's name (for kernels the node name, without "_kernel_time"). */
  name: Int32Array;
  /** Index into `strings`: the category, or -1. */
  category: Int32Array;
  track: Int32Array;
  /** Nesting depth on its track (0 = top). */
  depth: Uint16Array;
  /** A SliceKind. */
  kind: Uint8Array;
  /** Kernels: index into `strings` of the op type (args.op_name), else -1. */
  opType: Int32Array;
  /** Kernels: index into `strings` of the provider (args.provider), else -1. */
  provider: Int32Array;
  /** The model_run (index into `TraceModel.runs`) a slice falls in, or -1. */
  run: Int32Array;
  /**
   * The event's byte offset in the trace file (its `{`), so its whole `args` can be read again on demand without
   * keeping every args object; -1 when unknown (live events).
   */
  byteOffset: Float64Array;
}

/** An instant's scope (its `s`): its thread (the default), its process, or the whole trace. */
export const INSTANT_SCOPE = { thread: 0, process: 1, global: 2 } as const;

/** Instant (`i`/`I`) events. */
export interface TraceInstants {
  count: number;
  timeUs: Float64Array;
  name: Int32Array;
  track: Int32Array;
  /** INSTANT_SCOPE per instant (absent: every one on its thread). */
  scope?: Uint8Array;
}

/** One counter series (`C` events of one name on one process): its samples in time order. */
export interface TraceCounter {
  name: string;
  pid: number | string;
  /** Series key inside args (a `C` event may carry several). */
  series: string;
  timeUs: Float64Array;
  value: Float64Array;
}

/** One inference (an onnxruntime `model_run` slice). */
export interface TraceRun {
  /** Index of its slice. */
  slice: number;
  startUs: number;
  durationUs: number;
  /** Kernel time inside it. */
  kernelUs: number;
  kernels: number;
}

/** What the reader could not take, said once per kind (shown by the viewer and `edge profile`). */
export interface TraceReadNotes {
  /** Events per phase, including the ones skipped. */
  phaseCounts: Record<string, number>;
  /** Events of phases the viewer does not draw (flow, async, object, …), skipped. */
  skipped: number;
  /** B without E (closed at the trace's end) and E without B (dropped). */
  unmatchedBegins: number;
  unmatchedEnds: number;
  /** The file ended before the trace was closed: everything up to `byteLength` was read. */
  truncated: boolean;
  /** A syntax error stopped the read: what and where (byte offset); the events before it are kept. */
  error?: { message: string; offset: number; line: number };
  byteLength: number;
  eventCount: number;
}

export interface TraceModel {
  /** Interned strings (names, categories, op types, providers). */
  strings: string[];
  tracks: TraceTrack[];
  slices: TraceSlices;
  instants: TraceInstants;
  counters: TraceCounter[];
  /** model_run slices in start order; warm-up runs included (the trace cannot tell them apart by itself). */
  runs: TraceRun[];
  /** The earliest and latest time of any event. */
  startUs: number;
  endUs: number;
  notes: TraceReadNotes;
}

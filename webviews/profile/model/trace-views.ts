// What the profile viewer's worker sends its UI thread: views of a TraceModel (common/trace/trace-model.ts) small
// enough to cross postMessage often. The UI never holds the whole model: it asks for windows, tables and slices.
import type { TraceReadNotes, TraceTrack } from "../../../common/trace/trace-model";
import type { CompareRow, IterationRow, KernelGroupRow } from "../../../common/trace/trace-tables";
import type { CounterMarks, CounterSummary, InstantMarks } from "../worker/marks-window";

export type { CounterMarks, CounterSummary, InstantMarks };

/** What the UI needs to lay out the timeline once a trace is indexed. */
export interface TraceOverview {
  tracks: TraceTrack[];
  startUs: number;
  endUs: number;
  sliceCount: number;
  runCount: number;
  notes: TraceReadNotes;
  /** The model holds a live run's kernels (no file yet). */
  live: boolean;
  /** Counter series (`C` events), each drawn as a step track under its process. */
  counters: CounterSummary[];
  /** Tracks with instants (−1: global-scope ones, drawn across the top). */
  instantTracks: number[];
}

/** One track's rectangles in a time window, level of detail applied (merged runs of tiny slices: slice −1). */
export interface WindowRects {
  track: number;
  count: number;
  startUs: Float64Array;
  endUs: Float64Array;
  depth: Uint16Array;
  /** The slice drawn, or −1 for a merged rectangle. */
  slice: Int32Array;
  /** How many slices the rectangle stands for. */
  merged: Int32Array;
  /** Palette index (view/slice-colours.ts's colourIndex of the op type for kernels, else of the name). */
  colour: Uint8Array;
  /** The name of each rectangle that stands for one slice ("" for merged ones), for labels. */
  names: string[];
}

/** A window of every track, as fetched (padded around the view) at a resolution of `usPerPx`. */
export interface TimelineWindow {
  startUs: number;
  endUs: number;
  usPerPx: number;
  /** The model's version it was cut from (live data grows it). */
  version: number;
  tracks: WindowRects[];
  /** Instant ticks per track with instants (track −1: global ones). */
  instants: InstantMarks[];
  counters: CounterMarks[];
}

/** One slice's facts (hover, selection); `args` come later from the event's text (EventTextRequest). */
export interface SliceInfo {
  index: number;
  name: string;
  category?: string;
  kind: number;
  track: number;
  depth: number;
  startUs: number;
  durationUs: number;
  opType?: string;
  provider?: string;
  run: number;
  byteOffset: number;
}

/** Tables, compare and range summaries are common/trace's own rows (trace-tables.ts, trace-window.ts). */
export type { CompareRow, IterationRow, KernelGroupRow as StatRow } from "../../../common/trace/trace-tables";
export type { RangeRow, RangeSummary } from "../../../common/trace/trace-window";

export interface TraceTables {
  kernelTotalUs: number;
  /** model_runs in the trace, and the warm-up runs at its start left out of the tables (marked in `iterations`). */
  runs: number;
  skipRuns: number;
  ops: KernelGroupRow[];
  nodes: KernelGroupRow[];
  iterations: IterationRow[];
}

export interface CompareTables {
  ops: CompareRow[];
  nodes: CompareRow[];
  /** The runs measured on each side (before, after), warm-ups left out. */
  runs: [number, number];
}

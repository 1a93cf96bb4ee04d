// Where each track and depth row sits on the timeline (pure): global-scope instants in a row under the axis, then a
// header line per track (process / thread; its instants are ticks in it), then one row per nesting level, and after
// a process's last track its counter series, a step track each. ORT's session events sit at depth 0 and the node
// kernels stack under each model_run.
import type { TraceTrack } from "../../../common/trace/trace-model";
import type { CounterSummary } from "../model/trace-views";

export const AXIS_PX = 22;
export const HEADER_PX = 18;
export const ROW_PX = 18;
export const COUNTER_PX = 30;
/** The instants' track of global-scope instants (marks-window.ts's GLOBAL_TRACK). */
const GLOBAL = -1;

export interface TrackRows {
  track: number;
  label: string;
  /** y of the header (content space: before vertical scroll, below the axis). */
  headerY: number;
  /** y of depth row 0. */
  rowsY: number;
  depthCount: number;
}

export interface CounterRows {
  /** Index in the model's counters. */
  counter: number;
  label: string;
  y: number;
}

export interface TrackLayout {
  tracks: TrackRows[];
  heightPx: number;
  /** The row of global-scope instants, when the trace has any. */
  globalY?: number;
  counters: CounterRows[];
}

/** What else the timeline draws besides slices: counter series and the tracks that hold instants. */
export interface TrackMarks {
  counters?: readonly CounterSummary[];
  instantTracks?: readonly number[];
}

export function layoutTracks(tracks: readonly TraceTrack[], marks: TrackMarks = {}): TrackLayout {
  let y = AXIS_PX;
  const withInstants = new Set(marks.instantTracks ?? []);
  const globalY = withInstants.has(GLOBAL) ? y : undefined;
  if (globalY !== undefined) y += ROW_PX + 4;
  const out: TrackRows[] = [];
  const counters: CounterRows[] = [];
  const pending = [...(marks.counters ?? [])];
  const placeCounters = (pid: number | string | undefined) => {
    for (let k = 0; k < pending.length;) {
      const c = pending[k];
      if (pid !== undefined && c.pid !== pid) {
        k++;
        continue;
      }
      pending.splice(k, 1);
      counters.push({ counter: c.counter, label: c.series === "value" ? c.name : `${c.name} · ${c.series}`, y });
      y += COUNTER_PX + 4;
    }
  };
  const shown = tracks.filter((t) => t.count > 0 || withInstants.has(t.id));
  shown.forEach((t, k) => {
    const depthCount = Math.max(1, t.depthCount);
    out.push({
      track: t.id,
      label: `${t.processName} · ${t.threadName}`,
      headerY: y,
      rowsY: y + HEADER_PX,
      depthCount,
    });
    y += HEADER_PX + depthCount * ROW_PX + 4;
    if (shown[k + 1]?.pid !== t.pid) placeCounters(t.pid);
  });
  placeCounters(undefined);
  return { tracks: out, heightPx: y, ...(globalY !== undefined ? { globalY } : {}), counters };
}

/** What mark row is under content-space y: the global instants, a track's header (its instants), or a counter. */
export function markRowAt(
  layout: TrackLayout,
  y: number,
): { kind: "instants"; track: number } | { kind: "counter"; counter: number; y: number } | undefined {
  if (layout.globalY !== undefined && y >= layout.globalY && y < layout.globalY + ROW_PX)
    return { kind: "instants", track: GLOBAL };
  for (const t of layout.tracks) if (y >= t.headerY && y < t.rowsY) return { kind: "instants", track: t.track };
  for (const c of layout.counters)
    if (y >= c.y && y < c.y + COUNTER_PX) return { kind: "counter", counter: c.counter, y: c.y };
  return undefined;
}

/** The track and depth under content-space y, if any. */
export function rowAt(layout: TrackLayout, y: number): { track: number; depth: number } | undefined {
  for (const t of layout.tracks) {
    if (y < t.rowsY || y >= t.rowsY + t.depthCount * ROW_PX) continue;
    return { track: t.track, depth: Math.floor((y - t.rowsY) / ROW_PX) };
  }
  return undefined;
}

/** The rows of `track`, if it is laid out. */
export function rowsOf(layout: TrackLayout, track: number): TrackRows | undefined {
  return layout.tracks.find((t) => t.track === track);
}

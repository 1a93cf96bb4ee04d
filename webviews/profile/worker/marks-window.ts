// The timeline's marks, cut per window with the same level of detail as the slices (trace-window.ts): instants
// (`i`/`I`) as ticks on their thread's track (global-scope ones across the top, track −1), several in one pixel column
// merged into one tick that counts them; and counter series (`C`) as steps, a column with several samples reduced to
// its minimum, maximum and last value. The sample before the window is kept so a step starts at the window's left edge.
// Pure: runs in the worker over a TraceModel.
import { INSTANT_SCOPE, type TraceCounter, type TraceModel } from "../../../common/trace/trace-model";

/** The track of global-scope instants (drawn across the top). */
export const GLOBAL_TRACK = -1;

/** Instants by track (global ones under GLOBAL_TRACK), each list in time order: built once per model. */
export type InstantIndex = Map<number, Int32Array>;

export function indexInstants(model: TraceModel): InstantIndex {
  const { count, timeUs, track, scope } = model.instants;
  const lists = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const key = scope?.[i] === INSTANT_SCOPE.global ? GLOBAL_TRACK : track[i];
    let list = lists.get(key);
    if (!list) lists.set(key, (list = []));
    list.push(i);
  }
  const out: InstantIndex = new Map();
  for (const [key, list] of lists) out.set(key, Int32Array.from(list.sort((a, b) => timeUs[a] - timeUs[b] || a - b)));
  return out;
}

/** One track's instant ticks in a window: one per instant, or one per pixel column that holds several. */
export interface InstantMarks {
  track: number;
  count: number;
  timeUs: Float64Array;
  /** Instants the tick stands for (1: a single one). */
  merged: Int32Array;
  /** The first instant of the tick (index in `TraceModel.instants`). */
  first: Int32Array;
  /** Its name; for a merged tick, the first's name. */
  names: string[];
}

/** First index in `sorted` (of `times`) whose time is ≥ `t`. */
function lowerBound(sorted: ArrayLike<number>, times: ArrayLike<number>, t: number, byIndex: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((byIndex ? times[sorted[mid]] : sorted[mid]) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function instantWindow(
  model: TraceModel,
  index: InstantIndex,
  track: number,
  startUs: number,
  endUs: number,
  usPerPx: number,
): InstantMarks {
  const list = index.get(track) ?? new Int32Array(0);
  const times = model.instants.timeUs;
  const from = lowerBound(list, times, startUs, true);
  const to = lowerBound(list, times, endUs + 1e-9, true);
  const timeUs: number[] = [];
  const merged: number[] = [];
  const first: number[] = [];
  let column = Number.NaN;
  for (let k = from; k < to; k++) {
    const i = list[k];
    const c = Math.floor((times[i] - startUs) / usPerPx);
    if (c === column) {
      merged[merged.length - 1]++;
      continue;
    }
    column = c;
    timeUs.push(times[i]);
    merged.push(1);
    first.push(i);
  }
  return {
    track,
    count: timeUs.length,
    timeUs: Float64Array.from(timeUs),
    merged: Int32Array.from(merged),
    first: Int32Array.from(first),
    names: first.map((i) => model.strings[model.instants.name[i]] ?? ""),
  };
}

/** One counter series in a window: a step per sample, or per pixel column with several (min, max, last). */
export interface CounterMarks {
  /** Index in `TraceModel.counters`. */
  counter: number;
  count: number;
  timeUs: Float64Array;
  /** The value from this point on (the column's last sample). */
  value: Float64Array;
  min: Float64Array;
  max: Float64Array;
  /** Samples the point stands for. */
  merged: Int32Array;
}

export function counterWindow(
  c: TraceCounter,
  counter: number,
  startUs: number,
  endUs: number,
  usPerPx: number,
): CounterMarks {
  const times = c.timeUs;
  // The sample in force at the window's start, then every one inside it.
  const from = Math.max(0, lowerBound(times, times, startUs, false) - 1);
  const to = lowerBound(times, times, endUs + 1e-9, false);
  const out = {
    timeUs: [] as number[],
    value: [] as number[],
    min: [] as number[],
    max: [] as number[],
    n: [] as number[],
  };
  let column = Number.NaN;
  for (let k = from; k < to; k++) {
    const v = c.value[k];
    const col = Math.max(-1, Math.floor((times[k] - startUs) / usPerPx));
    const last = out.n.length - 1;
    if (col === column && last >= 0) {
      out.value[last] = v;
      out.min[last] = Math.min(out.min[last], v);
      out.max[last] = Math.max(out.max[last], v);
      out.n[last]++;
      continue;
    }
    column = col;
    out.timeUs.push(times[k]);
    out.value.push(v);
    out.min.push(v);
    out.max.push(v);
    out.n.push(1);
  }
  return {
    counter,
    count: out.n.length,
    timeUs: Float64Array.from(out.timeUs),
    value: Float64Array.from(out.value),
    min: Float64Array.from(out.min),
    max: Float64Array.from(out.max),
    merged: Int32Array.from(out.n),
  };
}

/** What the overview says of a counter series (the track it gets, its scale). */
export interface CounterSummary {
  counter: number;
  name: string;
  series: string;
  pid: number | string;
  samples: number;
  minValue: number;
  maxValue: number;
}

export function counterSummaries(model: TraceModel): CounterSummary[] {
  return model.counters.map((c, counter) => {
    let min = Infinity;
    let max = -Infinity;
    for (const v of c.value) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return {
      counter,
      name: c.name,
      series: c.series,
      pid: c.pid,
      samples: c.value.length,
      minValue: c.value.length > 0 ? min : 0,
      maxValue: c.value.length > 0 ? max : 0,
    };
  });
}

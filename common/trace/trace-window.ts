// Level-of-detail windows for the timeline: for one track, a time window and the shortest duration worth drawing
// (one pixel's worth of µs), the boxes to draw. Slices at least that long come one by one; runs of shorter ones merge
// into one box per pixel column. Per track and depth the slices are kept in start order with a running maximum of
// their ends and a max-tree of their durations, so a window is found by binary search, and inside it each pixel
// column of small slices costs a few more: a frame at full zoom-out on 1 M kernels touches about (pixel columns ×
// depths) slices, not 1 M.
// Also the range summary (what a selected time range holds, per op type). Pure TypeScript.
import type { TraceModel } from "./trace-model";
import { SLICE_KIND } from "./trace-model";

/**
 * One track's slices by depth: slice indices in start order, the running maximum of their ends, and a max-tree of
 * their durations (leaves from `leaves`) to find the next slice long enough to draw alone in O(log n).
 */
interface DepthIndex {
  slices: Int32Array;
  starts: Float64Array;
  maxEnds: Float64Array;
  leaves: number;
  maxDurations: Float64Array;
}

const indexes = new WeakMap<TraceModel, Map<number, DepthIndex[]>>();

/** The per-depth index of a track (built once per model and track, O(its slices)). */
export function depthIndex(model: TraceModel, track: number): DepthIndex[] {
  let perModel = indexes.get(model);
  if (!perModel) indexes.set(model, (perModel = new Map()));
  let index = perModel.get(track);
  if (index) return index;
  const t = model.tracks[track];
  const { depth, startUs, durationUs } = model.slices;
  const counts = new Int32Array(t.depthCount);
  for (let i = t.first; i < t.first + t.count; i++) counts[depth[i]]++;
  index = Array.from(counts, (n) => {
    let leaves = 1;
    while (leaves < n) leaves *= 2;
    return {
      slices: new Int32Array(n),
      starts: new Float64Array(n),
      maxEnds: new Float64Array(n),
      leaves,
      maxDurations: new Float64Array(2 * leaves),
    };
  });
  const filled = new Int32Array(t.depthCount);
  for (let i = t.first; i < t.first + t.count; i++) {
    const d = depth[i];
    const at = filled[d]++;
    const level = index[d];
    level.slices[at] = i;
    level.starts[at] = startUs[i];
    const end = startUs[i] + durationUs[i];
    level.maxEnds[at] = at > 0 ? Math.max(level.maxEnds[at - 1], end) : end;
    level.maxDurations[level.leaves + at] = durationUs[i];
  }
  for (const level of index) {
    const tree = level.maxDurations;
    for (let node = level.leaves - 1; node >= 1; node--) tree[node] = Math.max(tree[2 * node], tree[2 * node + 1]);
  }
  perModel.set(track, index);
  return index;
}

/** The first index in [lo, hi) whose value is > x (values ascending). */
function firstAbove(values: Float64Array, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first index in [lo, hi) whose value is ≥ x. */
function firstAtLeast(values: Float64Array, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first index in [lo, hi) of a slice at least `min` long, or hi. */
function firstLong(level: DepthIndex, lo: number, hi: number, min: number): number {
  const tree = level.maxDurations;
  const find = (node: number, from: number, to: number): number => {
    if (to <= lo || from >= hi || tree[node] < min) return hi;
    if (node >= level.leaves) return from;
    const mid = (from + to) >>> 1;
    const left = find(2 * node, from, mid);
    return left < hi ? left : find(2 * node + 1, mid, to);
  };
  return lo < hi ? find(1, 0, level.leaves) : hi;
}

/** What to draw for a track in a window: parallel arrays, one entry per box. */
export interface WindowBoxes {
  count: number;
  startUs: number[];
  endUs: number[];
  depth: number[];
  /** The slice a box is, or -1 for a merged box of `members` slices too small to see. */
  slice: number[];
  members: number[];
}

/**
 * The boxes of `track` that overlap [startUs, endUs], slices shorter than `minDurationUs` merged per column of that
 * width (columns counted from `startUs`).
 */
export function queryWindow(
  model: TraceModel,
  track: number,
  startUs: number,
  endUs: number,
  minDurationUs: number,
): WindowBoxes {
  const out: WindowBoxes = { count: 0, startUs: [], endUs: [], depth: [], slice: [], members: [] };
  const { durationUs } = model.slices;
  const column = minDurationUs > 0 ? minDurationUs : Number.MIN_VALUE;
  const levels = depthIndex(model, track);
  for (let d = 0; d < levels.length; d++) {
    const level = levels[d];
    const { slices, starts, maxEnds } = level;
    const n = slices.length;
    // The first slice that may reach into the window, and the first that starts after it.
    let k = firstAbove(maxEnds, startUs, 0, n);
    const stop = firstAbove(starts, endUs, k, n);
    while (k < stop) {
      const i = slices[k];
      if (durationUs[i] >= minDurationUs) {
        push(out, starts[k], starts[k] + durationUs[i], d, i, 1);
        k++;
        continue;
      }
      // A small slice: with the slices after it that start in the same column, one box.
      const col = Math.floor((starts[k] - startUs) / column);
      const colEnd = startUs + (col + 1) * column;
      const columnStop = Math.max(k + 1, firstAtLeast(starts, colEnd, k + 1, stop));
      const next = firstLong(level, k + 1, columnStop, minDurationUs);
      if (next === k + 1) push(out, starts[k], starts[k] + durationUs[i], d, i, 1);
      else push(out, starts[k], maxEnds[next - 1], d, -1, next - k);
      k = next;
    }
  }
  return out;
}

function push(out: WindowBoxes, start: number, end: number, depth: number, slice: number, members: number): void {
  out.startUs.push(start);
  out.endUs.push(end);
  out.depth.push(depth);
  out.slice.push(slice);
  out.members.push(members);
  out.count++;
}

/** What a selected time range holds: per op type (kernels) or name (other slices), time inside the range. */
export interface RangeRow {
  /** The op type for kernels, else the slice's name. */
  label: string;
  kernel: boolean;
  count: number;
  /** Time of these slices inside the range, µs. */
  totalUs: number;
}

export interface RangeSummary {
  startUs: number;
  endUs: number;
  sliceCount: number;
  kernelUs: number;
  rows: RangeRow[];
}

/** The slices of `tracks` (default all) overlapping [startUs, endUs], grouped; rows by time inside the range. */
export function rangeSummary(
  model: TraceModel,
  startUs: number,
  endUs: number,
  tracks: readonly number[] = model.tracks.map((t) => t.id),
): RangeSummary {
  const { durationUs, kind, opType, name, startUs: starts } = model.slices;
  const rows = new Map<string, RangeRow>();
  let sliceCount = 0;
  let kernelUs = 0;
  for (const track of tracks) {
    for (const level of depthIndex(model, track)) {
      const n = level.slices.length;
      const stop = firstAbove(level.starts, endUs, 0, n);
      for (let k = firstAbove(level.maxEnds, startUs, 0, n); k < stop; k++) {
        const i = level.slices[k];
        const inside = Math.min(endUs, starts[i] + durationUs[i]) - Math.max(startUs, starts[i]);
        if (inside < 0 || (inside === 0 && durationUs[i] > 0)) continue;
        const isKernel = kind[i] === SLICE_KIND.kernel;
        const label = isKernel ? (opType[i] >= 0 ? model.strings[opType[i]] : "?") : model.strings[name[i]];
        const key = `${isKernel ? "k" : "s"}:${label}`;
        let row = rows.get(key);
        if (!row) rows.set(key, (row = { label, kernel: isKernel, count: 0, totalUs: 0 }));
        row.count++;
        row.totalUs += inside;
        sliceCount++;
        if (isKernel) kernelUs += inside;
      }
    }
  }
  const sorted = [...rows.values()].sort((a, b) => b.totalUs - a.totalUs || a.label.localeCompare(b.label));
  return { startUs, endUs, sliceCount, kernelUs, rows: sorted };
}

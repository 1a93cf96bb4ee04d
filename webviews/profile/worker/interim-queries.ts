// INTERIM (replaced by common/trace/'s queries once dev/profile-trace lands): the level-of-detail window, the tables
// (per op type, per node, per iteration) and the compare of two models, over a TraceModel. The shapes returned are
// the viewer's own (webviews/profile/model/trace-views.ts), so only this file changes at the merge.
import { SLICE_KIND, type TraceModel } from "../../../common/trace/trace-model";
import { colourIndex } from "../view/slice-colours";
import { PALETTE_SIZE } from "../view/palette-size";
import type { CompareRow, IterationRow, RangeSummary, StatRow, TraceTables, WindowRects } from "../model/trace-views";

const maxDurationCache = new WeakMap<TraceModel, Float64Array>();

function maxDurations(model: TraceModel): Float64Array {
  let m = maxDurationCache.get(model);
  if (!m) {
    m = new Float64Array(model.tracks.length);
    const s = model.slices;
    for (let i = 0; i < s.count; i++) if (s.durationUs[i] > m[s.track[i]]) m[s.track[i]] = s.durationUs[i];
    maxDurationCache.set(model, m);
  }
  return m;
}

/** First slice of `track` that may end after `t`. */
function firstFrom(model: TraceModel, track: number, t: number): number {
  const tr = model.tracks[track];
  const from = t - maxDurations(model)[track];
  let lo = tr.first;
  let hi = tr.first + tr.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (model.slices.startUs[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The slices of `track` in [startUs, endUs] as rectangles, one depth row at a time: a slice shorter than
 * `minDurationUs` is merged with its neighbours on its row that are closer than `minDurationUs` (one rectangle per
 * run of tiny slices); the rest are their own rectangles.
 */
export function queryWindow(
  model: TraceModel,
  track: number,
  startUs: number,
  endUs: number,
  minDurationUs: number,
): WindowRects {
  const s = model.slices;
  const tr = model.tracks[track];
  const depths = Math.max(1, tr.depthCount);
  const pendStart = new Float64Array(depths).fill(NaN);
  const pendEnd = new Float64Array(depths);
  const pendCount = new Int32Array(depths);
  const pendColour = new Int32Array(depths);
  const out = {
    starts: [] as number[],
    ends: [] as number[],
    depth: [] as number[],
    slice: [] as number[],
    merged: [] as number[],
    colour: [] as number[],
  };
  const emit = (a: number, b: number, d: number, slice: number, merged: number, colour: number) => {
    out.starts.push(a);
    out.ends.push(b);
    out.depth.push(d);
    out.slice.push(slice);
    out.merged.push(merged);
    out.colour.push(colour);
  };
  const flush = (d: number) => {
    if (!Number.isNaN(pendStart[d])) emit(pendStart[d], pendEnd[d], d, -1, pendCount[d], pendColour[d]);
    pendStart[d] = NaN;
  };
  const end = tr.first + tr.count;
  for (let i = firstFrom(model, track, startUs); i < end; i++) {
    const a = s.startUs[i];
    if (a > endUs) break;
    const b = a + s.durationUs[i];
    if (b < startUs) continue;
    const d = s.depth[i];
    const colour = s.opType[i] >= 0 ? s.opType[i] : s.name[i];
    if (s.durationUs[i] >= minDurationUs) {
      flush(d);
      emit(a, b, d, i, 1, colour);
    } else if (!Number.isNaN(pendStart[d]) && a - pendEnd[d] < minDurationUs) {
      pendEnd[d] = Math.max(pendEnd[d], b);
      pendCount[d]++;
    } else {
      flush(d);
      pendStart[d] = a;
      pendEnd[d] = Math.max(b, a);
      pendCount[d] = 1;
      pendColour[d] = colour;
    }
  }
  for (let d = 0; d < depths; d++) flush(d);
  return {
    track,
    count: out.starts.length,
    startUs: Float64Array.from(out.starts),
    endUs: Float64Array.from(out.ends),
    depth: Uint16Array.from(out.depth),
    slice: Int32Array.from(out.slice),
    merged: Int32Array.from(out.merged),
    colour: Uint8Array.from(out.colour, (k) => colourIndex(model.strings[k] ?? "", PALETTE_SIZE)),
    names: out.slice.map((i) => (i >= 0 ? model.strings[s.name[i]] : "")),
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function statRows(
  groups: Map<number, number[]>,
  model: TraceModel,
  totalUs: number,
  info: (key: number) => Partial<StatRow>,
): StatRow[] {
  const rows: StatRow[] = [];
  for (const [key, slices] of groups) {
    const d = Float64Array.from(slices, (i) => model.slices.durationUs[i]).sort();
    let sum = 0;
    for (const x of d) sum += x;
    rows.push({
      key: model.strings[key],
      count: d.length,
      totalUs: sum,
      meanUs: sum / d.length,
      p50Us: percentile(d, 0.5),
      p95Us: percentile(d, 0.95),
      share: totalUs > 0 ? sum / totalUs : 0,
      ...info(slices[0]),
    });
  }
  return rows.sort((a, b) => b.totalUs - a.totalUs);
}

/** Outliers by Tukey's fences: below q1 − 1.5·IQR or above q3 + 1.5·IQR. */
export function iterationRows(model: TraceModel): IterationRow[] {
  const d = Float64Array.from(model.runs, (r) => r.durationUs).sort();
  const q1 = percentile(d, 0.25);
  const q3 = percentile(d, 0.75);
  const fence = 1.5 * (q3 - q1);
  return model.runs.map((r, run) => ({
    run,
    startUs: r.startUs,
    durationUs: r.durationUs,
    kernelUs: r.kernelUs,
    kernels: r.kernels,
    outlier: d.length >= 4 && (r.durationUs > q3 + fence || r.durationUs < q1 - fence),
  }));
}

export function traceTables(model: TraceModel): TraceTables {
  const s = model.slices;
  const byOp = new Map<number, number[]>();
  const byNode = new Map<number, number[]>();
  let totalUs = 0;
  for (let i = 0; i < s.count; i++) {
    if (s.kind[i] !== SLICE_KIND.kernel) continue;
    totalUs += s.durationUs[i];
    const op = s.opType[i];
    let g = byOp.get(op);
    if (!g) byOp.set(op, (g = []));
    g.push(i);
    let n = byNode.get(s.name[i]);
    if (!n) byNode.set(s.name[i], (n = []));
    n.push(i);
  }
  const str = (k: number) => (k >= 0 ? model.strings[k] : undefined);
  const ops = statRows(byOp, model, totalUs, () => ({}));
  for (const r of ops) if (r.key === undefined) r.key = "?";
  return {
    kernelTotalUs: totalUs,
    runs: model.runs.length,
    ops,
    nodes: statRows(byNode, model, totalUs, (i) => ({ opType: str(s.opType[i]), provider: str(s.provider[i]) })),
    iterations: iterationRows(model),
  };
}

/** Per op type and per node, mean time per run before (a) and after (b), sorted by the largest absolute change. */
export function compareTables(a: TraceTables, b: TraceTables): { ops: CompareRow[]; nodes: CompareRow[] } {
  const rows = (x: StatRow[], y: StatRow[]): CompareRow[] => {
    const perRun = (r: StatRow | undefined, t: TraceTables) => (r ? r.totalUs / Math.max(1, t.runs) : 0);
    const keys = new Set([...x.map((r) => r.key), ...y.map((r) => r.key)]);
    const ax = new Map(x.map((r) => [r.key, r]));
    const by = new Map(y.map((r) => [r.key, r]));
    const out: CompareRow[] = [];
    for (const key of keys) {
      const beforeUs = perRun(ax.get(key), a);
      const afterUs = perRun(by.get(key), b);
      out.push({
        key,
        opType: ax.get(key)?.opType ?? by.get(key)?.opType,
        beforeUs,
        afterUs,
        speedup: afterUs > 0 ? beforeUs / afterUs : Infinity,
      });
    }
    return out.sort((p, q) => Math.abs(q.afterUs - q.beforeUs) - Math.abs(p.afterUs - p.beforeUs));
  };
  return { ops: rows(a.ops, b.ops), nodes: rows(a.nodes, b.nodes) };
}

/** What [startUs, endUs] holds: slices by kind, kernel time by op type (top 8), and the runs it touches. */
export function rangeSummary(model: TraceModel, startUs: number, endUs: number): RangeSummary {
  const s = model.slices;
  const byOp = new Map<string, number>();
  let slices = 0;
  let kernels = 0;
  let kernelUs = 0;
  const runs = new Set<number>();
  for (let i = 0; i < s.count; i++) {
    const a = s.startUs[i];
    const b = a + s.durationUs[i];
    if (b < startUs || a > endUs) continue;
    slices++;
    if (s.run[i] >= 0) runs.add(s.run[i]);
    if (s.kind[i] !== SLICE_KIND.kernel) continue;
    kernels++;
    const inside = Math.min(b, endUs) - Math.max(a, startUs);
    kernelUs += inside;
    const op = s.opType[i] >= 0 ? model.strings[s.opType[i]] : "?";
    byOp.set(op, (byOp.get(op) ?? 0) + inside);
  }
  const ops = [...byOp]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 8)
    .map(([opType, us]) => ({ opType, us }));
  return { startUs, endUs, slices, kernels, kernelUs, runs: runs.size, ops };
}

/** The kernel slices of node `node`, in time order. */
export function nodeKernels(model: TraceModel, node: string): number[] {
  const s = model.slices;
  const out: number[] = [];
  for (let i = 0; i < s.count; i++)
    if (s.kind[i] === SLICE_KIND.kernel && model.strings[s.name[i]] === node) out.push(i);
  return out.sort((x, y) => s.startUs[x] - s.startUs[y]);
}

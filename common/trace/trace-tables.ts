// The profile viewer's and `edge profile`'s tables over a TraceModel: per op type and per node (count, total, mean,
// p50, p95, share of the measured kernel time), per iteration latencies (model_run durations) with outliers beyond
// the Tukey fences (Q1 − 1.5·IQR, Q3 + 1.5·IQR), the compare of two models per op type and per node, and the links
// between a node and its kernels. Warm-up runs are left out as common/trace/kernels.ts does: the first `skipRuns`
// model_runs and their kernels (a trace without model_run events keeps every kernel); `warmupDefault` says how many a
// viewer leaves out before the user says. Pure TypeScript.
import type { TraceModel } from "./trace-model";
import { SLICE_KIND } from "./trace-model";

export interface TableOptions {
  /** model_runs at the start of the trace to leave out (the warm-up iterations); default 0. */
  skipRuns?: number;
}

export interface KernelGroupRow {
  /** The op type (op-type table) or node name (node table). */
  key: string;
  /** Node table: the node's op type and provider (of its first kernel). */
  opType: string;
  provider?: string;
  /** Nodes in an op type's row (1 in a node's). */
  nodes: number;
  count: number;
  totalUs: number;
  meanUs: number;
  p50Us: number;
  p95Us: number;
  /** Total per measured run (total when the trace has no runs). */
  perRunUs: number;
  /** Of all measured kernel time, 0..1. */
  share: number;
}

export interface KernelTables {
  runsInTrace: number;
  runsMeasured: number;
  kernelUs: number;
  opTypes: KernelGroupRow[];
  nodes: KernelGroupRow[];
}

/** `n` warm-up runs as a count the tables can take: a whole number from 0 to the trace's runs (as `edge profile`). */
export function clampSkipRuns(n: number, runCount: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.min(Math.floor(n), runCount)) : 0;
}

/** Why a number of warm-up runs was chosen (the viewer says so next to its control). */
export type WarmupReason = "report" | "engine" | "other-tool" | "few-runs";

/** Traces with more runs than this get one warm-up run left out by default when nothing says otherwise. */
export const GUESS_WARMUP_ABOVE_RUNS = 3;

/**
 * The warm-up runs to leave out before the user chooses. What a run's report says comes first (its profile summary
 * counts `runsInTrace − runsSummarized` warm-up runs); a profile the engine wrote otherwise holds only the iterations
 * it profiled (0); a trace from another tool (onnxruntime's own profile keeps the session's warm-up runs) has its
 * first run left out when it has more than a few, else none.
 */
export function warmupDefault(
  runCount: number,
  known: { reportWarmupRuns?: number; engineWritten?: boolean } = {},
): { runs: number; reason: WarmupReason } {
  if (known.reportWarmupRuns !== undefined)
    return { runs: clampSkipRuns(known.reportWarmupRuns, runCount), reason: "report" };
  if (known.engineWritten) return { runs: 0, reason: "engine" };
  if (runCount > GUESS_WARMUP_ABOVE_RUNS) return { runs: 1, reason: "other-tool" };
  return { runs: 0, reason: "few-runs" };
}

/** Whether kernel slice i is measured (not in a warm-up run). */
function measured(model: TraceModel, skip: number): (i: number) => boolean {
  const { kind, run } = model.slices;
  const hasRuns = model.runs.length > 0;
  return (i) => kind[i] === SLICE_KIND.kernel && (!hasRuns || run[i] >= skip);
}

/** The p-quantile (0..1) of sorted values (nearest rank). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank];
}

/** Rows of kernels grouped by `groupOf` (a string id per slice), each group's durations sorted for percentiles. */
function groupRows(
  model: TraceModel,
  keep: (i: number) => boolean,
  groupOf: Int32Array,
  runs: number,
): KernelGroupRow[] {
  const { durationUs, opType, provider, count } = model.slices;
  const counts = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (!keep(i)) continue;
    counts.set(groupOf[i], (counts.get(groupOf[i]) ?? 0) + 1);
    total += durationUs[i];
  }
  const durations = new Map<number, { values: Float64Array; n: number; first: number; nodes: Set<number> }>();
  for (const [g, n] of counts) durations.set(g, { values: new Float64Array(n), n: 0, first: -1, nodes: new Set() });
  for (let i = 0; i < count; i++) {
    if (!keep(i)) continue;
    const d = durations.get(groupOf[i])!;
    if (d.first < 0) d.first = i;
    d.values[d.n++] = durationUs[i];
    d.nodes.add(model.slices.name[i]);
  }
  const str = (id: number) => (id >= 0 ? model.strings[id] : "?");
  const rows: KernelGroupRow[] = [];
  for (const [g, d] of durations) {
    const values = d.values.sort();
    let sum = 0;
    for (const v of values) sum += v;
    const p = provider[d.first];
    rows.push({
      key: str(g),
      opType: str(opType[d.first]),
      ...(p >= 0 ? { provider: model.strings[p] } : {}),
      nodes: d.nodes.size,
      count: values.length,
      totalUs: sum,
      meanUs: sum / values.length,
      p50Us: quantile(values, 0.5),
      p95Us: quantile(values, 0.95),
      perRunUs: runs > 0 ? sum / runs : sum,
      share: total > 0 ? sum / total : 0,
    });
  }
  return rows.sort((a, b) => b.totalUs - a.totalUs || a.key.localeCompare(b.key));
}

/** Per op type and per node, over the measured runs; rows by total time. */
export function kernelTables(model: TraceModel, options: TableOptions = {}): KernelTables {
  const skip = clampSkipRuns(options.skipRuns ?? 0, model.runs.length);
  const keep = measured(model, skip);
  const runsMeasured = model.runs.length - skip;
  const opTypes = groupRows(model, keep, model.slices.opType, runsMeasured);
  const nodes = groupRows(model, keep, model.slices.name, runsMeasured);
  return {
    runsInTrace: model.runs.length,
    runsMeasured,
    kernelUs: opTypes.reduce((s, r) => s + r.totalUs, 0),
    opTypes,
    nodes,
  };
}

export interface IterationRow {
  /** Index among the trace's model_runs (warm-up included). */
  run: number;
  startUs: number;
  durationUs: number;
  kernelUs: number;
  kernels: number;
  warmup: boolean;
  /** Beyond the Tukey fences of the measured runs' durations. */
  outlier: boolean;
}

export interface IterationTable {
  rows: IterationRow[];
  /** Over the measured runs. */
  meanUs: number;
  p50Us: number;
  p95Us: number;
  q1Us: number;
  q3Us: number;
  lowFenceUs: number;
  highFenceUs: number;
  outliers: number;
}

/** Per model_run: its latency and kernel time; outliers among the measured runs. */
export function iterationTable(model: TraceModel, options: TableOptions = {}): IterationTable {
  const skip = clampSkipRuns(options.skipRuns ?? 0, model.runs.length);
  const measuredUs = Float64Array.from(model.runs.slice(skip), (r) => r.durationUs).sort();
  const q1 = quantile(measuredUs, 0.25);
  const q3 = quantile(measuredUs, 0.75);
  const iqr = q3 - q1;
  const low = q1 - 1.5 * iqr;
  const high = q3 + 1.5 * iqr;
  let outliers = 0;
  const rows = model.runs.map((r, k) => {
    const warmup = k < skip;
    const outlier = !warmup && (r.durationUs > high || r.durationUs < low);
    if (outlier) outliers++;
    return {
      run: k,
      startUs: r.startUs,
      durationUs: r.durationUs,
      kernelUs: r.kernelUs,
      kernels: r.kernels,
      warmup,
      outlier,
    };
  });
  const sum = measuredUs.reduce((s, v) => s + v, 0);
  return {
    rows,
    meanUs: measuredUs.length > 0 ? sum / measuredUs.length : 0,
    p50Us: quantile(measuredUs, 0.5),
    p95Us: quantile(measuredUs, 0.95),
    q1Us: q1,
    q3Us: q3,
    lowFenceUs: low,
    highFenceUs: high,
    outliers,
  };
}

export interface CompareRow {
  key: string;
  opType: string;
  /** Time per measured run (total when a trace has no runs), µs; 0 when absent on that side. */
  beforeUs: number;
  afterUs: number;
  deltaUs: number;
  /** before / after (> 1: faster after); Infinity when gone after, 0 when new. */
  speedup: number;
}

export interface TraceComparison {
  before: { runs: number; kernelPerRunUs: number };
  after: { runs: number; kernelPerRunUs: number };
  opTypes: CompareRow[];
  nodes: CompareRow[];
}

function compareRows(before: KernelGroupRow[], after: KernelGroupRow[]): CompareRow[] {
  const rows = new Map<string, CompareRow>();
  const row = (r: KernelGroupRow) => {
    let c = rows.get(r.key);
    if (!c) rows.set(r.key, (c = { key: r.key, opType: r.opType, beforeUs: 0, afterUs: 0, deltaUs: 0, speedup: 1 }));
    return c;
  };
  for (const r of before) row(r).beforeUs = r.perRunUs;
  for (const r of after) row(r).afterUs = r.perRunUs;
  for (const c of rows.values()) {
    c.deltaUs = c.afterUs - c.beforeUs;
    c.speedup = c.afterUs > 0 ? c.beforeUs / c.afterUs : c.beforeUs > 0 ? Infinity : 1;
  }
  return [...rows.values()].sort((a, b) => Math.abs(b.deltaUs) - Math.abs(a.deltaUs) || a.key.localeCompare(b.key));
}

/**
 * Two profiles per op type and per node, time per run before and after, sorted by what changed most. `afterOptions`
 * (default: `options`) when the two traces have different warm-ups.
 */
export function compareTraces(
  before: TraceModel,
  after: TraceModel,
  options: TableOptions = {},
  afterOptions: TableOptions = options,
): TraceComparison {
  const a = kernelTables(before, options);
  const b = kernelTables(after, afterOptions);
  const perRun = (t: KernelTables) => (t.runsMeasured > 0 ? t.kernelUs / t.runsMeasured : t.kernelUs);
  return {
    before: { runs: a.runsMeasured, kernelPerRunUs: perRun(a) },
    after: { runs: b.runsMeasured, kernelPerRunUs: perRun(b) },
    opTypes: compareRows(a.opTypes, b.opTypes),
    nodes: compareRows(a.nodes, b.nodes),
  };
}

const nodeIndexes = new WeakMap<TraceModel, Map<string, number[]>>();

/** The kernel slices of a node (by its name in the graph), in start order per track. */
export function kernelsOfNode(model: TraceModel, node: string): readonly number[] {
  let index = nodeIndexes.get(model);
  if (!index) {
    index = new Map();
    const { kind, name, count } = model.slices;
    for (let i = 0; i < count; i++) {
      if (kind[i] !== SLICE_KIND.kernel) continue;
      const key = model.strings[name[i]];
      let list = index.get(key);
      if (!list) index.set(key, (list = []));
      list.push(i);
    }
    nodeIndexes.set(model, index);
  }
  return index.get(node) ?? [];
}

/** The node a kernel slice ran for, or undefined for a slice that is not a kernel. */
export function nodeOfKernel(model: TraceModel, slice: number): string | undefined {
  return model.slices.kind[slice] === SLICE_KIND.kernel ? model.strings[model.slices.name[slice]] : undefined;
}

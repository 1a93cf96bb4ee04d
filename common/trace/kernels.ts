// The kernels of an onnxruntime profile (Chrome trace: each inference is a `Session` event named "model_run"; each
// kernel a complete event with `cat: "Node"`, a name like "/conv1/Conv_kernel_time", `args.op_name` and
// `args.provider`), collected one event at a time from the streaming parser (trace-parser.ts) and kept compactly as
// numbers, then summarized per op type and per node with the warm-up runs left out. engine/run/profile.ts (the run's
// profile summary) and engine/graph/ (the graph viewer's latency overlay) share it. Pure: imports only common types.
import type { NodeRow, OpTypeRow, ProfileSummary } from "../profile-summary";
import type { TraceEvent } from "./trace-event";

export interface KernelRecord {
  /** Node name in the (optimized) graph, without onnxruntime's "_kernel_time" suffix. */
  node: string;
  opType: string;
  provider?: string;
  startUs: number;
  durationUs: number;
  /** Index of the model_run this kernel belongs to, or -1 when the trace has no run events around it. */
  run: number;
}

/** A node of the trace: the op type and provider of its first kernel event. */
interface KernelNode {
  node: string;
  opType: string;
  provider?: string;
}

/** The kernels of a trace, compactly: column i of the arrays is kernel i (in trace order). */
export interface TraceKernels {
  runCount: number;
  count: number;
  startUs: Float64Array;
  durationUs: Float64Array;
  /** Index into `nodes`. */
  node: Int32Array;
  /** The model_run (in start order) each kernel falls in, or -1. */
  run: Int32Array;
  nodes: readonly KernelNode[];
}

const KERNEL_SUFFIX = "_kernel_time";

/** Takes trace events one at a time and keeps what the summary and the streamed kernels need. */
export class KernelCollector {
  private runStarts: number[] = [];
  private runEnds: number[] = [];
  private count = 0;
  private starts = new Float64Array(1024);
  private durations = new Float64Array(1024);
  private nodeIds = new Int32Array(1024);
  private readonly nodeIndex = new Map<string, number>();
  private readonly nodes: KernelNode[] = [];

  add(e: TraceEvent): void {
    if (e.cat === "Session") {
      if (e.name === "model_run" && typeof e.ts === "number") {
        this.runStarts.push(e.ts);
        this.runEnds.push(e.ts + (typeof e.dur === "number" ? e.dur : 0));
      }
      return;
    }
    if (e.cat !== "Node" || e.ph !== "X" || typeof e.name !== "string" || !e.name.endsWith(KERNEL_SUFFIX)) return;
    let id = this.nodeIndex.get(e.name);
    if (id === undefined) {
      const args = e.args ?? {};
      id = this.nodes.length;
      this.nodes.push({
        node: e.name.slice(0, -KERNEL_SUFFIX.length),
        opType: typeof args.op_name === "string" ? args.op_name : "?",
        provider: typeof args.provider === "string" ? args.provider : undefined,
      });
      this.nodeIndex.set(e.name, id);
    }
    if (this.count === this.starts.length) this.grow();
    this.starts[this.count] = typeof e.ts === "number" ? e.ts : 0;
    this.durations[this.count] = typeof e.dur === "number" ? e.dur : 0;
    this.nodeIds[this.count] = id;
    this.count++;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const grown = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.starts = grown(this.starts, (n) => new Float64Array(n));
    this.durations = grown(this.durations, (n) => new Float64Array(n));
    this.nodeIds = grown(this.nodeIds, (n) => new Int32Array(n));
  }

  /** The kernels with their runs: a kernel belongs to the first run (by start) that has not ended before it starts. */
  finish(): TraceKernels {
    const order = this.runStarts.map((_, i) => i).sort((a, b) => this.runStarts[a] - this.runStarts[b] || a - b);
    const starts = order.map((i) => this.runStarts[i]);
    // The latest end among runs 0..r: the first run with end ≥ t is the first r whose prefix maximum is ≥ t.
    const maxEnds: number[] = [];
    for (const i of order) maxEnds.push(Math.max(maxEnds.at(-1) ?? -Infinity, this.runEnds[i]));
    const run = new Int32Array(this.count);
    for (let k = 0; k < this.count; k++) {
      const t = this.starts[k];
      let lo = 0;
      let hi = maxEnds.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (maxEnds[mid] < t) lo = mid + 1;
        else hi = mid;
      }
      run[k] = lo < starts.length && starts[lo] <= t ? lo : -1;
    }
    return {
      runCount: order.length,
      count: this.count,
      startUs: this.starts.subarray(0, this.count),
      durationUs: this.durations.subarray(0, this.count),
      node: this.nodeIds.subarray(0, this.count),
      run,
      nodes: this.nodes,
    };
  }
}

/** The kernels of a list of events (a small trace held in memory). */
export function kernelRecords(events: readonly TraceEvent[]): TraceKernels {
  const collector = new KernelCollector();
  for (const e of events) collector.add(e);
  return collector.finish();
}

/** Kernel `k` of the table as a record. */
function record(records: TraceKernels, k: number): KernelRecord {
  const node = records.nodes[records.node[k]];
  return {
    node: node.node,
    opType: node.opType,
    provider: node.provider,
    startUs: records.startUs[k],
    durationUs: records.durationUs[k],
    run: records.run[k],
  };
}

/** Kernel indices in start order (ties in trace order). */
function byStart(records: TraceKernels, indices: number[]): number[] {
  return indices.sort((a, b) => records.startUs[a] - records.startUs[b] || a - b);
}

/** Every kernel as a record, in start order. */
export function kernelList(records: TraceKernels): KernelRecord[] {
  return byStart(
    records,
    Array.from({ length: records.count }, (_, k) => k),
  ).map((k) => record(records, k));
}

export interface SummaryOptions {
  /** Runs at the start of the trace to leave out (the warm-up iterations). */
  skipRuns?: number;
  /** How many nodes `topNodes` keeps; default 20. */
  topNodes?: number;
}

export function summarizeProfile(events: readonly TraceEvent[], options: SummaryOptions = {}): ProfileSummary {
  return summarizeKernels(kernelRecords(events), options);
}

/** Totals over the measured kernels: those of runs after the first `skipRuns` (all kernels if the trace has no runs). */
export function summarizeKernels(records: TraceKernels, options: SummaryOptions = {}): ProfileSummary {
  const { runCount } = records;
  const skip = Math.min(options.skipRuns ?? 0, runCount);
  const runs = runCount === 0 ? (records.count > 0 ? 1 : 0) : runCount - skip;
  // Per node: calls, total time and the first measured start (rows of equal time keep the order of first start).
  const calls = new Float64Array(records.nodes.length);
  const totals = new Float64Array(records.nodes.length);
  const firstStart = new Float64Array(records.nodes.length).fill(Infinity);
  let total = 0;
  for (let k = 0; k < records.count; k++) {
    if (runCount > 0 && records.run[k] < skip) continue;
    const id = records.node[k];
    const us = records.durationUs[k];
    calls[id]++;
    totals[id] += us;
    total += us;
    if (records.startUs[k] < firstStart[id]) firstStart[id] = records.startUs[k];
  }
  const share = (us: number) => (total > 0 ? us / total : 0);
  const perRun = (us: number) => (runs > 0 ? us / runs : 0);

  const ran = records.nodes.map((_, id) => id).filter((id) => calls[id] > 0);
  ran.sort((a, b) => firstStart[a] - firstStart[b] || a - b);
  const nodes: NodeRow[] = ran.map((id) => {
    const { node, opType, provider } = records.nodes[id];
    return {
      node,
      opType,
      provider,
      calls: calls[id],
      totalUs: totals[id],
      meanUs: totals[id] / calls[id],
      share: share(totals[id]),
    };
  });
  const ops = new Map<string, OpTypeRow>();
  for (const n of nodes) {
    let row = ops.get(n.opType);
    if (!row)
      ops.set(n.opType, (row = { opType: n.opType, nodes: 0, calls: 0, totalUs: 0, meanUsPerRun: 0, share: 0 }));
    row.nodes++;
    row.calls += n.calls;
    row.totalUs += n.totalUs;
  }
  for (const o of ops.values()) {
    o.meanUsPerRun = perRun(o.totalUs);
    o.share = share(o.totalUs);
  }
  const byTime = <T extends { totalUs: number }>(a: T, b: T) => b.totalUs - a.totalUs;
  return {
    runsInTrace: runCount,
    runsSummarized: runs,
    kernelTimeUs: total,
    kernelTimePerRunUs: perRun(total),
    opTypes: [...ops.values()].sort(byTime),
    topNodes: nodes.sort(byTime).slice(0, options.topNodes ?? 20),
    nodeCount: nodes.length,
  };
}

/** Kernels to stream as `kernel` events: those of the last run in the trace, in start order, at most `max`. */
export function kernelsToStream(records: TraceKernels, max: number): KernelRecord[] {
  if (max <= 0) return [];
  const { runCount } = records;
  const picked: number[] = [];
  for (let k = 0; k < records.count; k++) if (runCount === 0 || records.run[k] === runCount - 1) picked.push(k);
  const ordered = byStart(records, picked);
  return (runCount > 0 ? ordered.slice(0, max) : ordered.slice(-max)).map((k) => record(records, k));
}

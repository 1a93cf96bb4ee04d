// onnxruntime profiles: Chrome trace JSON (an array of events, or {traceEvents: [...]}). Each inference is a
// `Session` event named "model_run"; each kernel is a complete event (`ph: "X"`) with `cat: "Node"`, a name like
// "/conv1/Conv_kernel_time", `args.op_name` and `args.provider`; times are in µs since the profile started.
// This module turns a trace into per-op-type and per-node totals and picks the kernels to stream as events.
// The summary's types are report.json's (common/profile-summary.ts).
import type { NodeRow, OpTypeRow, ProfileSummary } from "../../common/profile-summary";
import { EdgeError } from "../errors";

export type { NodeRow, OpTypeRow, ProfileSummary } from "../../common/profile-summary";

export interface TraceEvent {
  cat?: string;
  name?: string;
  ph?: string;
  ts?: number;
  dur?: number;
  args?: Record<string, unknown>;
}

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

const KERNEL_SUFFIX = "_kernel_time";

/** Parses trace text; a bad trace is a `run/failed` error naming the file. */
export function parseTrace(text: string, file = "<profile>"): TraceEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EdgeError("run/failed", `the profile ${file} is not valid JSON: ${(e as Error).message}`, { file });
  }
  const events = Array.isArray(json) ? json : (json as { traceEvents?: unknown })?.traceEvents;
  if (!Array.isArray(events))
    throw new EdgeError("run/failed", `the profile ${file} is not a Chrome trace (an array of events)`, { file });
  return events as TraceEvent[];
}

/** The kernels of a trace, in start order, each assigned to the model_run it falls in. */
export interface TraceKernels {
  runCount: number;
  kernels: KernelRecord[];
}

export function kernelRecords(events: readonly TraceEvent[]): TraceKernels {
  const runs = events
    .filter((e) => e.cat === "Session" && e.name === "model_run" && typeof e.ts === "number")
    .map((e) => ({ start: e.ts!, end: e.ts! + (e.dur ?? 0) }))
    .sort((a, b) => a.start - b.start);
  const kernels: KernelRecord[] = [];
  for (const e of events) {
    if (e.cat !== "Node" || e.ph !== "X" || typeof e.name !== "string" || !e.name.endsWith(KERNEL_SUFFIX)) continue;
    const args = e.args ?? {};
    kernels.push({
      node: e.name.slice(0, -KERNEL_SUFFIX.length),
      opType: typeof args.op_name === "string" ? args.op_name : "?",
      provider: typeof args.provider === "string" ? args.provider : undefined,
      startUs: e.ts ?? 0,
      durationUs: e.dur ?? 0,
      run: -1,
    });
  }
  kernels.sort((a, b) => a.startUs - b.startUs);
  let r = 0;
  for (const k of kernels) {
    while (r < runs.length && runs[r].end < k.startUs) r++;
    if (r < runs.length && runs[r].start <= k.startUs) k.run = r;
  }
  return { runCount: runs.length, kernels };
}

/** The kernels that count as measured: those of runs after the first `skipRuns` (all of them if the trace has no runs). */
function measuredKernels(records: TraceKernels, skipRuns: number): { kernels: KernelRecord[]; runs: number } {
  if (records.runCount === 0) return { kernels: records.kernels, runs: records.kernels.length > 0 ? 1 : 0 };
  const skip = Math.min(skipRuns, records.runCount);
  return { kernels: records.kernels.filter((k) => k.run >= skip), runs: records.runCount - skip };
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

export function summarizeKernels(records: TraceKernels, options: SummaryOptions = {}): ProfileSummary {
  const { kernels, runs } = measuredKernels(records, options.skipRuns ?? 0);
  const total = kernels.reduce((s, k) => s + k.durationUs, 0);
  const share = (us: number) => (total > 0 ? us / total : 0);
  const perRun = (us: number) => (runs > 0 ? us / runs : 0);

  const nodes = new Map<string, NodeRow>();
  for (const k of kernels) {
    let row = nodes.get(k.node);
    if (!row)
      nodes.set(
        k.node,
        (row = { node: k.node, opType: k.opType, provider: k.provider, calls: 0, totalUs: 0, meanUs: 0, share: 0 }),
      );
    row.calls++;
    row.totalUs += k.durationUs;
  }
  const ops = new Map<string, OpTypeRow>();
  for (const n of nodes.values()) {
    n.meanUs = n.totalUs / n.calls;
    n.share = share(n.totalUs);
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
    runsInTrace: records.runCount,
    runsSummarized: runs,
    kernelTimeUs: total,
    kernelTimePerRunUs: perRun(total),
    opTypes: [...ops.values()].sort(byTime),
    topNodes: [...nodes.values()].sort(byTime).slice(0, options.topNodes ?? 20),
    nodeCount: nodes.size,
  };
}

/** Kernels to stream as `kernel` events: those of the last run in the trace, in start order, at most `max`. */
export function kernelsToStream(records: TraceKernels, max: number): KernelRecord[] {
  const { runCount, kernels } = records;
  const last = runCount > 0 ? kernels.filter((k) => k.run === runCount - 1) : kernels.slice(-max);
  return last.slice(0, Math.max(0, max));
}

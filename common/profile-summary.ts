// The summary of an onnxruntime profile as report.json carries it (`profile.summary`): kernel time per op type and
// for the slowest nodes. The trace itself is `profile.json` in the run directory (Chrome trace format, opens in
// Perfetto); engine/run/profile.ts reads it and computes this summary. Times are in microseconds.

/** The run directory's onnxruntime trace. */
export const PROFILE_FILE = "profile.json";

export interface OpTypeRow {
  opType: string;
  /** Distinct nodes of this type that ran. */
  nodes: number;
  /** Kernel executions over the summarized runs. */
  calls: number;
  totalUs: number;
  meanUsPerRun: number;
  /** Fraction (0..1) of all kernel time in the summarized runs. */
  share: number;
}

export interface NodeRow {
  node: string;
  opType: string;
  provider?: string;
  calls: number;
  totalUs: number;
  meanUs: number;
  share: number;
}

export interface ProfileSummary {
  /** model_run events in the trace (warm-up included, since profiling starts with the session). */
  runsInTrace: number;
  /** Runs the totals cover (the measured iterations). */
  runsSummarized: number;
  /** Sum of kernel durations over the summarized runs. */
  kernelTimeUs: number;
  kernelTimePerRunUs: number;
  /** Every op type, by total time descending. */
  opTypes: OpTypeRow[];
  /** The nodes with the most time, descending (at most `topNodes`). */
  topNodes: NodeRow[];
  nodeCount: number;
}

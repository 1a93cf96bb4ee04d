// What a run measured, per node, in the form the graph viewer draws on a model and `edge graph --run` colours:
// kernel time from the run's profile.json, provider placement from partitions.json, quantization error from
// quant-error.json. Keyed by ONNX node name (what the three files name nodes by). engine/graph/ reads a run folder
// into this; the extension host sends it to the webview.

/** Kernel time of one node over the profiled runs. */
export interface NodeLatency {
  /** Sum of the node's kernel durations over the summarized runs, in µs. */
  totalUs: number;
  /** Kernel executions over the summarized runs. */
  calls: number;
  /** totalUs per summarized run. */
  meanUsPerRun: number;
  /** Fraction (0..1) of all kernel time. */
  share: number;
  /** The execution provider that ran it ("CPUExecutionProvider", …). */
  provider?: string;
}

export interface LatencyOverlay {
  /** Runs the totals cover (warm-up excluded when the trace shows it). */
  runsSummarized: number;
  /** All kernel time per summarized run, in µs. */
  kernelTimePerRunUs: number;
  byNode: Record<string, NodeLatency>;
}

export interface NodePlacement {
  placement: "provider" | "cpu";
  partition?: number;
  /** Why it stays on the CPU. */
  reason?: string;
}

export interface PartitionsOverlay {
  provider: string;
  byNode: Record<string, NodePlacement>;
}

export interface NodeQuantError {
  /** SQNR of the node's output against the float model's, in dB; null when not finite (see `note`). Lower is worse. */
  sqnrDb: number | null;
  maxAbs: number;
  note?: "identical" | "zero-signal" | "not-finite";
  /** The output the figure is for. */
  output: string;
}

export interface QuantErrorOverlay {
  samples: number;
  byNode: Record<string, NodeQuantError>;
}

export type OverlayKind = "latency" | "partitions" | "quantError";

/** A run's overlays for one model; each is absent when the run did not write its file (or the file was unreadable). */
export interface GraphOverlays {
  /** The run folder they come from. */
  runDir: string;
  /** The run folder's name (`<timestamp>-<recipe>-<device>`). */
  runId: string;
  latency?: LatencyOverlay;
  partitions?: PartitionsOverlay;
  quantError?: QuantErrorOverlay;
  /** Files that were there but could not be read, with why (a truncated profile, another format version). */
  notes: string[];
}

// The results of evaluation: an optimized model compared with its original on the same inputs (output metrics,
// perplexity for language models, size), and the per-node error (SQNR) of quantized nodes. Plain data, JSON-ready.
// What is written to evaluation.json and quant-error.json is declared in common/evaluation.ts; the options here are
// the engine's own.
import type { NodeError, SkippedNodeError } from "../../common/evaluation";
import type { InputSpec } from "../run/plan";
import type { Sample } from "../data/typed-tensor";

export type {
  CompareResult,
  InputSource,
  LatencyComparison,
  ModelSize,
  NodeError,
  OutputMetrics,
  PerplexityFigures,
  PerplexityResult,
  QuantErrorFile,
} from "../../common/evaluation";

export interface CompareOptions {
  original: string;
  optimized: string;
  /** Inputs to feed; inputs a sample lacks are made synthetic. Absent: one deterministic synthetic sample. */
  samples?: Sample[];
  /** How to make synthetic inputs (the recipe's `model.inputs`), their symbolic dims, and the seed. */
  synthetic?: { inputs?: Record<string, InputSpec>; dims?: Record<string, number>; seed?: number };
  /** Only these outputs (default: every output both models have). */
  outputs?: string[];
  /** Which metrics to compute; default all. Size is always measured. */
  metrics?: ("cosine" | "max_abs" | "mean_abs" | "top1")[];
  /** Use at most this many samples. */
  maxSamples?: number;
  /** Stops the comparison before the next sample (it throws the signal's reason). */
  signal?: AbortSignal;
}

/** One quantized node as the quantizer reports it (`op_type` or the quantizer's `opType`). */
export interface QuantizedNode {
  /** The node's name in the float model. */
  node: string;
  op_type?: string;
  opType?: string;
  /** The tensor it produces (present in both models under this name). */
  output: string;
}

export interface NodeErrorResult {
  /** Measured nodes, worst (lowest SQNR) first. */
  nodes: NodeError[];
  /** Quantized nodes that could not be measured, and why. */
  skipped: SkippedNodeError[];
  samples: number;
}

export interface PerNodeErrorOptions {
  original: string;
  optimized: string;
  quantizedNodes: QuantizedNode[];
  /** Complete or partial samples (missing inputs are synthetic); absent: one synthetic sample. */
  samples?: Sample[];
  synthetic?: CompareOptions["synthetic"];
  maxSamples?: number;
  /** Most tensors exposed per session (more nodes take several passes); default 256. */
  maxOutputsPerPass?: number;
  /** Stops the measurement before the next sample (it throws the signal's reason). */
  signal?: AbortSignal;
}

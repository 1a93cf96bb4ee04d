// The results of evaluation: an optimized model compared with its original on the same inputs (output metrics,
// perplexity for language models, size), and the per-node error (SQNR) of quantized nodes. Plain data, JSON-ready.
import type { InputSpec } from "../run/plan";
import type { Sample } from "../data/tensor-data";
import type { LatencyStats } from "../run/stats";

/** How one output of the optimized model differs from the original's, over every element of every sample. */
export interface OutputMetrics {
  name: string;
  /** Shape of the output on the first sample (original model). */
  shape: number[];
  /** Elements compared (summed over samples). */
  elements: number;
  /** Σ a·b / √(Σ a² · Σ b²) over all elements of all samples (a original, b optimized); 1 when both are all zeros. */
  cosine: number;
  /** Largest |a − b|. */
  maxAbsError: number;
  /** Mean |a − b|. */
  meanAbsError: number;
  /**
   * Share (0..1) of positions where the argmax over the last axis is the same in both models: for logits
   * [batch, seq, vocab], the share of next-token predictions that agree. null when the last axis has < 2 entries.
   */
  top1Agreement: number | null;
  /** Positions the top-1 agreement counted. */
  positions: number;
  /** Elements that were NaN or ±Infinity in either model (left out of every metric above). */
  nonFinite: number;
  /** Set when the output could not be compared (shapes differ between the models); the metrics are then 0. */
  problem?: string;
}

/** A model's files and total size (the .onnx file plus external data). */
export interface ModelSize {
  path: string;
  sizeBytes: number;
  files: { path: string; role: "model" | "external-data"; sizeBytes: number }[];
}

/** Perplexity of one model on the token windows: exp(mean negative log-likelihood of each next token). */
export interface PerplexityFigures {
  /** Mean negative log-likelihood in nats per predicted token. */
  meanNll: number;
  perplexity: number;
}

export interface PerplexityResult {
  /** Windows fed (each with an empty past and an all-ones attention mask). */
  windows: number;
  /** Tokens predicted: Σ (window length − 1). */
  predictedTokens: number;
  sequenceLength: number;
  original: PerplexityFigures;
  optimized: PerplexityFigures;
  /** (optimized / original − 1) · 100. */
  increasePct: number;
}

/** Where the inputs came from. */
export type InputSource = "dataset" | "synthetic" | "text" | "tokens";

export interface CompareResult {
  original: ModelSize;
  optimized: ModelSize;
  /** optimized.sizeBytes / original.sizeBytes. */
  sizeRatio: number;
  /** Samples both models ran on. */
  samples: number;
  inputSource: InputSource;
  /** One entry per compared output (outputs of the original that the optimized model has too), in model order. */
  outputs: OutputMetrics[];
  /** Outputs of the original that the optimized model lacks (or the reverse), not compared. */
  missingOutputs: string[];
  /** Set for a language model evaluated on token windows. */
  perplexity?: PerplexityResult;
  /** Latency through the local runner, when asked for (same feed for both models). */
  latency?: LatencyComparison;
  /** Warnings met on the way (unbound dims, dtype conversions). */
  warnings: string[];
}

export interface LatencyComparison {
  iterations: number;
  original: LatencyStats;
  optimized: LatencyStats;
  /** original p50 / optimized p50. */
  speedup: number;
}

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

export interface NodeError {
  node: string;
  op_type: string;
  output: string;
  /**
   * 10·log10(Σ ref² / Σ (ref − q)²) over all samples; null when it is not finite (see `note`). Lower is worse.
   */
  sqnr_db: number | null;
  /** "identical": no error at all (SQNR +∞); "zero-signal": the float tensor is all zeros but the quantized one is not (−∞); "not-finite": NaN in a tensor. */
  note?: "identical" | "zero-signal" | "not-finite";
  max_abs: number;
  mean_abs: number;
  elements: number;
}

export interface NodeErrorResult {
  /** Measured nodes, worst (lowest SQNR) first. */
  nodes: NodeError[];
  /** Quantized nodes that could not be measured, and why. */
  skipped: { node: string; output: string; reason: string }[];
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

/** The file `quant-error.json` (read by the language server, language-server/world/quant-findings.ts). */
export interface QuantErrorFile {
  method: "sqnr";
  original: string;
  optimized: string;
  created: string;
  samples: number;
  nodes: NodeError[];
  skipped: NodeErrorResult["skipped"];
}

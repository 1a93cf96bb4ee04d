// The evaluation files of a run: `evaluation.json` (an optimized model compared with its original on the same
// inputs: output metrics, perplexity for language models, size, latency) and `quant-error.json` (the per-node error,
// SQNR, of quantized nodes; the language server reads it: language-server/world/quant-findings.ts), and the
// evaluation section of report.json. Produced by engine/evaluate and engine/pipeline/evaluate-step.ts.
import type { LatencyStats, ModelFile } from "./measurements";

export const EVALUATION_FILE = "evaluation.json";
export const QUANT_ERROR_FILE = "quant-error.json";

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
  files: ModelFile[];
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

export interface LatencyComparison {
  iterations: number;
  original: LatencyStats;
  optimized: LatencyStats;
  /** original p50 / optimized p50. */
  speedup: number;
}

/** The content of evaluation.json. */
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

/** The error of one quantized node's output against the float model's (snake_case, as quant-error.json). */
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

/** A quantized node that could not be measured, and why. */
export interface SkippedNodeError {
  node: string;
  output: string;
  reason: string;
}

/** The content of quant-error.json. */
export interface QuantErrorFile {
  method: "sqnr";
  /** Absolute paths of the float and the quantized model. */
  original: string;
  optimized: string;
  /** ISO 8601 time the file was made. */
  created: string;
  samples: number;
  /** Measured nodes, worst (lowest SQNR) first. */
  nodes: NodeError[];
  skipped: SkippedNodeError[];
}

/** report.json's `evaluation`: the produced model against the original (the recipe's `evaluate:` step). */
export interface ReportEvaluation {
  comparison: CompareResult;
  /** `evaluate.metrics`: what the recipe asked to measure (budgets on other metrics are not checked). */
  metrics: string[];
  /** The worst nodes of quant-error.json (`path`, relative to the run directory or absolute) and its counts. */
  quantError?: { path: string; worst: NodeError[]; measured: number; skipped: number; samples: number };
}

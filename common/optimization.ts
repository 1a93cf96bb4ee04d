// report.json's `optimization`: what the recipe's quantize and compile steps did. Produced by engine/quantize,
// engine/compile and engine/pipeline/optimize.ts (engine/report/optimization-report.ts builds this section).

/** ONNX Runtime's graph optimization levels (the recipe's `compile.optimization`, the session's `optimization`). */
export type GraphOptimization = "disabled" | "basic" | "extended" | "all";

/** A node the quantizer changed; `output` is its output tensor name, the same in the float and quantized models. */
export interface ReportQuantizedNode {
  node: string;
  opType: string;
  output: string;
}

export interface ReportSkippedNode {
  node: string;
  opType: string;
  reason: string;
}

/** The quantize step (the engine's QuantizeResult, with the skipped nodes counted and a few kept as examples). */
export interface ReportQuantize {
  /** "int8-dynamic", "int8-static", "int4-weight-only" or "fp16". */
  method: string;
  source: string;
  output: string;
  /** The external data file written beside the output, if any. */
  dataPath?: string;
  /** Bytes of the source model and of the output (model file plus external data). */
  sourceBytes: number;
  outputBytes: number;
  quantized: ReportQuantizedNode[];
  /** Nodes left in float. */
  skipped: number;
  /** Up to 20 of them, with the reason. */
  skippedExamples: ReportSkippedNode[];
  /** Weights quantized (a weight shared by several nodes counts once). */
  weights: number;
  opset: { from: number; to: number };
  warnings: string[];
  durationMs: number;
}

/** The provider support analysis in short (the whole of it is partitions.json, common/partitions.ts). */
export interface CompileSupportSummary {
  provider: string;
  nodes: number;
  providerNodes: number;
  cpuNodeShare: number;
  cpuFlopShare: number;
  partitions: number;
  transitions: number;
  unsupportedOps: Record<string, number>;
  partitionsPath: string;
}

/** A pattern a fusion pass tried and could not match, with the reason. */
export interface ReportFusionMiss {
  fusion: string;
  /** The node the match was tried at (its name, or `OpType#index`). */
  node: string;
  reason: string;
}

/** The check of a fused model against the unfused one (engine/compile/fusions/verify-fusion.ts). */
export interface ReportFusionCheck {
  /** "decoder": a prefill, greedy decode steps with the cache and a masked prefill; "forward": one forward pass. */
  kind: "decoder" | "forward";
  /** max |fused − unfused| / max |unfused| per output, the worst over outputs and steps. */
  maxRelativeDiff: number;
  /** The output and step of the worst difference. */
  worst: string;
  tolerance: number;
  decodeSteps: number;
  tokensEqual: boolean;
  passed: boolean;
  /** Why the check failed when it is not a difference (the fused model did not load or run). */
  problem?: string;
}

/** What compile's transformer fusions did (com.microsoft ops written before ONNX Runtime's own optimization). */
export interface ReportFusions {
  /** Fused op → how many the written model has (empty when nothing matched or everything was dropped). */
  applied: Record<string, number>;
  /** Fused ops that changed results beyond the tolerance and were left out of the written model. */
  dropped: string[];
  /** Patterns that did not match, up to 40 (`unmatchedCount` counts them all). */
  unmatched: ReportFusionMiss[];
  unmatchedCount: number;
  /** The check of the written model's fusions (absent when nothing was fused). */
  verification?: ReportFusionCheck;
  /** Why fusions did not run at all: turned off, another provider, optimization disabled. */
  skipped?: string;
  durationMs: number;
}

/** The compile step: ONNX Runtime's offline optimization saved as a model, symbolic dims fixed. */
export interface ReportCompile {
  path: string;
  sizeBytes: number;
  /** The bytes of an earlier compile of the same source with the same options (onnxruntime's output varies). */
  reused?: boolean;
  /** The external data file, when the source had external data. */
  dataPath?: string;
  optimization: GraphOptimization;
  provider: string;
  /** How many dims each fixed name replaced. */
  fixed: Record<string, number>;
  /** Input and output dims still symbolic in the written model. */
  symbolicDims: string[];
  nodesBefore: number;
  nodesAfter: number;
  warnings: string[];
  /** The transformer fusions (absent in reports written before they existed). */
  fusions?: ReportFusions;
  /** The support analysis summary for the provider (absent for the CPU, which runs everything). */
  support?: CompileSupportSummary;
}

export interface ReportOptimization {
  quantize?: ReportQuantize;
  compile?: ReportCompile;
}

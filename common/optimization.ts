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
  /** The support analysis summary for the provider (absent for the CPU, which runs everything). */
  support?: CompileSupportSummary;
}

export interface ReportOptimization {
  quantize?: ReportQuantize;
  compile?: ReportCompile;
}

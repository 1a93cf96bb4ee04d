// The typed report of `edge inspect`: what the model is, what it holds, and an estimate of the memory it needs.
// Serialized as JSON by `edge inspect --json`; every number is a plain number (no bigint) so JSON.stringify works.
import type { TensorSignature } from "../onnx/signature";
import type { FitReport } from "./device-fit";
import type { NodeStats, ParameterStats } from "./graph-stats";
import type { ModelProblem } from "./model-problems";

export interface MemoryReport {
  /** The concrete shape used for each model input. */
  inputShapes: Record<string, number[]>;
  /** Symbolic dims and the value used: given (from --input-shape) or default (1). */
  symbols: Record<string, { value: number; source: "given" | "default" }>;
  weightsBytes: number;
  /** Bytes of the model inputs (part of the activations). */
  inputBytes: number;
  peakActivationBytes: number;
  /** weightsBytes + peakActivationBytes. */
  estimatedPeakBytes: number;
  /**
   * False when a part could not be counted exactly (weights of unknown size, a value or a sum past 2^53): the
   * numbers above are then lower bounds and the fit verdict is refused.
   */
  exact: boolean;
  /** The node running at the peak. */
  peakAt?: { scope: string; node: string; opType: string };
  /** Where the shapes of node outputs came from (counts over every scope analysed). */
  shapeSources: { valueInfo: number; rule: number; assumed: number; unknown: number };
  /** Ops with outputs that took the assumption (shaped like the first input) or stayed unknown (0 bytes). */
  assumedOps: Record<string, number>;
  /** How the estimate is made, one sentence per part. */
  method: string[];
  /** What the reader should know about this estimate (defaulted dims, assumptions). */
  notes: string[];
}

export interface InspectReport {
  file: { path: string; format: "onnx"; sizeBytes: number; externalDataFiles: string[]; externalDataBytes: number };
  model: {
    irVersion: number;
    opsetImports: { domain: string; version: number }[];
    producer: { name: string; version: string };
    domain: string;
    modelVersion: number;
    docString: string;
    metadata: Record<string, string>;
  };
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  nodes: NodeStats;
  parameters: ParameterStats;
  memory: MemoryReport;
  fits: FitReport;
  /** What is wrong with the model (sizes, dims, cycles, dangling inputs); empty for a sound model. */
  problems: ModelProblem[];
}

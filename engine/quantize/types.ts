// What a quantization method takes and what it reports. The recipe's `quantize:` step and `edge quantize` both
// build a QuantizeOptions; every method returns a QuantizeResult naming the nodes it changed, so evaluation can
// compare each quantized node's output with the float model's tensor of the same name (quant-error.json).
import type { Sample } from "../data/typed-tensor";

export type QuantMethod = "int8-dynamic" | "int8-static" | "int4-weight-only" | "fp16";
export const quantMethods: readonly QuantMethod[] = ["int8-dynamic", "int8-static", "int4-weight-only", "fp16"];

export type CalibrationMethod = "minmax" | "percentile" | "entropy";

export interface NodeFilter {
  ops?: string[];
  nodes?: string[];
}

export interface CalibrationOptions {
  method: CalibrationMethod;
  /** Input samples to run the float model on (at least one). */
  samples: Sample[];
  /** For `percentile`: the percentile of |x| kept (default 99.999). */
  percentile?: number;
}

export interface QuantizeOptions {
  method: QuantMethod;
  /** int4: weights per block along K (16, 32, 64 or 128; default 32). */
  blockSize?: number;
  /** Weights symmetric around zero (default true). */
  symmetric?: boolean;
  /** int8: one scale per output channel (default true for int8-dynamic and int8-static weights). */
  perChannel?: boolean;
  /** int8: 7-bit weights (for x86 CPUs without VNNI). */
  reduceRange?: boolean;
  /** int8 weight element type (default int8). */
  weightType?: "int8" | "uint8";
  /** int8-static activation element type (default uint8). */
  activationType?: "uint8" | "int8" | "uint16" | "int16";
  /** int8-static: symmetric activation ranges (zero point 0 / 32768-centred). */
  symmetricActivations?: boolean;
  /** int4: MatMulNBits accuracy_level (0–4; default 4, int8 compute, fastest on CPU). */
  accuracyLevel?: number;
  /** int4: also quantize the embedding Gather (GatherBlockQuantized). Default false. */
  quantizeEmbedding?: boolean;
  /** fp16: keep float32 model inputs and outputs (default true). */
  keepIoTypes?: boolean;
  /** fp16: op types left in float32 because they overflow or lose too much in half precision. */
  fp16BlockOps?: string[];
  calibration?: CalibrationOptions;
  /**
   * int8-static: the cosine to the float outputs, on the calibration samples, that automatic mixed precision keeps
   * by moving the most sensitive activations to 16 bits or float (default 0.99; 0 turns it off).
   */
  targetCosine?: number;
  exclude?: NodeFilter;
  include?: NodeFilter;
}

/** A node the method changed; `output` is its output tensor name, the same in the float and quantized models. */
export interface QuantizedNode {
  node: string;
  opType: string;
  output: string;
}

export interface SkippedNode {
  node: string;
  opType: string;
  reason: string;
}

export interface QuantizeResult {
  method: QuantMethod;
  source: string;
  output: string;
  /** The external data file written beside the output, if any. */
  dataPath?: string;
  /** Bytes of the source model and of the output (model file plus external data). */
  sourceBytes: number;
  outputBytes: number;
  quantized: QuantizedNode[];
  skipped: SkippedNode[];
  /** Weights quantized (a weight shared by several nodes counts once). */
  weights: number;
  opset: { from: number; to: number };
  warnings: string[];
  durationMs: number;
}

export interface QuantizeProgress {
  done: number;
  total: number;
  tensor?: string;
}

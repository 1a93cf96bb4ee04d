// What the graph viewer's properties panel shows for a selected node, produced on request by the engine
// (engine/graph/node-details.ts) from the model: attribute values, inputs and outputs with dtypes and shapes, weight
// statistics, and the parameters of quantization ops in float terms. Plain JSON.
import type { GraphDim, GraphPath, TensorKind } from "./model-graph";

export interface AttributeDetails {
  name: string;
  /** ONNX attribute type: "INT", "FLOATS", "TENSOR", "GRAPH", … */
  type: string;
  /** The value as text (long lists and tensors shortened, with the full length said). */
  value: string;
}

/** Statistics of a weight's values (floats after dequantizing nothing: the stored numbers as they are). */
export interface WeightStats {
  elements: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Fraction (0..1) of elements that are exactly zero. */
  sparsity: number;
  /** NaN and ±Infinity values (left out of the other figures). */
  nonFinite: number;
  /** Equal-width bins from `min` to `max`. */
  histogram: { min: number; max: number; counts: number[] };
}

export interface TensorDetails {
  /** Index in the graph's `tensors`. */
  tensor: number;
  name: string;
  kind: TensorKind;
  dtype?: string;
  shape?: GraphDim[];
  shapeSource?: "declared" | "inferred";
  sizeBytes?: number;
  /** Initializers and Constant outputs: their statistics, when they were read. */
  stats?: WeightStats;
  /** Why there are no statistics (external data not read over a size limit, a dtype without numbers, …). */
  statsNote?: string;
}

/** One line of a quantization op's parameters in float terms, e.g. { label: "int8 range", value: "[-1.02, 1.01]" }. */
export interface QuantParamLine {
  label: string;
  value: string;
}

export interface NodeDetails {
  path: GraphPath;
  node: number;
  name: string;
  op: string;
  domain?: string;
  /** The op's opset in the model (for a link to its documentation). */
  opsetVersion?: number;
  docString?: string;
  attributes: AttributeDetails[];
  inputs: TensorDetails[];
  outputs: TensorDetails[];
  /** QuantizeLinear, DequantizeLinear, MatMulNBits, MatMulInteger, QLinear*: what the integers mean as floats. */
  quantization?: { summary: string; lines: QuantParamLine[] };
}

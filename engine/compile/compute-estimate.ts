// A per-node compute estimate in FLOPs (a multiply-add counts 2) from the shapes that shape propagation gives:
// exact formulas for the ops that dominate (Conv, ConvTranspose, MatMul, Gemm and their quantized and fused
// forms, RNNs, pooling); one FLOP per output element for elementwise math; 0 for ops that only move data.
import type { NodeProto } from "onnx-buf";
import { attrInt, attrInts } from "../onnx/node-attrs";
import type { TensorInfo } from "../onnx/tensor-info";

const product = (dims: number[]) => dims.reduce((p, d) => p * d, 1);
const elements = (info: TensorInfo | undefined) => (info?.shape ? product(info.shape) : 0);

/** Ops that only move, reshape or look up data: no arithmetic worth counting. */
const dataMovement = new Set([
  "Reshape",
  "Flatten",
  "Squeeze",
  "Unsqueeze",
  "Identity",
  "Transpose",
  "Concat",
  "Split",
  "Slice",
  "Gather",
  "GatherND",
  "GatherElements",
  "Shape",
  "Size",
  "Expand",
  "Tile",
  "Pad",
  "Cast",
  "CastLike",
  "ConstantOfShape",
  "Range",
  "DepthToSpace",
  "SpaceToDepth",
  "ScatterND",
  "ScatterElements",
  "NonZero",
  "Dropout",
  "Constant",
  "QuantizeLinear",
  "DequantizeLinear",
  "If",
  "Loop",
  "Scan",
]);

/** Elementwise ops that cost a few FLOPs per element. */
const perElement: Record<string, number> = {
  Softmax: 5,
  LogSoftmax: 5,
  LayerNormalization: 8,
  InstanceNormalization: 8,
  GroupNormalization: 8,
  BatchNormalization: 2,
  Gelu: 8,
  Erf: 4,
  Sigmoid: 4,
  Tanh: 4,
  HardSigmoid: 2,
  HardSwish: 3,
  Exp: 2,
  Log: 2,
  Sqrt: 2,
  Pow: 2,
};

function convFlops(
  node: NodeProto,
  weight: TensorInfo | undefined,
  output: TensorInfo | undefined,
  transpose: boolean,
  input?: TensorInfo,
): number {
  if (!weight?.shape || weight.shape.length < 3) return 0;
  const kernel = product(weight.shape.slice(2));
  if (transpose) {
    // Every input element is scattered into (M/group) × kernel outputs.
    if (!input?.shape) return 0;
    const outPerGroup = weight.shape[1];
    return 2 * elements(input) * outPerGroup * kernel;
  }
  if (!output?.shape) return 0;
  const inPerGroup = weight.shape[1];
  return 2 * elements(output) * inPerGroup * kernel;
}

function matmulFlops(a: TensorInfo | undefined, output: TensorInfo | undefined): number {
  if (!a?.shape || a.shape.length === 0 || !output?.shape) return 0;
  const k = a.shape[a.shape.length - 1];
  return 2 * elements(output) * k;
}

function rnnFlops(node: NodeProto, x: TensorInfo | undefined): number {
  if (!x?.shape || x.shape.length !== 3) return 0;
  const hidden = attrInt(node, "hidden_size", 0);
  const gates = node.opType === "LSTM" ? 4 : node.opType === "GRU" ? 3 : 1;
  const directions =
    new TextDecoder().decode(node.attribute.find((a) => a.name === "direction")?.s ?? new Uint8Array()) ===
    "bidirectional"
      ? 2
      : 1;
  const [seq, batch, inputSize] = attrInt(node, "layout", 0) === 1 ? [x.shape[1], x.shape[0], x.shape[2]] : x.shape;
  return 2 * directions * seq * batch * gates * hidden * (inputSize + hidden);
}

/**
 * FLOPs of one node for the given input and output infos (undefined entries where unknown). Returns 0 when the
 * shapes needed are unknown; the estimate is for comparing nodes and providers, not a cycle count.
 */
export function nodeFlops(
  node: NodeProto,
  inputs: (TensorInfo | undefined)[],
  outputs: (TensorInfo | undefined)[],
): number {
  const op = node.opType;
  const out = outputs[0];
  switch (op) {
    case "Conv":
    case "FusedConv":
    case "ConvInteger":
      return convFlops(node, inputs[1], out, false);
    case "QLinearConv":
      return convFlops(node, inputs[3], out, false);
    case "ConvTranspose":
      return convFlops(node, inputs[1], out, true, inputs[0]);
    case "MatMul":
    case "MatMulInteger":
    case "FusedMatMul":
      return matmulFlops(inputs[0], out);
    case "QLinearMatMul":
      return matmulFlops(inputs[0], out);
    case "MatMulNBits": {
      const k = attrInt(node, "K", 0);
      return 2 * elements(out) * k;
    }
    case "Gemm": {
      const a = inputs[0];
      if (!a?.shape || a.shape.length !== 2) return 0;
      const k = attrInt(node, "transA", 0) ? a.shape[0] : a.shape[1];
      return 2 * elements(out) * k + (node.input[2] ? elements(out) : 0);
    }
    case "LSTM":
    case "GRU":
    case "RNN":
      return rnnFlops(node, inputs[0]);
    case "MaxPool":
    case "AveragePool":
    case "LpPool": {
      const kernel = attrInts(node, "kernel_shape");
      return elements(out) * (kernel ? product(kernel) : 1);
    }
    case "GlobalAveragePool":
    case "GlobalMaxPool":
    case "ReduceMean":
    case "ReduceSum":
    case "ReduceMax":
    case "ReduceMin":
    case "ReduceProd":
    case "ReduceL2":
    case "ReduceSumSquare":
      return elements(inputs[0]);
    case "Resize":
    case "Upsample":
      return elements(out) * 4;
  }
  if (dataMovement.has(op)) return 0;
  return elements(out) * (perElement[op] ?? 1);
}

// How much each input channel of a weighted node (Conv, ConvTranspose, MatMul, Gemm) reaches its output: the energy
// of the weights that read the channel. Noise on an activation's channels, weighted by these gains, predicts the
// noise the next layer sees far better than the tensor's own SQNR (a small channel the next layer amplifies counts).
import type { NodeProto } from "onnx-buf";
import type { OnnxModel } from "../../onnx/read-model";
import { intAttr } from "../graph/edit";
import type { Planned } from "./plan";
import { readFloatTensor } from "../graph/tensor-store";

/** Which axis of an activation is its channel axis for a reader: 1 for convolutions, the last for MatMul/Gemm. */
export function readerAxis(node: NodeProto): "conv" | "last" {
  return node.opType === "Conv" || node.opType === "ConvTranspose" ? "conv" : "last";
}

/** Energy of the weights reading each input channel of `p` (its activation 0), or undefined when not known. */
export async function channelGains(model: OnnxModel, p: Planned): Promise<Float64Array | undefined> {
  const slot = p.rule.weight;
  const ref = slot === undefined ? undefined : p.constants.get(slot);
  if (!ref) return undefined;
  const dims = ref.tensor.dims.map(Number);
  const w = await readFloatTensor(model, ref.tensor);
  const op = p.node.opType;
  if (op === "Conv" && dims.length >= 2) {
    const group = intAttr(p.node, "group", 1);
    const [out, perGroup] = dims;
    const inner = dims.slice(2).reduce((a, b) => a * b, 1);
    const outPerGroup = out / group;
    const gain = new Float64Array(perGroup * group);
    for (let o = 0; o < out; o++) {
      const g = Math.floor(o / outPerGroup);
      for (let c = 0; c < perGroup; c++) {
        let sum = 0;
        const base = (o * perGroup + c) * inner;
        for (let k = 0; k < inner; k++) sum += w[base + k] * w[base + k];
        gain[g * perGroup + c] += sum;
      }
    }
    return gain;
  }
  if (op === "ConvTranspose" && dims.length >= 2 && intAttr(p.node, "group", 1) === 1) {
    const channels = dims[0];
    const inner = w.length / channels;
    const gain = new Float64Array(channels);
    for (let c = 0; c < channels; c++) for (let k = 0; k < inner; k++) gain[c] += w[c * inner + k] * w[c * inner + k];
    return gain;
  }
  const matmul = op === "MatMul" || (op === "Gemm" && !intAttr(p.node, "transA", 0));
  if (matmul && dims.length === 2) {
    const transposed = op === "Gemm" && intAttr(p.node, "transB", 0) === 1;
    const [rows, cols] = dims;
    const gain = new Float64Array(transposed ? cols : rows);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const v = w[r * cols + c];
        gain[transposed ? c : r] += v * v;
      }
    return gain;
  }
  return undefined;
}

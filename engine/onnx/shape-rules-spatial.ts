// Output shapes of spatial and sequence ops: Conv, ConvTranspose, pooling (max, average, Lp, global), Resize and
// Upsample, DepthToSpace/SpaceToDepth, the recurrent ops (LSTM, GRU, RNN) and the quantization ops.
import { type NodeProto, TensorProto_DataType as DT } from "onnx-buf";
import { attrFloats, attrInt, attrInts, attrString } from "./node-attrs";
import { shapeRules, type ShapeRule } from "./shape-rules";
import type { TensorInfo } from "./tensor-info";

function define(ops: string[], rule: ShapeRule): void {
  for (const op of ops) shapeRules.set(op, rule);
}

/**
 * Spatial output sizes of a sliding window (Conv and pooling), following the ONNX formulas for explicit pads and
 * for auto_pad SAME_UPPER / SAME_LOWER / VALID.
 */
function windowed(node: NodeProto, spatial: number[], kernel: number[], ceilMode: boolean): number[] | undefined {
  const n = spatial.length;
  if (kernel.length !== n) return undefined;
  const strides = attrInts(node, "strides") ?? new Array<number>(n).fill(1);
  const dilations = attrInts(node, "dilations") ?? new Array<number>(n).fill(1);
  const pads = attrInts(node, "pads") ?? new Array<number>(2 * n).fill(0);
  const autoPad = attrString(node, "auto_pad", "NOTSET");
  const round = ceilMode ? Math.ceil : Math.floor;
  return spatial.map((size, i) => {
    const extent = dilations[i] * (kernel[i] - 1) + 1;
    if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") return Math.ceil(size / strides[i]);
    if (autoPad === "VALID") return Math.ceil((size - extent + 1) / strides[i]);
    return round((size + pads[i] + pads[i + n] - extent) / strides[i]) + 1;
  });
}

define(["Conv", "ConvInteger", "QLinearConv"], (node, inputs) => {
  const quantized = node.opType === "QLinearConv";
  const x = inputs[0];
  const w = inputs[quantized ? 3 : 1];
  if (!x?.shape || x.shape.length < 3) return undefined;
  const kernel = attrInts(node, "kernel_shape") ?? w?.shape?.slice(2);
  const channels = w?.shape?.[0];
  if (!kernel || channels === undefined) return undefined;
  const spatial = windowed(node, x.shape.slice(2), kernel, false);
  if (!spatial) return undefined;
  const dtype = node.opType === "ConvInteger" ? DT.INT32 : quantized ? (inputs[7]?.dtype ?? x.dtype) : x.dtype;
  return [{ dtype, shape: [x.shape[0], channels, ...spatial] }];
});

define(["ConvTranspose"], (node, [x, w]) => {
  if (!x?.shape || !w?.shape || x.shape.length < 3) return undefined;
  const n = x.shape.length - 2;
  const group = attrInt(node, "group", 1);
  const channels = w.shape[1] * group;
  const explicit = attrInts(node, "output_shape");
  if (explicit) return [{ dtype: x.dtype, shape: [x.shape[0], channels, ...explicit.slice(-n)] }];
  const kernel = attrInts(node, "kernel_shape") ?? w.shape.slice(2);
  const strides = attrInts(node, "strides") ?? new Array<number>(n).fill(1);
  const dilations = attrInts(node, "dilations") ?? new Array<number>(n).fill(1);
  const outputPadding = attrInts(node, "output_padding") ?? new Array<number>(n).fill(0);
  const pads = attrInts(node, "pads") ?? new Array<number>(2 * n).fill(0);
  const autoPad = attrString(node, "auto_pad", "NOTSET");
  const spatial = x.shape.slice(2).map((size, i) => {
    if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") return size * strides[i];
    return strides[i] * (size - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1 - pads[i] - pads[i + n];
  });
  return [{ dtype: x.dtype, shape: [x.shape[0], channels, ...spatial] }];
});

define(["MaxPool", "AveragePool", "LpPool"], (node, [x]) => {
  const kernel = attrInts(node, "kernel_shape");
  if (!x?.shape || !kernel) return undefined;
  const spatial = windowed(node, x.shape.slice(2), kernel, attrInt(node, "ceil_mode", 0) === 1);
  if (!spatial) return undefined;
  const shape = [x.shape[0], x.shape[1], ...spatial];
  return [
    { dtype: x.dtype, shape },
    { dtype: DT.INT64, shape: [...shape] },
  ];
});

define(["GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"], (_node, [x]) =>
  x?.shape && x.shape.length >= 2
    ? [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] }]
    : undefined);

define(["Resize", "Upsample"], (node, inputs) => {
  const x = inputs[0];
  if (!x?.shape) return undefined;
  // Resize: X, roi, scales, sizes (opset 11+) or X, scales (opset 10); Upsample: X, scales (or a scales attribute).
  const scalesIndex = node.opType === "Upsample" || node.input.length === 2 ? 1 : 2;
  const sizes = node.input[3] ? inputs[3]?.values : undefined;
  const scales = node.input[scalesIndex] ? inputs[scalesIndex]?.values : attrFloats(node, "scales");
  const rank = x.shape.length;
  const axes = attrInts(node, "axes") ?? x.shape.map((_, i) => i);
  const shape = [...x.shape];
  if (sizes && sizes.length === axes.length) axes.forEach((a, k) => (shape[a < 0 ? a + rank : a] = sizes[k]));
  else if (scales && scales.length === axes.length)
    axes.forEach((a, k) => (shape[a < 0 ? a + rank : a] = Math.floor(x.shape![a < 0 ? a + rank : a] * scales[k])));
  else return undefined;
  return [{ dtype: x.dtype, shape }];
});

define(["DepthToSpace"], (node, [x]) => {
  const b = attrInt(node, "blocksize", 1);
  if (x?.shape?.length !== 4) return undefined;
  const [n, c, h, w] = x.shape;
  return [{ dtype: x.dtype, shape: [n, c / (b * b), h * b, w * b] }];
});
define(["SpaceToDepth"], (node, [x]) => {
  const b = attrInt(node, "blocksize", 1);
  if (x?.shape?.length !== 4) return undefined;
  const [n, c, h, w] = x.shape;
  return [{ dtype: x.dtype, shape: [n, c * b * b, Math.floor(h / b), Math.floor(w / b)] }];
});

/** LSTM, GRU, RNN: Y [seq, dirs, batch, hidden] and Y_h (and LSTM's Y_c) [dirs, batch, hidden]; layout 1 puts batch first. */
define(["LSTM", "GRU", "RNN"], (node, [x]) => {
  const hidden = attrInt(node, "hidden_size");
  if (x?.shape?.length !== 3 || hidden === undefined) return undefined;
  const dirs = attrString(node, "direction", "forward") === "bidirectional" ? 2 : 1;
  const batchFirst = attrInt(node, "layout", 0) === 1;
  const [seq, batch] = batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  const y: TensorInfo = { dtype: x.dtype, shape: batchFirst ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden] };
  const state: TensorInfo = { dtype: x.dtype, shape: batchFirst ? [batch, dirs, hidden] : [dirs, batch, hidden] };
  return node.opType === "LSTM" ? [y, state, { ...state, shape: [...state.shape!] }] : [y, state];
});

define(["QuantizeLinear"], (_node, [x, _scale, zeroPoint]) =>
  x?.shape ? [{ dtype: zeroPoint?.dtype ?? DT.UINT8, shape: [...x.shape] }] : undefined);
define(["DequantizeLinear"], (_node, [x, scale]) =>
  x?.shape ? [{ dtype: scale?.dtype ?? DT.FLOAT, shape: [...x.shape] }] : undefined);
define(["DynamicQuantizeLinear"], (_node, [x]) =>
  x?.shape
    ? [
        { dtype: DT.UINT8, shape: [...x.shape] },
        { dtype: DT.FLOAT, shape: [] },
        { dtype: DT.UINT8, shape: [] },
      ]
    : undefined);
define(["QLinearMatMul"], (_node, inputs) => {
  const [a, b] = [inputs[0]?.shape, inputs[3]?.shape];
  if (!a || !b || a.length < 2 || b.length < 2) return undefined;
  return [{ dtype: inputs[7]?.dtype ?? inputs[0]!.dtype, shape: [...a.slice(0, -1), b[b.length - 1]] }];
});

// The parameters of quantization ops in float terms, for the properties panel: what a stored integer means as a
// float (scale, zero point, the float range the integer type can represent, the step between two codes), per tensor
// or summarized per channel / block. Covers QuantizeLinear and DequantizeLinear (ONNX: y = (q − zero_point) · scale,
// `axis` for per-axis scales, `block_size` for blocked ones), DynamicQuantizeLinear (uint8, computed per call),
// MatMulInteger (integer zero points, no scale), onnxruntime's MatMulNBits (com.microsoft: B packed low bits first
// in blocks of `block_size` along K; scales per block; zero points packed like B or in the scales' type, 2^(bits−1)
// when absent) and the QLinear* ops (scale and zero point per quantized input and output).
import { type NodeProto, TensorProto_DataType as DT } from "onnx-buf";
import type { QuantParamLine } from "../../common/graph/node-details";
import { formatNumber } from "../../common/units";
import { dtypeName } from "../onnx/dtypes";
import { attrInt } from "../onnx/node-attrs";
import type { NumberView } from "./weight-stats";

/** A tensor's dtype and, when it could be read, its values. */
export interface TensorValues {
  dtype: number;
  dims: number[];
  values?: NumberView;
}

/** Looks up the values of the node's input `k` (undefined when absent or not a weight). */
export type InputValues = (k: number) => Promise<TensorValues | undefined>;

/** The integer range of a quantized type. */
export function integerRange(dtype: number): [number, number] | undefined {
  switch (dtype) {
    case DT.INT8:
      return [-128, 127];
    case DT.UINT8:
      return [0, 255];
    case DT.INT16:
      return [-32768, 32767];
    case DT.UINT16:
      return [0, 65535];
    case DT.INT4:
      return [-8, 7];
    case DT.UINT4:
      return [0, 15];
    case DT.INT32:
      return [-(2 ** 31), 2 ** 31 - 1];
    default:
      return undefined;
  }
}

const num = (x: number) => (Number.isInteger(x) && Math.abs(x) < 1e15 ? String(x) : formatNumber(x));

function summary(values: number[]): string {
  if (values.length === 1) return num(values[0]);
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) return `${num(min)} (all ${values.length})`;
  const sorted = [...values].sort((a, b) => a - b);
  return `${values.length} values, ${num(min)} … ${num(max)}, median ${num(sorted[sorted.length >> 1])}`;
}

function all(view: NumberView | undefined): number[] | undefined {
  if (!view) return undefined;
  const out = new Array<number>(view.length);
  for (let i = 0; i < view.length; i++) out[i] = view.at(i);
  return out;
}

/** Lines for one quantized tensor: its scale, zero point, float range and step. */
function quantizedLines(
  label: string,
  qtype: number,
  scale: TensorValues | undefined,
  zero: TensorValues | undefined,
  how?: string,
): QuantParamLine[] {
  const lines: QuantParamLine[] = [];
  const prefix = label ? `${label} ` : "";
  const scales = all(scale?.values);
  const zeros = all(zero?.values) ?? (scales ? scales.map(() => 0) : undefined);
  const type = dtypeName(qtype);
  if (!scales) {
    lines.push({ label: `${prefix}scale`, value: scale ? "not read (see its statistics)" : "computed at run time" });
    return lines;
  }
  lines.push({ label: `${prefix}scale`, value: `${summary(scales)}${how && scales.length > 1 ? ` (${how})` : ""}` });
  lines.push({ label: `${prefix}zero point`, value: `${summary(zeros!)}${zero ? "" : " (absent: 0)"}` });
  const range = integerRange(qtype);
  if (range) {
    let lo = Infinity;
    let hi = -Infinity;
    scales.forEach((s, i) => {
      const z = zeros![zeros!.length === scales.length ? i : 0] ?? 0;
      lo = Math.min(lo, (range[0] - z) * s, (range[1] - z) * s);
      hi = Math.max(hi, (range[0] - z) * s, (range[1] - z) * s);
    });
    lines.push({ label: `${prefix}${type} range`, value: `[${num(lo)}, ${num(hi)}]` });
  }
  lines.push({ label: `${prefix}step`, value: summary(scales.map(Math.abs)) });
  return lines;
}

function axisText(node: NodeProto, scale: TensorValues | undefined): string | undefined {
  if (!scale || scale.dims.every((d) => d === 1)) return undefined;
  const block = attrInt(node, "block_size", 0);
  return block > 0
    ? `blocks of ${block} along axis ${attrInt(node, "axis", 1)}`
    : `per channel, axis ${attrInt(node, "axis", 1)}`;
}

/** Unpacks MatMulNBits' uint8 zero points (`bits` per value, low bits first) into `count` numbers. */
function unpackBits(view: NumberView, bits: number, count: number, perRow: number, rows: number): number[] {
  const out: number[] = [];
  const perByte = 8 / bits;
  const rowBytes = Math.ceil(perRow / perByte);
  for (let r = 0; r < rows && out.length < count; r++)
    for (let k = 0; k < perRow; k++) {
      const at = r * rowBytes + Math.floor(k / perByte);
      if (at >= view.length) return out;
      out.push((view.at(at) >> ((k % perByte) * bits)) & ((1 << bits) - 1));
    }
  return out;
}

async function matMulNBits(node: NodeProto, input: InputValues): Promise<{ summary: string; lines: QuantParamLine[] }> {
  const k = attrInt(node, "K", 0);
  const n = attrInt(node, "N", 0);
  const bits = attrInt(node, "bits", 4);
  const block = attrInt(node, "block_size", 0);
  const blocks = block > 0 ? Math.ceil(k / block) : 0;
  const lines: QuantParamLine[] = [
    { label: "K × N", value: `${k} × ${n}` },
    { label: "bits", value: String(bits) },
    { label: "block size", value: `${block} (${blocks} blocks per column, ${n * blocks} in all)` },
  ];
  const accuracy = attrInt(node, "accuracy_level");
  if (accuracy !== undefined) lines.push({ label: "accuracy level", value: String(accuracy) });
  const scale = await input(2);
  const zero = await input(3);
  const scales = all(scale?.values);
  if (!scales) {
    lines.push({ label: "scales", value: scale ? "not read (see their statistics)" : "not found" });
    return { summary: `${bits}-bit weights in blocks of ${block}`, lines };
  }
  let zeros: number[];
  let zeroText: string;
  if (!zero) {
    zeros = scales.map(() => 2 ** (bits - 1));
    zeroText = `absent: ${2 ** (bits - 1)} (symmetric)`;
  } else if (zero.dtype === DT.UINT8 && zero.values) {
    zeros = unpackBits(zero.values, bits, scales.length, blocks, n);
    zeroText = summary(zeros);
  } else {
    zeros = all(zero.values) ?? scales.map(() => 2 ** (bits - 1));
    zeroText = zero.values ? `${summary(zeros)} (${dtypeName(zero.dtype)})` : "not read";
  }
  let lo = Infinity;
  let hi = -Infinity;
  scales.forEach((s, i) => {
    const z = zeros[i] ?? 2 ** (bits - 1);
    lo = Math.min(lo, -z * s, (2 ** bits - 1 - z) * s);
    hi = Math.max(hi, -z * s, (2 ** bits - 1 - z) * s);
  });
  lines.push(
    { label: "scale", value: `${summary(scales)} (per block)` },
    { label: "zero point", value: zeroText },
    { label: `uint${bits} range`, value: `[${num(lo)}, ${num(hi)}] (widest block)` },
    { label: "step", value: summary(scales.map(Math.abs)) },
  );
  return {
    summary: `${bits}-bit weights, ${blocks} blocks of ${block} per column; float = (q − zero point) · scale`,
    lines,
  };
}

/** QLinear* layouts: [label, quantized input, scale input, zero point input] (zero point −1: none). */
const qlinearLayouts: Record<string, [string, number, number, number][]> = {
  QLinearConv: [
    ["x", 0, 1, 2],
    ["w", 3, 4, 5],
    ["y", -1, 6, 7],
  ],
  QLinearMatMul: [
    ["a", 0, 1, 2],
    ["b", 3, 4, 5],
    ["y", -1, 6, 7],
  ],
  QLinearAdd: [
    ["A", 0, 1, 2],
    ["B", 3, 4, 5],
    ["C", -1, 6, 7],
  ],
  QLinearMul: [
    ["A", 0, 1, 2],
    ["B", 3, 4, 5],
    ["C", -1, 6, 7],
  ],
};
const unaryQLinear = [
  "QLinearSigmoid",
  "QLinearLeakyRelu",
  "QLinearAveragePool",
  "QLinearGlobalAveragePool",
  "QLinearSoftmax",
];

/**
 * The quantization view of a node, or undefined when it is not a quantization op. `dtypeOf(k)` is the dtype of
 * input k (or of output −1−k) as the graph knows it (0 when unknown).
 */
export async function quantization(
  node: NodeProto,
  input: InputValues,
  dtypeOf: (k: number) => number,
): Promise<{ summary: string; lines: QuantParamLine[] } | undefined> {
  const op = node.opType;
  if (op === "QuantizeLinear" || op === "DequantizeLinear") {
    const scale = await input(1);
    const zero = node.input[2] ? await input(2) : undefined;
    const output = attrInt(node, "output_dtype", 0);
    const qtype = zero?.dtype || (op === "QuantizeLinear" ? output || dtypeOf(-1) || DT.UINT8 : dtypeOf(0) || DT.UINT8);
    const lines = quantizedLines("", qtype, scale, zero, axisText(node, scale));
    const formula =
      op === "QuantizeLinear"
        ? `float → ${dtypeName(qtype)}: q = saturate(round(x / scale) + zero point)`
        : `${dtypeName(qtype)} → float: x = (q − zero point) · scale`;
    return { summary: formula, lines };
  }
  if (op === "DynamicQuantizeLinear")
    return {
      summary: "float → uint8 with scale and zero point computed per call from the input's range",
      lines: [
        { label: "scale", value: "(max(x, 0) − min(x, 0)) / 255, per call" },
        { label: "zero point", value: "round(−min(x, 0) / scale), clipped to [0, 255], per call" },
      ],
    };
  if (op === "MatMulInteger" || op === "ConvInteger") {
    const lines: QuantParamLine[] = [];
    const [a, b] = op === "MatMulInteger" ? ["A", "B"] : ["x", "w"];
    for (const [label, k, zk] of [
      [a, 0, 2],
      [b, 1, 3],
    ] as const) {
      const type = dtypeName(dtypeOf(k) || DT.UINT8);
      let value = "absent: 0";
      if (node.input[zk]) {
        const zero = await input(zk);
        value = zero?.values
          ? summary(all(zero.values)!)
          : zero
            ? "not read"
            : `tensor "${node.input[zk]}", computed at run time`;
      }
      lines.push({ label: `${label} zero point`, value: `${value} (${type})` });
    }
    return {
      summary: `integer ${op === "MatMulInteger" ? "matrix product" : "convolution"} of (q − zero point) values, accumulated in int32; the scales are applied after it`,
      lines,
    };
  }
  if (op === "MatMulNBits") return matMulNBits(node, input);
  if (!op.startsWith("QLinear") && !op.startsWith("DynamicQuantize")) return undefined;
  let layout = qlinearLayouts[op];
  if (!layout && unaryQLinear.includes(op))
    layout = [
      ["X", 0, 1, 2],
      ["Y", -1, 3, 4],
    ];
  if (!layout && op === "QLinearConcat") {
    layout = [["Y", -1, 0, 1]];
    for (let i = 2; i + 2 < node.input.length + 1; i += 3) layout.push([`input ${(i - 2) / 3}`, i, i + 1, i + 2]);
  }
  if (!layout) return { summary: `${op}: quantized operator (parameters not decoded)`, lines: [] };
  const lines: QuantParamLine[] = [];
  for (const [label, q, s, z] of layout) {
    if (!node.input[s]) continue;
    const zero = node.input[z] ? await input(z) : undefined;
    const qtype = zero?.dtype || (q >= 0 ? dtypeOf(q) : dtypeOf(-1)) || DT.UINT8;
    lines.push(...quantizedLines(label, qtype, await input(s), zero));
  }
  return { summary: `${op}: integer inputs and outputs with float scales; float = (q − zero point) · scale`, lines };
}

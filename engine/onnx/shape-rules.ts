// Output shapes (and, for small integer tensors, values) of common ONNX ops from their inputs: elementwise and
// broadcasting ops, MatMul, Gemm, Reshape, Flatten, Transpose, Concat, Gather, Squeeze/Unsqueeze, Slice, Split,
// reductions, Shape, Expand, Tile, ConstantOfShape, Range, Where, TopK, Pad, Cast. Spatial ops (Conv, pooling,
// Resize, RNNs) are in shape-rules-spatial.ts. A rule returns undefined (or undefined outputs) when it cannot tell;
// shape propagation then falls back to its documented assumption.
import { type NodeProto, TensorProto_DataType as DT } from "onnx-buf";
import { smallTensorValues } from "./tensor-proto";
import { attrInt, attrInts, attrTensor } from "./node-attrs";
import { type TensorInfo, withValues } from "./tensor-info";

export type Outputs = (TensorInfo | undefined)[];
/**
 * A rule sees the node and what is known of its inputs. Ops whose inputs moved from attributes in later opsets
 * (Reshape, Slice, Squeeze, Split, Pad, reductions) are told apart by the node itself (input present or not).
 */
export type ShapeRule = (node: NodeProto, inputs: (TensorInfo | undefined)[]) => Outputs | undefined;

export const shapeRules = new Map<string, ShapeRule>();

function define(ops: string[], rule: ShapeRule): void {
  for (const op of ops) shapeRules.set(op, rule);
}

export function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Numpy-style multidirectional broadcasting; undefined if a shape is unknown or the shapes do not broadcast. */
export function broadcast(shapes: (number[] | undefined)[]): number[] | undefined {
  if (shapes.some((s) => !s)) return undefined;
  const rank = Math.max(0, ...shapes.map((s) => s!.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let dim = 1;
    for (const s of shapes) {
      const d = s![s!.length - rank + i] ?? 1;
      if (d === 1) continue;
      if (dim !== 1 && d !== dim) return undefined;
      dim = d;
    }
    out.push(dim);
  }
  return out;
}

const product = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

/**
 * Values of a small tensor re-indexed: output axis k runs over `picks[k]`, indices into input axis `axes[k]`
 * (a Transpose is a permutation of full ranges, a Slice a subset of each axis in place).
 */
function gatherValues(values: number[], shape: number[], picks: number[][], axes: number[]): number[] | undefined {
  if (values.length !== product(shape)) return undefined;
  const strides = shape.map((_, i) => product(shape.slice(i + 1)));
  const out: number[] = [];
  const visit = (k: number, offset: number) => {
    if (k === picks.length) {
      out.push(values[offset]);
      return;
    }
    for (const i of picks[k]) visit(k + 1, offset + i * strides[axes[k]]);
  };
  visit(0, 0);
  return out;
}

// ---- elementwise -------------------------------------------------------------------------------------------------

const unary = [
  "Abs",
  "Acos",
  "Acosh",
  "Asin",
  "Asinh",
  "Atan",
  "Atanh",
  "Ceil",
  "Celu",
  "Clip",
  "Cos",
  "Cosh",
  "CumSum",
  "Elu",
  "Erf",
  "Exp",
  "Floor",
  "Gelu",
  "HardSigmoid",
  "HardSwish",
  "Hardmax",
  "LeakyRelu",
  "Log",
  "LogSoftmax",
  "LpNormalization",
  "MeanVarianceNormalization",
  "Mish",
  "Neg",
  "Reciprocal",
  "Relu",
  "Round",
  "Selu",
  "Shrink",
  "Sigmoid",
  "Sign",
  "Sin",
  "Sinh",
  "Softmax",
  "Softplus",
  "Softsign",
  "Sqrt",
  "Tan",
  "Tanh",
  "ThresholdedRelu",
  "Trilu",
  "BatchNormalization",
  "InstanceNormalization",
  "GroupNormalization",
  "LRN",
  "ReverseSequence",
  "ScatterND",
  "ScatterElements",
  "Scatter",
  "EyeLike",
  "BitwiseNot",
  "Swish",
];
define(unary, (node, [x]) => (x?.shape ? [{ dtype: x.dtype, shape: [...x.shape] }] : undefined));
define(["LayerNormalization"], (node, [x]) => {
  if (!x?.shape) return undefined;
  const axis = axisOf(attrInt(node, "axis", -1), x.shape.length);
  const stats = { dtype: DT.FLOAT, shape: x.shape.map((d, i) => (i < axis ? d : 1)) };
  return [{ dtype: x.dtype, shape: [...x.shape] }, stats, { ...stats, shape: [...stats.shape] }];
});
define(["Identity"], (_node, [x]) => (x ? [{ ...x }] : undefined));
define(["RandomUniformLike", "RandomNormalLike", "Bernoulli"], (node, [x]) =>
  x?.shape ? [{ dtype: attrInt(node, "dtype", x.dtype), shape: [...x.shape] }] : undefined);
define(["Dropout"], (_node, [x]) =>
  x?.shape
    ? [
        { dtype: x.dtype, shape: [...x.shape] },
        { dtype: DT.BOOL, shape: [...x.shape] },
      ]
    : undefined);
define(["IsNaN", "IsInf"], (_node, [x]) => (x?.shape ? [{ dtype: DT.BOOL, shape: [...x.shape] }] : undefined));
define(["Cast"], (node, [x]) => {
  if (!x?.shape) return undefined;
  const to = attrInt(node, "to", DT.FLOAT);
  const floating = to === DT.FLOAT || to === DT.DOUBLE || to === DT.FLOAT16 || to === DT.BFLOAT16;
  return [
    withValues(
      { dtype: to, shape: [...x.shape] },
      x.values?.map((v) => (to === DT.BOOL ? Number(v !== 0) : floating ? v : Math.trunc(v))),
    ),
  ];
});
define(["CastLike"], (_node, [x, like]) =>
  x?.shape ? [{ dtype: like?.dtype ?? x.dtype, shape: [...x.shape] }] : undefined);

function elementwiseValues(
  a: number[] | undefined,
  b: number[] | undefined,
  op: (x: number, y: number) => number,
): number[] | undefined {
  if (!a || !b) return undefined;
  if (a.length !== b.length && a.length !== 1 && b.length !== 1) return undefined;
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => op(a[a.length === 1 ? 0 : i], b[b.length === 1 ? 0 : i]));
}

const arithmetic: Partial<Record<string, (x: number, y: number) => number>> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y) => (y === 0 ? Number.NaN : x / y),
  Max: Math.max,
  Min: Math.min,
};
define([
  "Add",
  "Sub",
  "Mul",
  "Div",
  "Pow",
  "Mod",
  "Max",
  "Min",
  "Sum",
  "Mean",
  "PRelu",
  "BitShift",
  "BitwiseAnd",
  "BitwiseOr",
  "BitwiseXor",
], (node, inputs) => {
  const shape = broadcast(inputs.filter((_, i) => node.input[i]).map((i) => i?.shape));
  if (!shape || !inputs[0]) return undefined;
  const dtype = inputs[0].dtype;
  const op = arithmetic[node.opType];
  let values = op && inputs.length === 2 ? elementwiseValues(inputs[0].values, inputs[1]?.values, op) : undefined;
  if (values && dtype !== DT.FLOAT && dtype !== DT.DOUBLE && dtype !== DT.FLOAT16) values = values.map(Math.trunc);
  return [withValues({ dtype, shape }, values)];
});
const comparison: Record<string, (x: number, y: number) => boolean> = {
  Equal: (x, y) => x === y,
  Less: (x, y) => x < y,
  Greater: (x, y) => x > y,
  LessOrEqual: (x, y) => x <= y,
  GreaterOrEqual: (x, y) => x >= y,
  And: (x, y) => Boolean(x && y),
  Or: (x, y) => Boolean(x || y),
  Xor: (x, y) => Boolean(x) !== Boolean(y),
};
define(Object.keys(comparison), (node, [a, b]) => {
  const shape = broadcast([a?.shape, b?.shape]);
  const compare = comparison[node.opType];
  return shape
    ? [
        withValues(
          { dtype: DT.BOOL, shape },
          elementwiseValues(a?.values, b?.values, (x, y) => Number(compare(x, y))),
        ),
      ]
    : undefined;
});
define(["Not"], (_node, [x]) =>
  x?.shape
    ? [
        withValues(
          { dtype: DT.BOOL, shape: [...x.shape] },
          x.values?.map((v) => Number(!v)),
        ),
      ]
    : undefined);
define(["Where"], (_node, [c, x, y]) => {
  const shape = broadcast([c?.shape, x?.shape, y?.shape]);
  return shape ? [{ dtype: x?.dtype ?? y?.dtype ?? 0, shape }] : undefined;
});

// ---- linear algebra ----------------------------------------------------------------------------------------------

function matmulShape(a: number[] | undefined, b: number[] | undefined): number[] | undefined {
  if (!a || !b || a.length === 0 || b.length === 0) return undefined;
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)]);
  if (!batch) return undefined;
  const out = [...batch, a2[a2.length - 2], b2[b2.length - 1]];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.splice(out.length - 1, 1);
  return out;
}
define(["MatMul"], (_node, [a, b]) => {
  const shape = matmulShape(a?.shape, b?.shape);
  return shape ? [{ dtype: a!.dtype, shape }] : undefined;
});
define(["MatMulInteger"], (_node, [a, b]) => {
  const shape = matmulShape(a?.shape, b?.shape);
  return shape ? [{ dtype: DT.INT32, shape }] : undefined;
});
define(["Gemm"], (node, [a, b]) => {
  if (a?.shape?.length !== 2 || b?.shape?.length !== 2) return undefined;
  const m = attrInt(node, "transA", 0) ? a.shape[1] : a.shape[0];
  const n = attrInt(node, "transB", 0) ? b.shape[0] : b.shape[1];
  return [{ dtype: a.dtype, shape: [m, n] }];
});

// ---- shape manipulation ------------------------------------------------------------------------------------------

define(["Shape"], (node, [x]) => {
  if (!x?.shape) return undefined;
  const rank = x.shape.length;
  const clamp = (v: number) => Math.min(Math.max(axisOf(v, rank), 0), rank);
  const dims = x.shape.slice(clamp(attrInt(node, "start", 0)), clamp(attrInt(node, "end", rank)));
  return [withValues({ dtype: DT.INT64, shape: [dims.length] }, dims)];
});
define(["Size"], (_node, [x]) =>
  x?.shape ? [withValues({ dtype: DT.INT64, shape: [] }, [product(x.shape)])] : undefined);

/** The values of input `index`, or of the attribute that held them in older opsets. */
function valuesFrom(
  node: NodeProto,
  inputs: (TensorInfo | undefined)[],
  index: number,
  attribute: string,
): number[] | undefined {
  if (node.input[index]) return inputs[index]?.values;
  return attrInts(node, attribute);
}

define(["Reshape"], (node, [x, target]) => {
  const spec = node.input[1] ? target?.values : attrInts(node, "shape");
  if (!x?.shape || !spec) return undefined;
  const allowZero = attrInt(node, "allowzero", 0) === 1;
  const out = spec.map((d, i) => (d === 0 && !allowZero ? x.shape![i] : d));
  const known = out.filter((d) => d !== -1);
  if (out.length - known.length > 1 || known.some((d) => d === undefined)) return undefined;
  const missing = out.indexOf(-1);
  if (missing !== -1) out[missing] = product(known) === 0 ? 0 : product(x.shape) / product(known);
  if (!out.every(Number.isInteger)) return undefined;
  return [withValues({ dtype: x.dtype, shape: out }, x.values)];
});
define(["Flatten"], (node, [x]) => {
  if (!x?.shape) return undefined;
  const axis = axisOf(attrInt(node, "axis", 1), x.shape.length);
  return [{ dtype: x.dtype, shape: [product(x.shape.slice(0, axis)), product(x.shape.slice(axis))] }];
});
define(["Transpose"], (node, [x]) => {
  if (!x?.shape) return undefined;
  const perm = attrInts(node, "perm") ?? x.shape.map((_, i) => x.shape!.length - 1 - i);
  const shape = perm.map((p) => x.shape![p]);
  if (shape.some((d) => d === undefined)) return undefined;
  const values =
    x.values &&
    gatherValues(
      x.values,
      x.shape,
      perm.map((p) => Array.from({ length: x.shape![p] }, (_, i) => i)),
      perm,
    );
  return [withValues({ dtype: x.dtype, shape }, values)];
});
define(["Concat"], (node, inputs) => {
  const present = inputs.filter((_, i) => node.input[i]);
  if (present.length === 0 || present.some((i) => !i?.shape)) return undefined;
  const first = present[0]!.shape!;
  const axis = axisOf(attrInt(node, "axis", 0), first.length);
  const shape = [...first];
  shape[axis] = present.reduce((sum, i) => sum + (i!.shape![axis] ?? 0), 0);
  const values = present.every((i) => i!.values && i!.shape!.length <= 1)
    ? present.flatMap((i) => i!.values!)
    : undefined;
  return [withValues({ dtype: present[0]!.dtype, shape }, values)];
});
define(["Gather"], (node, [data, indices]) => {
  if (!data?.shape || !indices?.shape) return undefined;
  const axis = axisOf(attrInt(node, "axis", 0), data.shape.length);
  const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  let values: number[] | undefined;
  if (data.values && indices.values && data.shape.length === 1) {
    values = indices.values.map((i) => data.values![i < 0 ? i + data.shape![0] : i]);
    if (values.some((v) => v === undefined)) values = undefined;
  }
  return [withValues({ dtype: data.dtype, shape }, values)];
});
define(["GatherElements"], (_node, [data, indices]) =>
  data && indices?.shape ? [{ dtype: data.dtype, shape: [...indices.shape] }] : undefined);
define(["Squeeze"], (node, inputs) => {
  const x = inputs[0];
  if (!x?.shape) return undefined;
  const axesGiven = node.input[1] ? true : attrInts(node, "axes") !== undefined;
  const axes = valuesFrom(node, inputs, 1, "axes");
  if (axesGiven && !axes) return undefined;
  const drop = new Set(
    (axes ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => axisOf(a, x.shape!.length)),
  );
  return [withValues({ dtype: x.dtype, shape: x.shape.filter((_, i) => !drop.has(i)) }, x.values)];
});
define(["Unsqueeze"], (node, inputs) => {
  const x = inputs[0];
  const axes = valuesFrom(node, inputs, 1, "axes");
  if (!x?.shape || !axes) return undefined;
  const rank = x.shape.length + axes.length;
  const at = new Set(axes.map((a) => axisOf(a, rank)));
  const shape: number[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) shape.push(at.has(i) ? 1 : x.shape[next++]);
  if (shape.some((d) => d === undefined)) return undefined;
  return [withValues({ dtype: x.dtype, shape }, x.values)];
});
define(["Slice"], (node, inputs) => {
  const x = inputs[0];
  if (!x?.shape) return undefined;
  const old = ctxOld(node);
  const starts = old ? attrInts(node, "starts") : inputs[1]?.values;
  const ends = old ? attrInts(node, "ends") : inputs[2]?.values;
  const axesIn = old ? attrInts(node, "axes") : node.input[3] ? inputs[3]?.values : undefined;
  const steps = old ? undefined : node.input[4] ? inputs[4]?.values : undefined;
  if (!starts || !ends || (!old && node.input[3] && !axesIn) || (node.input[4] && !steps)) return undefined;
  const rank = x.shape.length;
  const shape = [...x.shape];
  const ranges = x.shape.map((d) => [0, d, 1]);
  const axes = axesIn ?? starts.map((_, i) => i);
  for (let k = 0; k < axes.length; k++) {
    const axis = axisOf(axes[k], rank);
    const dim = x.shape[axis];
    const step = steps?.[k] ?? 1;
    if (step === 0 || dim === undefined) return undefined;
    let start = starts[k] < 0 ? starts[k] + dim : starts[k];
    let end = ends[k] < 0 ? ends[k] + dim : ends[k];
    if (step > 0) {
      start = Math.min(Math.max(start, 0), dim);
      end = Math.min(Math.max(end, 0), dim);
    } else {
      start = Math.min(Math.max(start, -1), dim - 1);
      end = Math.min(Math.max(end, -1), dim - 1);
    }
    shape[axis] = Math.max(0, Math.ceil((end - start) / step));
    ranges[axis] = [start, end, step];
  }
  const picks = ranges.map(([start, end, step]) => {
    const indices: number[] = [];
    for (let i = start; step > 0 ? i < end : i > end; i += step) indices.push(i);
    return indices;
  });
  const values =
    x.values &&
    gatherValues(
      x.values,
      x.shape,
      picks,
      x.shape.map((_, i) => i),
    );
  return [withValues({ dtype: x.dtype, shape }, values)];
});
/** Slice took its ranges from attributes before opset 10: detectable from the node itself. */
function ctxOld(node: NodeProto): boolean {
  return node.input.length === 1 && attrInts(node, "starts") !== undefined;
}
define(["Split"], (node, inputs) => {
  const x = inputs[0];
  if (!x?.shape) return undefined;
  const axis = axisOf(attrInt(node, "axis", 0), x.shape.length);
  const dim = x.shape[axis];
  const count = node.output.length;
  let sizes = node.input[1] ? inputs[1]?.values : attrInts(node, "split");
  if (node.input[1] && !sizes) return undefined;
  if (!sizes) {
    const chunk = Math.ceil(dim / count);
    sizes = Array.from({ length: count }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  }
  return sizes.map((size) => ({ dtype: x.dtype, shape: x.shape!.map((d, i) => (i === axis ? size : d)) }));
});

// ---- reductions ----------------------------------------------------------------------------------------------------

function reduced(shape: number[], axes: number[] | undefined, keepDims: boolean, noopWhenEmpty: boolean): number[] {
  if (!axes || axes.length === 0) {
    if (noopWhenEmpty) return [...shape];
    axes = shape.map((_, i) => i);
  }
  const set = new Set(axes.map((a) => axisOf(a, shape.length)));
  return keepDims ? shape.map((d, i) => (set.has(i) ? 1 : d)) : shape.filter((_, i) => !set.has(i));
}
define([
  "ReduceMean",
  "ReduceSum",
  "ReduceMax",
  "ReduceMin",
  "ReduceProd",
  "ReduceL1",
  "ReduceL2",
  "ReduceLogSum",
  "ReduceLogSumExp",
  "ReduceSumSquare",
], (node, inputs) => {
  const x = inputs[0];
  if (!x?.shape) return undefined;
  const axes = node.input[1] ? inputs[1]?.values : attrInts(node, "axes");
  if (node.input[1] && !axes) return undefined;
  return [
    {
      dtype: x.dtype,
      shape: reduced(x.shape, axes, attrInt(node, "keepdims", 1) === 1, attrInt(node, "noop_with_empty_axes", 0) === 1),
    },
  ];
});
define(["ArgMax", "ArgMin"], (node, [x]) => {
  if (!x?.shape) return undefined;
  return [
    { dtype: DT.INT64, shape: reduced(x.shape, [attrInt(node, "axis", 0)], attrInt(node, "keepdims", 1) === 1, false) },
  ];
});

// ---- generators and broadcasting copies ----------------------------------------------------------------------------

define(["Expand"], (_node, [x, shape]) => {
  const target = shape?.values;
  const out = target && broadcast([x?.shape, target]);
  return out ? [{ dtype: x!.dtype, shape: out }] : undefined;
});
define(["Tile"], (_node, [x, repeats]) => {
  if (!x?.shape || !repeats?.values || repeats.values.length !== x.shape.length) return undefined;
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => d * repeats.values![i]) }];
});
define(["ConstantOfShape"], (node, [shape]) => {
  if (!shape?.values) return undefined;
  const value = attrTensor(node, "value");
  const dtype = value?.dataType ?? DT.FLOAT;
  const fill = value ? (smallTensorValues(value, 1)?.[0] ?? 0) : 0;
  const n = product(shape.values);
  return [withValues({ dtype, shape: [...shape.values] }, n <= 64 ? new Array<number>(n).fill(fill) : undefined)];
});
define(["Range"], (_node, [start, limit, delta]) => {
  const [s, l, d] = [start?.values?.[0], limit?.values?.[0], delta?.values?.[0]];
  if (s === undefined || l === undefined || d === undefined || d === 0) return undefined;
  const n = Math.max(Math.ceil((l - s) / d), 0);
  return [
    withValues(
      { dtype: start!.dtype, shape: [n] },
      n <= 64 ? Array.from({ length: n }, (_, i) => s + i * d) : undefined,
    ),
  ];
});
define(["TopK"], (node, [x, k]) => {
  if (!x?.shape) return undefined;
  const kValue = node.input[1] ? k?.values?.[0] : attrInt(node, "k");
  if (kValue === undefined) return undefined;
  const axis = axisOf(attrInt(node, "axis", -1), x.shape.length);
  const shape = x.shape.map((d, i) => (i === axis ? kValue : d));
  return [
    { dtype: x.dtype, shape },
    { dtype: DT.INT64, shape: [...shape] },
  ];
});
define(["NonZero"], (_node, [x]) =>
  x?.shape ? [{ dtype: DT.INT64, shape: [x.shape.length, product(x.shape)] }] : undefined);
define(["Pad"], (node, inputs) => {
  const x = inputs[0];
  if (!x?.shape) return undefined;
  const pads = node.input[1] ? inputs[1]?.values : (attrInts(node, "pads") ?? attrInts(node, "paddings"));
  if (!pads) return undefined;
  const rank = x.shape.length;
  const axes = node.input[3] ? inputs[3]?.values : x.shape.map((_, i) => i);
  if (!axes || pads.length !== 2 * axes.length) return undefined;
  const shape = [...x.shape];
  axes.forEach((a, k) => {
    const axis = axisOf(a, rank);
    shape[axis] += pads[k] + pads[k + axes.length];
  });
  return [{ dtype: x.dtype, shape }];
});

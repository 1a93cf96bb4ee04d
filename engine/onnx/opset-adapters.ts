// The per-version rules of the opset upgrade: for each (operator, opset version) step of the default ONNX domain,
// either an adapter that rewrites the node into that version's form with the same meaning (or refuses, saying why),
// or the reason, read from the ONNX changelog, why the node is accepted as it is. A step with no rule refuses.
import { create } from "@bufbuild/protobuf";
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  type NodeProto,
  TensorProto_DataType as DT,
} from "onnx-buf";
import { attrFloats, attrInt, attrInts, attrString } from "./node-attrs";

export interface AdaptContext {
  node: NodeProto;
  /** The operator version the node is being moved to (a since_version of its op). */
  to: number;
  /** A new constant input (an initializer, or a Constant node where there are no initializers); returns its name. */
  constInput(base: string, dtype: number, dims: number[], values: number[]): string;
  /** Values of a constant input (initializer or Constant output), when small and known. */
  constValues(name: string): number[] | undefined;
  /** Rank and element type of a value, when known for sure (declared, or propagated by an op rule). */
  rank(name: string): number | undefined;
  dtype(name: string): number | undefined;
  refuse(reason: string, hint?: string): never;
}

/** Rewrites the node in place; returns what it did, starting with "unchanged:" when it only checked the node. */
export type Adapter = (ctx: AdaptContext) => string;

function dropAttrs(node: NodeProto, ...names: string[]): void {
  node.attribute = node.attribute.filter((a) => !names.includes(a.name));
}

function setStringAttr(node: NodeProto, name: string, value: string): void {
  dropAttrs(node, name);
  node.attribute.push(create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(value) }));
}

function setIntAttr(node: NodeProto, name: string, value: number): void {
  dropAttrs(node, name);
  node.attribute.push(create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(value) }));
}

/** Puts `names` at input positions `from…` (trailing empty names trimmed). */
function setInputs(node: NodeProto, from: number, names: string[]): void {
  const inputs = [...node.input.slice(0, from), ...names];
  while (inputs.length > 0 && inputs[inputs.length - 1] === "") inputs.pop();
  node.input = inputs;
}

const FLOAT_TYPES = new Set<number>([DT.FLOAT, DT.DOUBLE, DT.FLOAT16]);

/** An int attribute list moved to an int64 input at `position` (nothing when the attribute is absent). */
function intsToInput(names: string[], position: (name: string) => number, why: string): Adapter {
  return (ctx) => {
    const moved: string[] = [];
    const inputs: string[] = [];
    for (const name of names) {
      const values = attrInts(ctx.node, name);
      inputs[position(name)] = values ? ctx.constInput(name, DT.INT64, [values.length], values) : "";
      if (values) moved.push(name);
    }
    const first = Math.min(...names.map(position));
    setInputs(
      ctx.node,
      first,
      Array.from({ length: inputs.length - first }, (_, k) => inputs[first + k] ?? ""),
    );
    dropAttrs(ctx.node, ...names);
    return moved.length > 0
      ? `${moved.join(", ")} attribute${moved.length > 1 ? "s" : ""} moved to input${moved.length > 1 ? "s" : ""} (${why})`
      : `unchanged: no ${names.join("/")} attribute to move (${why})`;
  };
}

/** Softmax, LogSoftmax, Hardmax 1/11 → 13: from "coerce to 2-D at axis" to "along one axis": equal only at the last axis. */
const softmax13: Adapter = (ctx) => {
  const op = ctx.node.opType;
  const axis = attrInt(ctx.node, "axis", 1);
  const rank = ctx.rank(ctx.node.input[0]);
  const hint = "re-export the model at opset ≥ 13, or keep the model's opset for this step";
  if (rank === undefined)
    return ctx.refuse(
      `${op} before opset 13 flattens the input to 2-D at axis ${axis}, opset 13 works along that one axis only; the two agree only when the axis is the last, and the rank of input "${ctx.node.input[0]}" is not known`,
      `${hint}; or declare the input's shape (value_info)`,
    );
  const normal = axis < 0 ? axis + rank : axis;
  if (normal !== rank - 1)
    return ctx.refuse(
      `${op} on axis ${axis} of a rank-${rank} input: before opset 13 it normalises over all axes from ${normal} on (flattened to 2-D), opset 13 over axis ${normal} alone, which differ unless the axis is the last`,
      hint,
    );
  setIntAttr(ctx.node, "axis", normal);
  return `axis ${axis} is the last of rank ${rank}: written explicitly as ${normal}`;
};

/** Clip 6 → 11: min/max attributes become inputs of the input's type. */
const clip11: Adapter = (ctx) => {
  const min = findFloat(ctx.node, "min");
  const max = findFloat(ctx.node, "max");
  const dtype = ctx.dtype(ctx.node.input[0]);
  if (dtype === undefined || !FLOAT_TYPES.has(dtype))
    return ctx.refuse(
      `Clip 6 → 11 moves min/max to inputs that must have the input's element type, and the element type of "${ctx.node.input[0]}" is ${dtype === undefined ? "not known" : `${dtype}, not a float type`}`,
      "declare the input's type (value_info), or re-export the model at opset ≥ 11",
    );
  // Opset 6 defaults are ±FLT_MAX, which clamp ±inf in float and double; in float16 they are ±inf, i.e. no bound.
  const lo = min ?? (dtype === DT.FLOAT16 ? undefined : -3.4028234663852886e38);
  const hi = max ?? (dtype === DT.FLOAT16 ? undefined : 3.4028234663852886e38);
  setInputs(ctx.node, 1, [
    lo === undefined ? "" : ctx.constInput("min", dtype, [], [lo]),
    hi === undefined ? "" : ctx.constInput("max", dtype, [], [hi]),
  ]);
  dropAttrs(ctx.node, "min", "max");
  return `min ${lo ?? "none"} and max ${hi ?? "none"} moved from attributes to inputs`;
};

function findFloat(node: NodeProto, name: string): number | undefined {
  const a = node.attribute.find((x) => x.name === name);
  return a ? a.f : undefined;
}

/** Pad 2 → 11: pads become an int64 input, a non-zero constant `value` an input of the data's type. */
const pad11: Adapter = (ctx) => {
  const pads = attrInts(ctx.node, "pads") ?? ctx.refuse("Pad 2 has no pads attribute");
  const mode = attrString(ctx.node, "mode", "constant");
  const value = findFloat(ctx.node, "value") ?? 0;
  let constant = "";
  if (mode === "constant" && value !== 0) {
    const dtype = ctx.dtype(ctx.node.input[0]);
    if (dtype === undefined || !FLOAT_TYPES.has(dtype))
      return ctx.refuse(
        `Pad 2 → 11 moves the pad value ${value} to an input of the data's element type, which is not known here`,
        "declare the input's type (value_info), or re-export the model at opset ≥ 11",
      );
    constant = ctx.constInput("pad_value", dtype, [], [value]);
  }
  setInputs(ctx.node, 1, [ctx.constInput("pads", DT.INT64, [pads.length], pads), constant]);
  dropAttrs(ctx.node, "pads", "value");
  return `pads${constant ? " and value" : ""} moved from attributes to inputs`;
};

/** Upsample 7 → 9: scales become a float input. */
const upsample9: Adapter = (ctx) => {
  const scales = attrFloats(ctx.node, "scales") ?? ctx.refuse("Upsample 7 has no scales attribute");
  setInputs(ctx.node, 1, [ctx.constInput("scales", DT.FLOAT, [scales.length], scales)]);
  dropAttrs(ctx.node, "scales");
  return "scales moved from attribute to input";
};

/** Upsample 9 → 10: deprecated in 10; Resize 10 has the same inputs, attribute and output-size formula. */
const upsample10: Adapter = (ctx) => {
  ctx.node.opType = "Resize";
  return "replaced by Resize 10 (same inputs, mode and output size floor(input × scale))";
};

/**
 * Resize 10 → 11: an empty roi input goes before scales; 10 maps output to input coordinates as x / scale
 * ("asymmetric"); its nearest pick is floor when upsampling (ONNX Runtime's opset-10 behaviour), so nearest needs
 * constant scales ≥ 1.
 */
const resize11: Adapter = (ctx) => {
  const mode = attrString(ctx.node, "mode", "nearest");
  if (mode !== "nearest" && mode !== "linear")
    return ctx.refuse(`Resize 10 mode "${mode}" is not one of nearest, linear`);
  const scalesName = ctx.node.input[1];
  if (mode === "nearest") {
    const scales = scalesName ? ctx.constValues(scalesName) : undefined;
    if (!scales)
      return ctx.refuse(
        `Resize 10 nearest picks a pixel by a rule opset 11 names only for upsampling (floor); the scales "${scalesName}" are not constant, so it cannot be told whether this node downsamples`,
        "re-export the model at opset ≥ 11",
      );
    if (scales.some((s) => s < 1))
      return ctx.refuse(
        `Resize 10 nearest with scales [${scales.join(", ")}] downsamples, and opset 10 leaves the rounding of a downsampling nearest pick unspecified`,
        "re-export the model at opset ≥ 11",
      );
    setStringAttr(ctx.node, "nearest_mode", "floor");
  }
  setInputs(ctx.node, 1, [ctx.constInput("roi", DT.FLOAT, [0], []), scalesName]);
  setStringAttr(ctx.node, "coordinate_transformation_mode", "asymmetric");
  return `empty roi input added; coordinate_transformation_mode asymmetric${mode === "nearest" ? ", nearest_mode floor" : ""} keep opset 10's mapping`;
};

/** Resize 11 → 13: roi and scales became optional; tf_half_pixel_for_nn was dropped; scales and sizes may not both be given. */
const resize13: Adapter = (ctx) => {
  const ctm = attrString(ctx.node, "coordinate_transformation_mode", "half_pixel");
  if (ctm === "tf_half_pixel_for_nn")
    return ctx.refuse(
      `Resize 13 no longer has coordinate_transformation_mode "tf_half_pixel_for_nn"`,
      "re-export the model at opset ≥ 13",
    );
  const [, , scales, sizes] = ctx.node.input;
  if (sizes && scales) {
    const values = ctx.constValues(scales);
    if (!values || values.length > 0)
      return ctx.refuse(
        `Resize 13 forbids giving both scales and sizes, and scales "${scales}" is not a known empty tensor`,
        "re-export the model at opset ≥ 13",
      );
    ctx.node.input[2] = "";
    return "empty scales input replaced by no input (sizes given)";
  }
  return "unchanged: roi and scales only became optional, and bfloat16 was added";
};

/** Dropout 10 → 12: ratio becomes an optional input; without training_mode the op is the identity, as in inference before. */
const dropout12: Adapter = (ctx) => {
  const ratio = findFloat(ctx.node, "ratio");
  if (ratio !== undefined) setInputs(ctx.node, 1, [ctx.constInput("ratio", DT.FLOAT, [], [ratio])]);
  dropAttrs(ctx.node, "ratio");
  return ratio === undefined
    ? "unchanged: no ratio attribute; inference behaviour (identity) unchanged"
    : "ratio moved from attribute to input; inference behaviour (identity) unchanged";
};

/** Dropout 7 → 10: the mask output became bool (it had the data's type). */
const dropout10: Adapter = (ctx) => {
  if (ctx.node.output[1])
    return ctx.refuse(
      "Dropout 10 makes the mask output bool where opset 7 gave it the data's type, and this node's mask is used",
      "re-export the model at opset ≥ 10",
    );
  return "unchanged: only the unused mask output changed type";
};

/** BatchNormalization 7 → 9: `spatial` removed; 9 behaves as spatial=1. */
const batchNorm9: Adapter = (ctx) => {
  const spatial = attrInt(ctx.node, "spatial", 1);
  if (spatial !== 1)
    return ctx.refuse(
      `BatchNormalization with spatial=${spatial}: opset 9 removed the attribute and always normalises per channel (spatial=1)`,
      "re-export the model at opset ≥ 9",
    );
  dropAttrs(ctx.node, "spatial");
  return "spatial=1 (the only behaviour of opset 9) attribute removed";
};

/** BatchNormalization 9 → 14: training_mode (default 0 = inference, as before); the training outputs changed. */
const batchNorm14: Adapter = (ctx) => {
  if (ctx.node.output.slice(1).some(Boolean))
    return ctx.refuse(
      "BatchNormalization 14 replaced the optional training outputs (mean, var, saved_mean, saved_var) by running_mean/running_var, and this node uses them",
      "re-export the model at opset ≥ 14",
    );
  return "unchanged: training_mode defaults to 0, the inference behaviour of opset 9";
};

/** Add/Sub/Mul/Div/Pow/And/Or/Xor/Equal/Greater/Less 6 → 7: legacy `broadcast`/`axis` replaced by numpy broadcasting. */
const broadcast7: Adapter = (ctx) => {
  if (attrInt(ctx.node, "broadcast", 0) !== 0 || attrInt(ctx.node, "axis") !== undefined)
    return ctx.refuse(
      `${ctx.node.opType} uses the legacy broadcast/axis attributes, whose alignment differs from the numpy-style broadcasting of opset 7`,
      "re-export the model at opset ≥ 7",
    );
  dropAttrs(ctx.node, "broadcast", "axis");
  return "unchanged: without legacy broadcast the shapes were equal, which numpy-style broadcasting keeps";
};

/** Conv/AveragePool 1/10 → 11 (and ConvTranspose): auto_pad SAME was reworded; same meaning only without SAME or with unit strides. */
function autoPad11(convTranspose: boolean): Adapter {
  return (ctx) => {
    const autoPad = attrString(ctx.node, "auto_pad", "NOTSET");
    const strides = attrInts(ctx.node, "strides") ?? [];
    if (autoPad === "NOTSET" || autoPad === "VALID") return "unchanged: explicit pads, whose meaning did not change";
    if (!convTranspose && strides.every((s) => s === 1))
      return `unchanged: ${autoPad} with unit strides keeps output = input size in both versions`;
    return ctx.refuse(
      `${ctx.node.opType} ${autoPad} padding was redefined in opset 11 (${convTranspose ? "SAME_UPPER and SAME_LOWER swapped which side gets the extra pad" : "output size ceil(input / stride) for strided windows"})`,
      "re-export the model at opset ≥ 11, or with explicit pads",
    );
  };
}

const reasons = {
  consumed: "only the legacy consumed_inputs attribute was removed (an optimisation hint, no effect on results)",
  types: "only more element types were allowed",
  negAxes: "negative axes/indices were allowed; the meaning of non-negative ones is unchanged",
  broadcast8: "multidirectional broadcasting was allowed; inputs of equal shapes mean the same",
  newOptional: "a new optional attribute or input whose default is the old behaviour",
  docs: "only the documentation of defaults was clarified",
};

/** The accepted steps: `Op-version` → why the node means the same there as before. */
const accepted: Record<string, string> = {};
function accept(version: number, reason: string, ops: string): void {
  for (const op of ops.split(/\s+/).filter(Boolean)) accepted[`${op}-${version}`] = reason;
}
accept(
  6,
  reasons.consumed,
  "Abs Ceil Floor Exp Log Neg Reciprocal Relu Sigmoid Sqrt Tanh Elu HardSigmoid LeakyRelu Selu PRelu InstanceNormalization Max Min Mean Sum Dropout Add Sub Mul Div Clip",
);
accept(
  7,
  "the legacy broadcast attribute was removed; without it C had the output's shape, which is still valid",
  "PRelu",
);
accept(8, reasons.broadcast8, "Max Min Mean Sum");
accept(8, "storage_order (default 0, row major) and an optional Indices output were added", "MaxPool");
accept(9, reasons.types, "Cast Constant Flatten Gemm Greater Less MatMul PRelu Erf Sign");
accept(10, "ceil_mode was added with default 0 (floor), the old output size", "AveragePool");
accept(10, "ceil_mode (default 0) and dilations (default 1) were added, the old behaviour", "MaxPool");
accept(
  11,
  reasons.negAxes,
  "Concat Flatten Gather Squeeze Unsqueeze ReduceMean ReduceSum ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceSumSquare ArgMax ArgMin Softmax LogSoftmax Hardmax Slice Split OneHot Compress",
);
accept(11, reasons.types, "Equal");
accept(11, "C became optional; nodes that give C mean the same", "Gemm");
accept(11, reasons.docs, "MaxPool");
accept(11, "mode was added with default DCR, the opset 1 ordering", "DepthToSpace");
accept(11, "largest/sorted were added with default 1, the old behaviour; negative axis allowed", "TopK");
accept(11, "the branches may now return different shapes; branches of equal shapes mean the same", "If");
accept(11, "only the description of loop-carried variables was clarified", "Loop");
accept(13, "sequence types were allowed", "If Loop");
accept(16, "optional types were allowed", "If Loop");
accept(11, "sparse_value was added; value still works", "Constant");
accept(12, "value_* attributes were added; value still works", "Constant");
accept(12, reasons.types, "Clip Max Min MaxPool ReduceMax ReduceMin Pow");
accept(12, "select_last_index was added with default 0, the old first-index behaviour", "ArgMax ArgMin");
accept(12, "batch_dims was added with default 0, the old behaviour", "GatherND");
accept(
  13,
  reasons.types,
  "Abs Add Sub Mul Div Ceil Floor Exp Log Neg Reciprocal Relu Sigmoid Sqrt Tanh Cast Clip Concat Constant Equal Greater Less Erf Expand Flatten Gather GatherElements GatherND Gemm Identity LRN MatMul Max Min Mean Sum Mod NonZero Pow Reshape Shape Sign Size Slice SpaceToDepth DepthToSpace Tile Transpose ArgMax ArgMin ReduceMean ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceSumSquare Pad Dropout ScatterND ScatterElements",
);
accept(14, reasons.types, "Add Sub Mul Div Relu Identity CumSum");
accept(14, "allowzero was added with default 0, the old meaning of a 0 in the shape", "Reshape");
accept(15, reasons.types, "Pow BatchNormalization");
accept(15, "start/end were added with defaults covering the whole shape, the old output", "Shape");
accept(16, reasons.types, "LeakyRelu PRelu Where GreaterOrEqual LessOrEqual Identity");
accept(16, "reduction was added with default none, the old behaviour", "ScatterND ScatterElements");

const adapters: Record<string, Adapter> = {
  "Softmax-13": softmax13,
  "LogSoftmax-13": softmax13,
  "Hardmax-13": softmax13,
  "Clip-11": clip11,
  "Pad-11": pad11,
  "Slice-10": intsToInput(["starts", "ends", "axes"], (n) => ({ starts: 1, ends: 2, axes: 3 })[n]!, "Slice 10"),
  "Upsample-9": upsample9,
  "Upsample-10": upsample10,
  "Resize-11": resize11,
  "Resize-13": resize13,
  "Dropout-10": dropout10,
  "Dropout-12": dropout12,
  "BatchNormalization-9": batchNorm9,
  "BatchNormalization-14": batchNorm14,
  "Squeeze-13": intsToInput(["axes"], () => 1, "Squeeze 13"),
  "Unsqueeze-13": intsToInput(["axes"], () => 1, "Unsqueeze 13"),
  "ReduceSum-13": intsToInput(
    ["axes"],
    () => 1,
    "ReduceSum 13; noop_with_empty_axes defaults to 0, reduce all, as before",
  ),
  "Split-13": intsToInput(["split"], () => 1, "Split 13"),
  "TopK-10": (ctx) => {
    const k = attrInt(ctx.node, "k") ?? ctx.refuse("TopK 1 has no k attribute");
    setInputs(ctx.node, 1, [ctx.constInput("k", DT.INT64, [1], [k])]);
    dropAttrs(ctx.node, "k");
    return "k moved from attribute to input";
  },
  "Conv-11": autoPad11(false),
  "AveragePool-11": autoPad11(false),
  "ConvTranspose-11": autoPad11(true),
};
for (const op of ["Add", "Sub", "Mul", "Div", "Pow", "And", "Or", "Xor", "Equal", "Greater", "Less"])
  adapters[`${op}-7`] = broadcast7;

/** The rule for moving a node of `op` to version `version`: an adapter, an accepted reason, or undefined (refuse). */
export function ruleFor(op: string, version: number): Adapter | string | undefined {
  return adapters[`${op}-${version}`] ?? accepted[`${op}-${version}`];
}

// Element types of every tensor in a model, all scopes, without shape inference: declared types (inputs,
// initializers, value_info, outputs, Constant values) first, then a forward pass with per-operator rules (Cast's
// `to`, Shape → int64, comparisons → bool, If → its branch's outputs, …; most operators keep their first input's
// type). Calibration and the QDQ rewrite only touch tensors known to be float32 here.
import {
  TensorProto_DataType as DT,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type ValueInfoProto,
} from "onnx-buf";
import { isConstantNode, nodeSubgraphs } from "../../onnx/walk";

const int64Ops = new Set(["Shape", "Size", "NonZero", "ArgMax", "ArgMin", "NonMaxSuppression", "StringLength"]);
const boolOps = new Set([
  "Equal",
  "Less",
  "Greater",
  "LessOrEqual",
  "GreaterOrEqual",
  "And",
  "Or",
  "Xor",
  "Not",
  "IsNaN",
  "IsInf",
  "RegexFullMatch",
]);
const int32Ops = new Set(["MatMulInteger", "ConvInteger"]);

function declared(info: ValueInfoProto): number | undefined {
  const type = info.type?.value;
  return type?.case === "tensorType" && type.value.elemType ? type.value.elemType : undefined;
}

function intAttribute(node: NodeProto, name: string): number | undefined {
  const a = node.attribute.find((x) => x.name === name);
  return a ? Number(a.i) : undefined;
}

/** The types of a node's outputs that its rule can tell, by output position. */
function outputTypes(node: NodeProto, typeOf: (name: string) => number | undefined): (number | undefined)[] {
  const firstKnown = (): number | undefined => {
    for (const i of node.input) {
      const t = i ? typeOf(i) : undefined;
      if (t) return t;
    }
    return undefined;
  };
  const standard = node.domain === "" || node.domain === "ai.onnx";
  if (!standard) return node.domain === "com.microsoft" && node.opType === "DequantizeLinear" ? [DT.FLOAT] : [];
  const op = node.opType;
  if (isConstantNode(node)) {
    const a = node.attribute[0];
    if (a?.t) return [a.t.dataType];
    if (a?.name === "value_float" || a?.name === "value_floats") return [DT.FLOAT];
    if (a?.name === "value_int" || a?.name === "value_ints") return [DT.INT64];
    return a?.name.startsWith("value_string") ? [DT.STRING] : [];
  }
  if (op === "Cast") return [intAttribute(node, "to")];
  if (op === "CastLike") return [typeOf(node.input[1])];
  if (int64Ops.has(op)) return node.output.map(() => DT.INT64);
  if (int32Ops.has(op)) return [DT.INT32];
  if (boolOps.has(op)) return [DT.BOOL];
  if (op === "TopK" || op === "Unique") return [typeOf(node.input[0]), ...node.output.slice(1).map(() => DT.INT64)];
  if (op === "MaxPool") return [typeOf(node.input[0]), DT.INT64];
  if (op === "Where") return [typeOf(node.input[1]) ?? typeOf(node.input[2])];
  if (op === "OneHot") return [typeOf(node.input[2])];
  if (op === "ConstantOfShape") {
    const value = node.attribute.find((a) => a.name === "value")?.t;
    return [value ? value.dataType : DT.FLOAT];
  }
  if (
    [
      "RandomNormal",
      "RandomUniform",
      "EyeLike",
      "RandomNormalLike",
      "RandomUniformLike",
      "Multinomial",
      "Bernoulli",
    ].includes(op)
  ) {
    const dtype = intAttribute(node, "dtype");
    return [
      dtype ??
        (op.endsWith("Like") || op === "EyeLike" || op === "Bernoulli"
          ? firstKnown()
          : op === "Multinomial"
            ? DT.INT32
            : DT.FLOAT),
    ];
  }
  if (op === "QuantizeLinear") return [node.input[2] ? typeOf(node.input[2]) : DT.UINT8];
  if (op === "DequantizeLinear") return [typeOf(node.input[1]) ?? DT.FLOAT];
  if (op === "DynamicQuantizeLinear") return [DT.UINT8, DT.FLOAT, DT.UINT8];
  if (op === "If") {
    const branch = node.attribute.find((a) => a.name === "then_branch")?.g;
    return branch ? branch.output.map((v) => declared(v) ?? typeOf(v.name)) : [];
  }
  if (op === "Loop" || op === "Scan") {
    const body = node.attribute.find((a) => a.name === "body")?.g;
    return body ? body.output.slice(op === "Loop" ? 1 : 0).map((v) => declared(v) ?? typeOf(v.name)) : [];
  }
  const t = firstKnown();
  return node.output.map(() => t);
}

/** Element type (TensorProto.DataType) of every tensor whose type is declared or follows from the rules. */
export function elementTypes(model: ModelProto): Map<string, number> {
  const types = new Map<string, number>();
  const set = (name: string, t: number | undefined) => {
    if (name && t && !types.has(name)) types.set(name, t);
  };
  const visit = (graph: GraphProto) => {
    for (const v of [...graph.input, ...graph.valueInfo]) set(v.name, declared(v));
    for (const t of graph.initializer) set(t.name, t.dataType);
    for (const node of graph.node) {
      for (const sub of nodeSubgraphs(node)) visit(sub.graph);
      const out = outputTypes(node, (name) => types.get(name));
      node.output.forEach((name, i) => set(name, out[i]));
    }
    for (const v of graph.output) set(v.name, declared(v));
  };
  if (model.graph) visit(model.graph);
  return types;
}

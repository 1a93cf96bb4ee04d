// Element types of every tensor in a model, for the fp16 method: declared types (graph inputs and outputs,
// value_info, initializers) first, then a small propagation through each node in order, into subgraphs with the
// outer scope visible. Sequences and optionals count as their element type. 0 means unknown.
import {
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  TensorProto_DataType as DT,
  type TypeProto,
  type ValueInfoProto,
} from "onnx-buf";
import { dtypeFromName } from "../../onnx/dtypes";
import { nodeSubgraphs } from "../../onnx/walk";

/** Tensor name → ONNX element type (names are unique across scopes in a valid model). */
export type ElementTypes = Map<string, number>;

/** The element type a TypeProto describes: a tensor's, or a sequence's / optional's / sparse tensor's element. */
export function typeElement(type: TypeProto | undefined): number {
  const v = type?.value;
  switch (v?.case) {
    case "tensorType":
    case "sparseTensorType":
      return v.value.elemType;
    case "sequenceType":
      return typeElement(v.value.elemType);
    case "optionalType":
      return typeElement(v.value.elemType);
    default:
      return 0;
  }
}

/** Sets the element type of a TypeProto (through sequences and optionals); false when there is no tensor inside. */
export function setTypeElement(type: TypeProto | undefined, elemType: number): boolean {
  const v = type?.value;
  switch (v?.case) {
    case "tensorType":
    case "sparseTensorType":
      v.value.elemType = elemType;
      return true;
    case "sequenceType":
    case "optionalType":
      return setTypeElement(v.value.elemType, elemType);
    default:
      return false;
  }
}

function attribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

function intAttribute(node: NodeProto, name: string): number | undefined {
  const a = attribute(node, name);
  return a ? Number(a.i) : undefined;
}

/** Cast's `to`: an int, or a type name string before opset 6 ("FLOAT"); 0 when absent. */
export function castTarget(node: NodeProto): number {
  const to = attribute(node, "to");
  if (!to) return 0;
  return to.s.length > 0 ? (dtypeFromName(new TextDecoder().decode(to.s)) ?? 0) : Number(to.i);
}

const int64Outputs = new Set(["Shape", "Size", "NonZero", "ArgMax", "ArgMin", "NonMaxSuppression", "SequenceLength"]);
const boolOutputs = new Set([
  "Equal",
  "Less",
  "Greater",
  "LessOrEqual",
  "GreaterOrEqual",
  "Not",
  "And",
  "Or",
  "Xor",
  "IsNaN",
  "IsInf",
  "OptionalHasElement",
]);

function constantType(node: NodeProto): number {
  for (const a of node.attribute) {
    if (a.name === "value" && a.t) return a.t.dataType;
    if (a.name === "sparse_value" && a.sparseTensor?.values) return a.sparseTensor.values.dataType;
    if (a.name === "value_float" || a.name === "value_floats") return DT.FLOAT;
    if (a.name === "value_int" || a.name === "value_ints") return DT.INT64;
    if (a.name === "value_string" || a.name === "value_strings") return DT.STRING;
  }
  return 0;
}

/** Output element types of a default-domain node from its input types (and its subgraphs' output types). */
function outputTypes(node: NodeProto, inputs: number[], types: ElementTypes): number[] {
  const n = node.output.length;
  const all = (t: number) => new Array<number>(n).fill(t);
  const first = inputs.find((t) => t !== 0) ?? 0;
  const op = node.opType;
  if (int64Outputs.has(op)) return all(DT.INT64);
  if (boolOutputs.has(op)) return all(DT.BOOL);
  const branchTypes = (attr: string, skip = 0) => {
    const g = attribute(node, attr)?.g;
    return g ? g.output.slice(skip).map((o) => typeElement(o.type) || (types.get(o.name) ?? 0)) : all(0);
  };
  switch (op) {
    case "Cast":
      return all(castTarget(node));
    case "CastLike":
      return all(inputs[1] ?? 0);
    case "Constant":
      return all(constantType(node));
    case "ConstantOfShape": {
      const value = attribute(node, "value")?.t;
      return all(value ? value.dataType : DT.FLOAT);
    }
    case "RandomNormal":
    case "RandomUniform":
    case "SequenceEmpty":
      return all(intAttribute(node, "dtype") ?? DT.FLOAT);
    case "HannWindow":
    case "HammingWindow":
    case "BlackmanWindow":
    case "MelWeightMatrix":
      return all(intAttribute(node, "output_datatype") ?? DT.FLOAT);
    case "RandomNormalLike":
    case "RandomUniformLike":
    case "Bernoulli":
    case "EyeLike":
      return all(intAttribute(node, "dtype") ?? first);
    case "Multinomial":
      return all(intAttribute(node, "dtype") ?? DT.INT32);
    case "TopK":
    case "MaxPool":
    case "Dropout":
      return [inputs[0] ?? 0, op === "Dropout" ? DT.BOOL : DT.INT64];
    case "Unique":
      return [inputs[0] ?? 0, DT.INT64, DT.INT64, DT.INT64];
    case "Where":
      return all(inputs[1] || inputs[2] || 0);
    case "OneHot":
      return all(inputs[2] ?? 0);
    case "QuantizeLinear":
      return all(inputs[2] || DT.UINT8);
    case "DequantizeLinear":
      return all(inputs[1] ?? DT.FLOAT);
    case "DynamicQuantizeLinear":
      return [DT.UINT8, DT.FLOAT, DT.UINT8];
    case "MatMulInteger":
    case "ConvInteger":
      return all(DT.INT32);
    case "QLinearConv":
    case "QLinearMatMul":
      return all(inputs[7] ?? 0);
    case "StringNormalizer":
      return all(DT.STRING);
    case "TfIdfVectorizer":
      return all(DT.FLOAT);
    case "LayerNormalization": {
      const stash = intAttribute(node, "stash_type") ?? DT.FLOAT;
      return [inputs[0] ?? 0, stash, stash];
    }
    case "If":
      return branchTypes("then_branch");
    case "Loop":
      return branchTypes("body", 1);
    case "Scan":
      return branchTypes("body");
    default:
      return all(first);
  }
}

/** Types of a subgraph's formal inputs the graph does not declare, from the node that runs it. */
function subgraphInputTypes(node: NodeProto, graph: GraphProto, inputs: number[]): number[] {
  if (node.opType === "Loop") return [DT.INT64, DT.BOOL, ...inputs.slice(2)];
  if (node.opType === "Scan") return inputs.slice(node.input.length - graph.input.length);
  return [];
}

function declare(types: ElementTypes, infos: ValueInfoProto[]): void {
  for (const v of infos) {
    const t = typeElement(v.type);
    if (t) types.set(v.name, t);
  }
}

function visit(graph: GraphProto, types: ElementTypes, knownInputs: number[] = []): void {
  graph.input.forEach((input, i) => {
    const t = typeElement(input.type) || (knownInputs[i] ?? 0);
    if (t) types.set(input.name, t);
  });
  for (const t of graph.initializer) types.set(t.name, t.dataType);
  for (const s of graph.sparseInitializer) if (s.values) types.set(s.values.name, s.values.dataType);
  declare(types, graph.valueInfo);
  const declared = new Set<string>(graph.valueInfo.filter((v) => typeElement(v.type)).map((v) => v.name));
  declare(types, graph.output);
  for (const o of graph.output) if (typeElement(o.type)) declared.add(o.name);
  for (const node of graph.node) {
    const inputs = node.input.map((name) => (name ? (types.get(name) ?? 0) : 0));
    for (const sub of nodeSubgraphs(node)) visit(sub.graph, types, subgraphInputTypes(node, sub.graph, inputs));
    const standard = node.domain === "" || node.domain === "ai.onnx" || node.domain === "com.microsoft";
    const outs = standard ? outputTypes(node, inputs, types) : node.output.map(() => 0);
    node.output.forEach((name, i) => {
      if (!name || declared.has(name)) return;
      if (outs[i]) types.set(name, outs[i]);
    });
  }
}

/** Element types of every named tensor in the main graph and its subgraphs. */
export function inferElementTypes(model: ModelProto): ElementTypes {
  const types: ElementTypes = new Map();
  if (model.graph) visit(model.graph, types);
  return types;
}

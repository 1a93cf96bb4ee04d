// A node's details for the properties panel (common/graph/node-details.ts): its attributes as text, its inputs and
// outputs with dtypes, shapes and where they come from, statistics of the weights it reads or (a Constant) makes,
// and, for quantization ops, their parameters in float terms (quant-params.ts).
import { type GraphProto, type NodeProto, type TensorProto, TensorProto_DataType as DT } from "onnx-buf";
import type { GraphPath, ModelGraph, ModelGraphDocument } from "../../common/graph/model-graph";
import type { NodeDetails, TensorDetails } from "../../common/graph/node-details";
import { dtypeFromName } from "../onnx/dtypes";
import type { OnnxModel } from "../onnx/read-model";
import { attributeDetails } from "./attributes";
import { type InputValues, quantization, type TensorValues } from "./quant-params";
import { type NumberView, readTensorNumbers, statsOf } from "./weight-stats";

/** A weight's source in the graph protos: an initializer, or the Constant node producing it. */
export type WeightSource = { tensor: TensorProto } | { constant: NodeProto };

export interface NodeContext {
  model: OnnxModel;
  document: ModelGraphDocument;
  /** The graph protos from the main graph to the node's graph. */
  chain: GraphProto[];
  graph: ModelGraph;
  path: GraphPath;
  index: number;
  node: NodeProto;
  tensors: (name: string) => WeightSource | undefined;
}

/** Parameters of quantization ops are small; larger tensors are not read for them. */
const MAX_PARAM_BYTES = 16_000_000;

const listView = (values: readonly (number | bigint)[]): NumberView => ({
  length: values.length,
  at: (i) => Number(values[i]),
});

/** The numbers of a weight source (an initializer, or a Constant's value in any of its forms). */
async function sourceValues(
  model: OnnxModel,
  source: WeightSource,
  maxBytes?: number,
): Promise<{ dtype: number; dims: number[]; values?: NumberView; note?: string }> {
  let tensor: TensorProto | undefined;
  if ("tensor" in source) tensor = source.tensor;
  else {
    for (const a of source.constant.attribute) {
      if (a.name === "value" && a.t) tensor = a.t;
      else if (a.name === "value_float") return { dtype: DT.FLOAT, dims: [], values: listView([a.f]) };
      else if (a.name === "value_floats")
        return { dtype: DT.FLOAT, dims: [a.floats.length], values: listView(a.floats) };
      else if (a.name === "value_int") return { dtype: DT.INT64, dims: [], values: listView([a.i]) };
      else if (a.name === "value_ints") return { dtype: DT.INT64, dims: [a.ints.length], values: listView(a.ints) };
      else if (a.name === "sparse_value")
        return { dtype: a.sparseTensor?.values?.dataType ?? 0, dims: [], note: "a sparse constant: not read" };
    }
  }
  if (!tensor) return { dtype: 0, dims: [], note: "its value is not a tensor" };
  const read = await readTensorNumbers(tensor, model.externalData, maxBytes);
  return { dtype: tensor.dataType, dims: tensor.dims.map(Number), values: read.values, note: read.note };
}

async function tensorDetails(ctx: NodeContext, t: number, withStats: boolean): Promise<TensorDetails> {
  const g = ctx.graph.tensors[t];
  const details: TensorDetails = { tensor: t, name: g.name, kind: g.kind };
  if (g.dtype) details.dtype = g.dtype;
  if (g.shape) details.shape = g.shape;
  if (g.shapeSource) details.shapeSource = g.shapeSource;
  if (g.sizeBytes !== undefined) details.sizeBytes = g.sizeBytes;
  const weight =
    g.kind === "initializer" || g.kind === "constant" || g.kind === "outer" ? ctx.tensors(g.name) : undefined;
  if (withStats && weight) {
    const read = await sourceValues(ctx.model, weight);
    if (read.values) details.stats = statsOf(read.values);
    else details.statsNote = read.note;
  }
  return details;
}

export async function describeNode(ctx: NodeContext): Promise<NodeDetails> {
  const { node, graph, index } = ctx;
  const g = graph.nodes[index];
  const inputs: TensorDetails[] = [];
  for (const t of g.inputs) if (t >= 0) inputs.push(await tensorDetails(ctx, t, true));
  const outputs: TensorDetails[] = [];
  for (const t of g.outputs) outputs.push(await tensorDetails(ctx, t, g.op === "Constant"));
  const details: NodeDetails = {
    path: ctx.path,
    node: index,
    name: node.name,
    op: node.opType,
    attributes: attributeDetails(node),
    inputs,
    outputs,
  };
  if (g.domain) details.domain = g.domain;
  const opset = ctx.document.opsets[g.domain ?? ""];
  if (opset !== undefined) details.opsetVersion = opset;
  if (node.docString) details.docString = node.docString;

  const input: InputValues = async (k): Promise<TensorValues | undefined> => {
    const name = node.input[k];
    const source = name ? ctx.tensors(name) : undefined;
    if (!source) return undefined;
    const read = await sourceValues(ctx.model, source, MAX_PARAM_BYTES);
    return { dtype: read.dtype, dims: read.dims, values: read.values };
  };
  const dtypeOf = (k: number): number => {
    const t = k >= 0 ? g.inputs[k] : g.outputs[-1 - k];
    const name = t !== undefined && t >= 0 ? graph.tensors[t].dtype : undefined;
    return (name && dtypeFromName(name)) || 0;
  };
  const quant = await quantization(node, input, dtypeOf);
  if (quant) details.quantization = quant;
  return details;
}

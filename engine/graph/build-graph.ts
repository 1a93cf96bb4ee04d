// Builds the compact graph of a model (common/graph/model-graph.ts) from its decoded protobuf: nodes and tensors by
// index, dtypes and shapes as declared (inputs, outputs, value_info, initializer dims, Constant values) or inferred
// (inferred-shapes.ts), nested If/Loop/Scan bodies with the names they capture as "outer" tensors (and, on the node
// holding them, `captures`: the enclosing graph's tensors they read at any depth), and the problems
// the viewer marks: inputs nothing produces, cycles, tensors produced twice, repeated node names. Reads no weight
// bytes. Loops are over the graph's size (no recursion that grows with it); only nested bodies recurse, one level
// per nesting level of the model.
import type { GraphProto, NodeProto, TensorProto, TypeProto } from "onnx-buf";
import type { GraphDim, GraphNode, GraphProblem, GraphTensor, ModelGraph } from "../../common/graph/model-graph";
import { dtypeName } from "../onnx/dtypes";
import { isExternal, tensorByteSize } from "../onnx/tensor-proto";
import { isConstantNode, nodeSubgraphs } from "../onnx/walk";
import { attributesDigest } from "./attributes";
import type { InferredScope } from "./inferred-shapes";

/** The enclosing scopes' tensors a body may capture, by name. */
export type OuterLookup = (name: string) => GraphTensor | undefined;

function declaredType(type: TypeProto | undefined): { dtype?: string; shape?: GraphDim[] } {
  if (type?.value.case !== "tensorType") return {};
  const t = type.value.value;
  return {
    dtype: t.elemType ? dtypeName(t.elemType) : undefined,
    shape: t.shape?.dim.map((d) =>
      d.value.case === "dimValue"
        ? Number(d.value.value)
        : d.value.case === "dimParam" && d.value.value !== ""
          ? d.value.value
          : null,
    ),
  };
}

function constantTensor(node: NodeProto): { dtype?: string; shape?: GraphDim[]; sizeBytes?: number } {
  for (const a of node.attribute) {
    if (a.name === "value" && a.t) return initializerType(a.t);
    if (a.name === "sparse_value" && a.sparseTensor)
      return {
        dtype: dtypeName(a.sparseTensor.values?.dataType ?? 0),
        shape: a.sparseTensor.dims.map(Number),
      };
    if (a.name === "value_float") return { dtype: "float32", shape: [] };
    if (a.name === "value_floats") return { dtype: "float32", shape: [a.floats.length] };
    if (a.name === "value_int") return { dtype: "int64", shape: [] };
    if (a.name === "value_ints") return { dtype: "int64", shape: [a.ints.length] };
    if (a.name === "value_string") return { dtype: "string", shape: [] };
    if (a.name === "value_strings") return { dtype: "string", shape: [a.strings.length] };
  }
  return {};
}

function initializerType(t: TensorProto): { dtype: string; shape: GraphDim[]; sizeBytes?: number } {
  let sizeBytes: number | undefined;
  try {
    sizeBytes = tensorByteSize(t);
  } catch {
    sizeBytes = undefined; // a malformed external entry: the reader already checked the model's references
  }
  return { dtype: dtypeName(t.dataType), shape: t.dims.map(Number), sizeBytes };
}

/** The subgraph attributes of a node, labelled as GraphPathStep.attribute names them (`body`, `branches[1]`). */
export function subgraphLabels(node: NodeProto): { label: string; graph: GraphProto }[] {
  return [...nodeSubgraphs(node)].map((s) => ({ label: s.label, graph: s.graph }));
}

/** Counts nodes of a graph and its bodies. */
export function countNodes(graph: ModelGraph): number {
  let total = 0;
  const pending = [graph];
  while (pending.length > 0) {
    const g = pending.pop()!;
    total += g.nodes.length;
    for (const n of g.nodes) for (const s of n.subgraphs ?? []) pending.push(s.graph);
  }
  return total;
}

/** Marks the nodes on cycles: those neither peeled from the sources (Kahn) nor from the sinks. Edges run from a tensor's producer to its readers. */
function cycleNodes(nodes: GraphNode[], tensors: GraphTensor[]): number[] {
  const n = nodes.length;
  const succ: number[][] = nodes.map(() => []);
  const pred: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    for (const t of node.inputs) {
      const p = t >= 0 ? tensors[t].producer : -1;
      if (p < 0) continue;
      succ[p].push(i);
      pred[i].push(p);
    }
  });
  const peel = (into: number[][], outOf: number[][]): Uint8Array => {
    const degree = Int32Array.from(into, (list) => list.length);
    const done = new Uint8Array(n);
    const queue: number[] = [];
    for (let i = 0; i < n; i++) if (degree[i] === 0) queue.push(i);
    for (let q = 0; q < queue.length; q++) {
      const i = queue[q];
      done[i] = 1;
      for (const j of outOf[i]) if (--degree[j] === 0) queue.push(j);
    }
    return done;
  };
  const forward = peel(pred, succ);
  if (forward.every((d) => d === 1)) return [];
  const backward = peel(succ, pred);
  const on: number[] = [];
  for (let i = 0; i < n; i++) if (!forward[i] && !backward[i]) on.push(i);
  return on;
}

const nodeName = (node: NodeProto, index: number) => (node.name !== "" ? `"${node.name}"` : `${node.opType}#${index}`);

/** The compact graph of one graph body; `outer` resolves names captured from enclosing scopes. */
export function buildModelGraph(
  graph: GraphProto,
  inferred: InferredScope | undefined,
  outer: OuterLookup = () => undefined,
): ModelGraph {
  const tensors: GraphTensor[] = [];
  const index = new Map<string, number>();
  const problems: GraphProblem[] = [];
  const add = (tensor: GraphTensor): number => {
    index.set(tensor.name, tensors.length);
    tensors.push(tensor);
    return tensors.length - 1;
  };
  const declared = new Map<string, TypeProto | undefined>();
  for (const vi of [...graph.valueInfo, ...graph.input, ...graph.output]) declared.set(vi.name, vi.type);

  for (const t of graph.initializer) {
    if (index.has(t.name)) continue;
    add({
      name: t.name,
      kind: "initializer",
      ...initializerType(t),
      shapeSource: "declared",
      producer: -1,
      ...(isExternal(t) ? { external: true } : {}),
    });
  }
  for (const s of graph.sparseInitializer) {
    const name = s.values?.name ?? "";
    if (!name || index.has(name)) continue;
    add({
      name,
      kind: "initializer",
      dtype: dtypeName(s.values?.dataType ?? 0),
      shape: s.dims.map(Number),
      shapeSource: "declared",
      producer: -1,
    });
  }
  const inputs: number[] = [];
  for (const vi of graph.input) {
    if (index.has(vi.name)) continue; // an initializer listed as an input counts as an initializer
    const type = declaredType(vi.type);
    inputs.push(
      add({ name: vi.name, kind: "input", ...type, shapeSource: type.shape ? "declared" : undefined, producer: -1 }),
    );
  }

  // Outputs first (a node may read a tensor a later node produces when the file is not in topological order).
  const nodes: GraphNode[] = graph.node.map((node, i) => {
    const constant = isConstantNode(node);
    const outputs: number[] = [];
    for (const name of node.output) {
      if (name === "") continue;
      const existing = index.get(name);
      if (existing !== undefined) {
        const t = tensors[existing];
        problems.push({
          kind: "duplicate-output",
          node: i,
          tensor: existing,
          message: `tensor "${name}" is produced by node ${nodeName(node, i)} but is already ${t.producer >= 0 ? `produced by node ${nodeName(graph.node[t.producer], t.producer)}` : `a graph ${t.kind}`}`,
        });
        outputs.push(existing);
        continue;
      }
      let type: GraphTensor;
      if (constant) {
        type = { name, kind: "constant", ...constantTensor(node), shapeSource: "declared", producer: i };
      } else {
        const d = declaredType(declared.get(name));
        const guess = inferred?.tensors.get(name);
        type = { name, kind: "value", producer: i };
        if (d.dtype ?? guess?.dtype) type.dtype = d.dtype ?? dtypeName(guess!.dtype);
        if (d.shape) {
          type.shape = d.shape;
          type.shapeSource = "declared";
        } else if (guess?.shape) {
          type.shape = guess.shape;
          type.shapeSource = "inferred";
        }
      }
      outputs.push(add(type));
    }
    return { name: node.name, op: node.opType, inputs: [], outputs, attributeCount: node.attribute.length };
  });

  const resolve = (name: string, reader: number, what: string): number => {
    const known = index.get(name);
    if (known !== undefined) return known;
    const captured = outer(name);
    if (captured) {
      const { name: _n, kind: _k, producer: _p, graphOutput: _g, ...type } = captured;
      return add({ name, kind: "outer", ...type, producer: -1 });
    }
    const type = declaredType(declared.get(name));
    const t = add({ name, kind: "value", ...type, shapeSource: type.shape ? "declared" : undefined, producer: -1 });
    problems.push({
      kind: "dangling-input",
      node: reader >= 0 ? reader : undefined,
      tensor: t,
      message: `${what} reads tensor "${name}", which no node, input or initializer provides`,
    });
    return t;
  };

  const names = new Map<string, number>();
  graph.node.forEach((node, i) => {
    const g = nodes[i];
    g.inputs = node.input.map((name) => (name === "" ? -1 : resolve(name, i, `node ${nodeName(node, i)}`)));
    if (node.domain !== "" && node.domain !== "ai.onnx") g.domain = node.domain;
    const digest = attributesDigest(node);
    if (digest) g.attributesDigest = digest;
    if (node.name !== "") {
      const first = names.get(node.name);
      if (first === undefined) names.set(node.name, i);
      else
        problems.push({
          kind: "duplicate-name",
          node: i,
          message: `node name "${node.name}" is used by nodes ${first} and ${i}`,
        });
    }
  });

  // Bodies: built once the enclosing graph's tensors are known, so they can capture them. A name a body (or a body
  // nested in it) resolves here is one of the node's captures: the layout draws it as an edge into the node.
  graph.node.forEach((node, i) => {
    const subs = subgraphLabels(node);
    if (subs.length === 0) return;
    const inner = inferred?.inner.get(i);
    const captures = new Set<number>();
    const here: OuterLookup = (name) => {
      const k = index.get(name);
      if (k === undefined) return outer(name);
      captures.add(k);
      return tensors[k];
    };
    nodes[i].subgraphs = subs.map((s, k) => ({
      attribute: s.label,
      graph: buildModelGraph(s.graph, inner?.[k], here),
    }));
    if (captures.size > 0) nodes[i].captures = [...captures].sort((x, y) => x - y);
  });

  const outputs: number[] = [];
  for (const vi of graph.output) {
    let t = index.get(vi.name);
    if (t === undefined) t = resolve(vi.name, -1, "the graph's output list");
    tensors[t].graphOutput = true;
    outputs.push(t);
  }

  for (const i of cycleNodes(nodes, tensors))
    problems.push({ kind: "cycle", node: i, message: `node ${nodeName(graph.node[i], i)} is on a cycle` });

  return { name: graph.name, nodes, tensors, inputs, outputs, problems };
}

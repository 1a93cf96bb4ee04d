// Shape propagation over a graph body (the main graph, a subgraph, or a model-local function), in topological
// order. For each node output: the declared value_info when all its dims are known numbers or bound symbols; else
// the op's shape rule; else the value_info with unbound symbols taken as 1; else the ASSUMPTION that the output has
// the shape of the node's first input (or of its largest known input when the first is unknown). If, Loop and Scan bodies and calls to model
// functions are analysed recursively, with the outer scope visible, so their outputs and inner peaks are known.
import {
  type FunctionProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  TensorProto_DataType as DT,
  type ValueInfoProto,
} from "onnx-buf";
import { smallTensorValues } from "./tensor-proto";
import { isConstantNode, nodeLabel, nodeSubgraphs, opKey } from "./walk";
import { attrInt, attrInts } from "./node-attrs";
import { shapeRules } from "./shape-rules";
import "./shape-rules-spatial"; // registers the spatial rules into shapeRules
import { declaredInfo, type SymbolTable } from "./dim-bindings";
import { infoBytes, type TensorInfo, withValues } from "./tensor-info";

/** Anything with nodes: a graph or a function body, with its formal inputs already given infos. */
export interface Body {
  path: string;
  nodes: NodeProto[];
  inputs: { name: string; info?: TensorInfo }[];
  outputs: string[];
  initializers: TensorProto[];
  /** value_info entries and the declared outputs. */
  declared: ValueInfoProto[];
}

export type InfoSource = "input" | "weight" | "value_info" | "rule" | "assumed" | "unknown";

export interface BodyShapes {
  body: Body;
  /** Node indices in a topological order. */
  order: number[];
  info: Map<string, TensorInfo>;
  source: Map<string, InfoSource>;
  /** Names that hold weights (initializers, Constant outputs), not activations. */
  weights: Set<string>;
  /** Analyses of the subgraphs a node holds, or of the function it calls, by node index. */
  inner: Map<number, BodyShapes[]>;
  /** Names each node reads, including names its subgraphs read from outside themselves. */
  reads: string[][];
}

export interface ShapeStats {
  fromValueInfo: number;
  fromRule: number;
  assumed: number;
  unknown: number;
  /** Op → how many of its outputs took the assumption or stayed unknown. */
  assumedOps: Map<string, number>;
  /** Things worth telling the reader (a Loop with an unknown trip count, …). */
  notes: Set<string>;
}

export interface ShapeContext {
  symbols: SymbolTable;
  /** Opset of the default ONNX domain (Scan changed its inputs in opset 9). */
  opset: number;
  /** Model-local functions by `domain:name`. */
  functions: Map<string, FunctionProto>;
  stats: ShapeStats;
  depth: number;
}

export function newShapeStats(): ShapeStats {
  return { fromValueInfo: 0, fromRule: 0, assumed: 0, unknown: 0, assumedOps: new Map(), notes: new Set() };
}

const freeNamesCache = new WeakMap<GraphProto, Set<string>>();

/** Names a graph reads without defining them (outer-scope references), including those of its own subgraphs. */
export function freeNames(graph: GraphProto): Set<string> {
  let free = freeNamesCache.get(graph);
  if (free) return free;
  free = new Set();
  const defined = new Set([
    ...graph.input.map((i) => i.name),
    ...graph.initializer.map((t) => t.name),
    ...graph.sparseInitializer.map((s) => s.values?.name ?? ""),
  ]);
  for (const node of graph.node) {
    for (const name of node.input) if (name && !defined.has(name)) free.add(name);
    for (const sub of nodeSubgraphs(node))
      for (const name of freeNames(sub.graph)) if (!defined.has(name)) free.add(name);
    for (const name of node.output) if (name) defined.add(name);
  }
  freeNamesCache.set(graph, free);
  return free;
}

function nodeReads(node: NodeProto): string[] {
  const reads = node.input.filter(Boolean);
  for (const sub of nodeSubgraphs(node)) reads.push(...freeNames(sub.graph));
  return reads;
}

/** A topological order: the given order when it already is one (as ONNX requires), else Kahn's algorithm. */
export function topologicalOrder(nodes: NodeProto[], reads: string[][]): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output.forEach((o) => o && producer.set(o, i)));
  const sorted = reads.every((names, i) => names.every((name) => (producer.get(name) ?? -1) < i));
  if (sorted) return nodes.map((_, i) => i);
  const indegree = new Array<number>(nodes.length).fill(0);
  const dependents: number[][] = nodes.map(() => []);
  reads.forEach((names, i) => {
    for (const p of new Set(
      names.map((name) => producer.get(name)).filter((p): p is number => p !== undefined && p !== i),
    )) {
      indegree[i]++;
      dependents[p].push(i);
    }
  });
  const order: number[] = [];
  const queue = indegree.flatMap((d, i) => (d === 0 ? [i] : []));
  for (let q = 0; q < queue.length; q++) {
    order.push(queue[q]);
    for (const j of dependents[queue[q]]) if (--indegree[j] === 0) queue.push(j);
  }
  if (order.length < nodes.length) {
    const placed = new Set(order);
    nodes.forEach((_, i) => placed.has(i) || order.push(i)); // a cycle: keep the rest in file order
  }
  return order;
}

function tensorInfo(tensor: TensorProto): TensorInfo {
  return withValues({ dtype: tensor.dataType, shape: tensor.dims.map(Number) }, smallTensorValues(tensor));
}

/** The output of a Constant node, from whichever value attribute it has. */
function constantInfo(node: NodeProto): TensorInfo | undefined {
  for (const a of node.attribute) {
    switch (a.name) {
      case "value":
        return a.t ? tensorInfo(a.t) : undefined;
      case "sparse_value":
        return a.sparseTensor
          ? { dtype: a.sparseTensor.values?.dataType ?? 0, shape: a.sparseTensor.dims.map(Number) }
          : undefined;
      case "value_float":
        return { dtype: DT.FLOAT, shape: [], values: [a.f] };
      case "value_floats":
        return withValues({ dtype: DT.FLOAT, shape: [a.floats.length] }, [...a.floats]);
      case "value_int":
        return { dtype: DT.INT64, shape: [], values: [Number(a.i)] };
      case "value_ints":
        return withValues({ dtype: DT.INT64, shape: [a.ints.length] }, a.ints.map(Number));
      case "value_string":
        return { dtype: DT.STRING, shape: [] };
      case "value_strings":
        return { dtype: DT.STRING, shape: [a.strings.length] };
    }
  }
  return undefined;
}

/** A body for a graph, its formal inputs given `inputInfos` where known and their declared types otherwise. */
export function graphBody(
  graph: GraphProto,
  path: string,
  symbols: SymbolTable,
  inputInfos: (TensorInfo | undefined)[] = [],
): Body {
  const initializers = new Set(graph.initializer.map((t) => t.name));
  return {
    path,
    nodes: graph.node,
    inputs: graph.input
      .filter((i) => !initializers.has(i.name))
      .map((vi, k) => ({
        name: vi.name,
        info: inputInfos[k] ?? declaredInfo(vi.type, symbols, { mode: "default", unknownAs: 1 }),
      })),
    outputs: graph.output.map((o) => o.name),
    initializers: graph.initializer,
    declared: [...graph.valueInfo, ...graph.output],
  };
}

/** Output infos of an If, Loop or Scan node, from the analyses of its bodies. */
function controlFlowOutputs(
  node: NodeProto,
  inputs: (TensorInfo | undefined)[],
  lookup: (n: string) => TensorInfo | undefined,
  path: string,
  ctx: ShapeContext,
): { outputs: (TensorInfo | undefined)[]; inner: BodyShapes[] } {
  const subs = [...nodeSubgraphs(node)];
  const analyse = (graph: GraphProto, label: string, infos: (TensorInfo | undefined)[] = []) =>
    analyseBody(graphBody(graph, `${path}:${label}`, ctx.symbols, infos), ctx, lookup);
  const outOf = (shapes: BodyShapes, k: number) => shapes.info.get(shapes.body.outputs[k]);
  if (node.opType === "If") {
    // A condition known from constants (shape arithmetic often decides it) selects the branch that runs.
    const cond = inputs[0]?.values?.length === 1 ? inputs[0].values[0] : undefined;
    const taken =
      cond === undefined ? subs : subs.filter((s) => s.attribute.name === (cond ? "then_branch" : "else_branch"));
    const inner = taken.map((s) => analyse(s.graph, s.label));
    const outputs = node.output.map((_, k) =>
      inner
        .map((b) => outOf(b, k))
        .reduce(
          (best, o) => ((infoBytes(o) ?? -1) > (infoBytes(best) ?? -1) ? o : best),
          undefined as TensorInfo | undefined,
        ),
    );
    return { outputs, inner };
  }
  const body = subs.find((s) => s.attribute.name === "body");
  if (node.opType === "Loop" && body) {
    const carried = inputs.slice(2);
    const shapes = analyse(body.graph, body.label, [
      { dtype: DT.INT64, shape: [] },
      { dtype: DT.BOOL, shape: [] },
      ...carried,
    ]);
    let trips = node.input[0] ? inputs[0]?.values?.[0] : undefined;
    if (trips === undefined) {
      trips = 1;
      ctx.stats.notes.add("a Loop's trip count is not known: its scan outputs assume 1 iteration");
    }
    const outputs = node.output.map((_, k) => {
      const o = outOf(shapes, k + 1);
      if (k < carried.length) return o ?? carried[k];
      return o?.shape ? { dtype: o.dtype, shape: [trips!, ...o.shape] } : undefined;
    });
    return { outputs, inner: [shapes] };
  }
  if (node.opType === "Scan" && body && ctx.opset >= 9) {
    const scanCount = attrInt(node, "num_scan_inputs", 1);
    const stateCount = node.input.length - scanCount;
    const inAxes = attrInts(node, "scan_input_axes") ?? [];
    const outAxes = attrInts(node, "scan_output_axes") ?? [];
    const first = inputs[stateCount];
    const firstAxis = inAxes[0] ?? 0;
    const seq = first?.shape?.[firstAxis < 0 ? firstAxis + first.shape.length : firstAxis];
    const bodyInputs = inputs.map((info, k) => {
      if (k < stateCount || !info?.shape) return info;
      const axis = inAxes[k - stateCount] ?? 0;
      return {
        dtype: info.dtype,
        shape: info.shape.filter((_, i) => i !== (axis < 0 ? axis + info.shape!.length : axis)),
      };
    });
    const shapes = analyse(body.graph, body.label, bodyInputs);
    const outputs = node.output.map((_, k) => {
      const o = outOf(shapes, k);
      if (k < stateCount) return o;
      if (!o?.shape || seq === undefined) return undefined;
      const axis = outAxes[k - stateCount] ?? 0;
      const at = axis < 0 ? axis + o.shape.length + 1 : axis;
      return { dtype: o.dtype, shape: [...o.shape.slice(0, at), seq, ...o.shape.slice(at)] };
    });
    return { outputs, inner: [shapes] };
  }
  return { outputs: [], inner: subs.map((s) => analyse(s.graph, s.label)) };
}

function functionOutputs(
  fn: FunctionProto,
  inputs: (TensorInfo | undefined)[],
  path: string,
  ctx: ShapeContext,
): { outputs: (TensorInfo | undefined)[]; inner: BodyShapes[] } {
  const body: Body = {
    path,
    nodes: fn.node,
    inputs: fn.input.map((name, k) => ({ name, info: inputs[k] })),
    outputs: fn.output,
    initializers: [],
    declared: fn.valueInfo,
  };
  // A function body sees only its formal inputs, not the caller's scope.
  const shapes = analyseBody(body, ctx, () => undefined);
  return { outputs: fn.output.map((name) => shapes.info.get(name)), inner: [shapes] };
}

/** Propagates shapes through one body; `outer` looks up names of enclosing scopes. */
export function analyseBody(
  body: Body,
  ctx: ShapeContext,
  outer: (name: string) => TensorInfo | undefined = () => undefined,
): BodyShapes {
  const info = new Map<string, TensorInfo>();
  const source = new Map<string, InfoSource>();
  const weights = new Set<string>();
  const inner = new Map<number, BodyShapes[]>();
  for (const input of body.inputs) {
    if (input.info) info.set(input.name, input.info);
    source.set(input.name, input.info?.shape ? "input" : "unknown");
  }
  for (const t of body.initializers) {
    info.set(t.name, tensorInfo(t));
    source.set(t.name, "weight");
    weights.add(t.name);
  }
  const declared = new Map(body.declared.map((vi) => [vi.name, vi]));
  const reads = body.nodes.map(nodeReads);
  const order = topologicalOrder(body.nodes, reads);
  const lookup = (name: string) => info.get(name) ?? outer(name);
  const deeper: ShapeContext = { ...ctx, depth: ctx.depth + 1 };

  for (const i of order) {
    const node = body.nodes[i];
    const inputs = node.input.map((name) => (name ? lookup(name) : undefined));
    let outputs: (TensorInfo | undefined)[] | undefined;
    const path = `${body.path}/${nodeLabel(node, i)}`;
    const fn = ctx.functions.get(`${node.domain}:${node.opType}`);
    if (isConstantNode(node)) {
      const constant = constantInfo(node);
      if (node.output[0]) {
        if (constant) info.set(node.output[0], constant);
        source.set(node.output[0], "weight");
        weights.add(node.output[0]);
      }
      continue;
    } else if (ctx.depth < 40 && [...nodeSubgraphs(node)].length > 0) {
      const result = controlFlowOutputs(node, inputs, lookup, path, deeper);
      inner.set(i, result.inner);
      outputs = result.outputs;
    } else if (fn && ctx.depth < 40) {
      const result = functionOutputs(fn, inputs, `${path}:${fn.name}`, deeper);
      inner.set(i, result.inner);
      outputs = result.outputs;
    } else if (node.domain === "" || node.domain === "ai.onnx") {
      outputs = shapeRules.get(node.opType)?.(node, inputs);
    }
    node.output.forEach((name, k) => {
      if (!name) return;
      const [result, from] = resolveOutput(declared.get(name), outputs?.[k], inputs, ctx);
      if (result) info.set(name, result);
      source.set(name, from);
      if (from === "assumed" || from === "unknown")
        ctx.stats.assumedOps.set(opKey(node), (ctx.stats.assumedOps.get(opKey(node)) ?? 0) + 1);
    });
  }
  return { body, order, info, source, weights, inner, reads };
}

function resolveOutput(
  declared: ValueInfoProto | undefined,
  ruled: TensorInfo | undefined,
  inputs: (TensorInfo | undefined)[],
  ctx: ShapeContext,
): [TensorInfo | undefined, InfoSource] {
  const stats = ctx.stats;
  const strict = declared && declaredInfo(declared.type, ctx.symbols, { mode: "bound-only" });
  if (strict?.shape) {
    stats.fromValueInfo++;
    const sameShape =
      ruled?.shape && ruled.shape.length === strict.shape.length && ruled.shape.every((d, i) => d === strict.shape![i]);
    return [sameShape && ruled.values ? { ...strict, values: ruled.values } : strict, "value_info"];
  }
  if (ruled?.shape) {
    stats.fromRule++;
    return [ruled, "rule"];
  }
  const loose = declared && declaredInfo(declared.type, ctx.symbols, { mode: "default", unknownAs: 1 });
  if (loose?.shape) {
    stats.fromValueInfo++;
    return [loose, "value_info"];
  }
  const known = inputs.filter((i) => i?.shape).sort((a, b) => (infoBytes(b) ?? 0) - (infoBytes(a) ?? 0));
  const like = inputs[0]?.shape ? inputs[0] : known[0];
  if (like?.shape) {
    stats.assumed++;
    return [{ dtype: ruled?.dtype || strict?.dtype || like.dtype, shape: [...like.shape] }, "assumed"];
  }
  stats.unknown++;
  return [undefined, "unknown"];
}

/**
 * Propagates shapes over a model's main graph: with its local functions, the default domain's opset (or `opset`),
 * and `stats` (fresh when absent). `inputInfos` are the main graph's inputs without initializers, in order.
 */
export function analyseModel(
  model: ModelProto,
  symbols: SymbolTable,
  inputInfos: (TensorInfo | undefined)[] = [],
  options: { opset?: number; stats?: ShapeStats } = {},
): BodyShapes {
  const functions = new Map<string, FunctionProto>(model.functions.map((f) => [`${f.domain}:${f.name}`, f]));
  const opset =
    options.opset ?? Number(model.opsetImport.find((o) => o.domain === "" || o.domain === "ai.onnx")?.version ?? 0n);
  return analyseBody(graphBody(model.graph!, "main", symbols, inputInfos), {
    symbols,
    opset,
    functions,
    stats: options.stats ?? newShapeStats(),
    depth: 0,
  });
}

/**
 * The main graph's inputs (initializers excluded) as tensor infos, each dim a number: declared values as they are,
 * symbolic and unnamed unknown dims as `bind` gives them (`param` is the dim's name, undefined when it has none).
 */
export function boundInputInfos(
  graph: GraphProto,
  bind: (param: string | undefined) => number,
): (TensorInfo | undefined)[] {
  const initializers = new Set(graph.initializer.map((t) => t.name));
  return graph.input
    .filter((i) => !initializers.has(i.name))
    .map((vi) => {
      if (vi.type?.value.case !== "tensorType") return undefined;
      const t = vi.type.value.value;
      if (!t.shape) return { dtype: t.elemType };
      const shape = t.shape.dim.map((d) =>
        d.value.case === "dimValue"
          ? Number(d.value.value)
          : bind(d.value.case === "dimParam" && d.value.value !== "" ? d.value.value : undefined),
      );
      return { dtype: t.elemType, shape };
    });
}

// Counting a model: nodes (top level, in subgraphs, in model-local functions), op-type histograms, and parameters
// (initializers and Constant-node tensors, in every scope) by element type. External data counts by its declared
// length, without being read. A tensor whose size cannot be trusted (negative dims, data that does not match dims ×
// dtype, a count past 2^53: tensor-checks.ts) is counted as `unknown`, not as the number its dims would give.
import { type ModelProto, type NodeProto, TensorProto_DataType as DT } from "onnx-buf";
import { bytesForElements, dtypeName } from "../onnx/dtypes";
import { isExternal, tensorByteSize } from "../onnx/tensor-proto";
import { isConstantNode, opKey, type TensorEntry, walkGraphs, walkTensors } from "../onnx/walk";
import { exactElementCount, tensorIssue } from "./tensor-checks";

export interface Totals {
  tensors: number;
  /** Elements and bytes of the tensors whose size is known (all but `unknown`). */
  elements: number;
  bytes: number;
  /** Tensors whose size is not known (see the report's problems); absent when there are none. */
  unknown?: number;
}

export interface TotalsByDtype {
  total: Totals;
  byDtype: Record<string, Totals>;
}

export interface NodeStats {
  /** Nodes of the main graph. */
  topLevel: number;
  /** Nodes in subgraphs of the main graph (If/Loop/Scan bodies, recursively). */
  inSubgraphs: number;
  /** Nodes in model-local function bodies (and their subgraphs), each function counted once. */
  inFunctions: number;
  /** All of the above. */
  total: number;
  subgraphs: number;
  functions: number;
  /** Op types of the main graph only. Keys: `OpType`, or `domain.OpType` outside the default domain. */
  opsTopLevel: Record<string, number>;
  /** Op types of every node counted in `total` (main graph, subgraphs, function bodies). */
  opsAll: Record<string, number>;
}

export interface ParameterStats {
  /** Initializers and Constant-node tensors together. */
  all: TotalsByDtype;
  /** Graph initializers (sparse ones by their stored values and indices), every scope. */
  initializers: TotalsByDtype;
  /** Outputs of Constant nodes (value, sparse_value, value_float(s), value_int(s), value_string(s)), every scope. */
  constants: TotalsByDtype;
  /** Tensors whose data is in external files, and their bytes (by declared length, not read). */
  external: { tensors: number; bytes: number };
}

const zero = (): Totals => ({ tensors: 0, elements: 0, bytes: 0 });
const emptyByDtype = (): TotalsByDtype => ({ total: zero(), byDtype: {} });

function add(target: TotalsByDtype, dtype: number, elements: number, bytes: number, tensors = 1): void {
  const name = dtypeName(dtype);
  const row = (target.byDtype[name] ??= zero());
  for (const t of [row, target.total]) {
    t.tensors += tensors;
    t.elements += elements;
    t.bytes += bytes;
  }
}

/** A tensor of unknown size: it counts as a tensor, and as unknown, but adds no elements or bytes. */
function addUnknown(target: TotalsByDtype, dtype: number, tensors: number): void {
  const row = (target.byDtype[dtypeName(dtype)] ??= zero());
  for (const t of [row, target.total]) {
    t.tensors += tensors;
    t.unknown = (t.unknown ?? 0) + 1;
  }
}

export function nodeStats(model: ModelProto): NodeStats {
  const stats: NodeStats = {
    topLevel: 0,
    inSubgraphs: 0,
    inFunctions: 0,
    total: 0,
    subgraphs: 0,
    functions: model.functions.length,
    opsTopLevel: {},
    opsAll: {},
  };
  for (const scope of walkGraphs(model)) {
    if (scope.kind === "subgraph") stats.subgraphs++;
    for (const node of scope.nodes) {
      const key = opKey(node);
      stats.opsAll[key] = (stats.opsAll[key] ?? 0) + 1;
      if (scope.kind === "main") {
        stats.topLevel++;
        stats.opsTopLevel[key] = (stats.opsTopLevel[key] ?? 0) + 1;
      } else if (scope.kind === "subgraph") stats.inSubgraphs++;
      else stats.inFunctions++;
    }
  }
  stats.total = stats.topLevel + stats.inSubgraphs + stats.inFunctions;
  return stats;
}

/** The scalar and list forms of a Constant node (value_float, value_ints, …), which hold no TensorProto. */
function addConstantAttributes(node: NodeProto, target: TotalsByDtype): void {
  for (const a of node.attribute) {
    switch (a.name) {
      case "value_float":
        add(target, DT.FLOAT, 1, 4);
        break;
      case "value_floats":
        add(target, DT.FLOAT, a.floats.length, 4 * a.floats.length);
        break;
      case "value_int":
        add(target, DT.INT64, 1, 8);
        break;
      case "value_ints":
        add(target, DT.INT64, a.ints.length, 8 * a.ints.length);
        break;
      case "value_string":
        add(target, DT.STRING, 1, a.s.length);
        break;
      case "value_strings":
        add(
          target,
          DT.STRING,
          a.strings.length,
          a.strings.reduce((sum, s) => sum + s.length, 0),
        );
        break;
    }
  }
}

/** `dataStripped`: the model was read without its inline tensor values (see tensorIssue); counts come from dims. */
export function parameterStats(model: ModelProto, options: { dataStripped?: boolean } = {}): ParameterStats {
  const stats: ParameterStats = {
    all: emptyByDtype(),
    initializers: emptyByDtype(),
    constants: emptyByDtype(),
    external: { tensors: 0, bytes: 0 },
  };
  for (const entry of walkTensors(model)) {
    if (entry.kind === "attribute") continue;
    const t = entry.tensor;
    const targets = [entry.kind === "constant" ? stats.constants : stats.initializers, stats.all];
    // A sparse tensor's indices are bookkeeping: they add bytes but not parameters or a tensor of their own.
    const isSparseIndices = isSparseIndexTensor(entry);
    if (tensorIssue(t, options)) {
      for (const target of targets) addUnknown(target, t.dataType, isSparseIndices ? 0 : 1);
      continue;
    }
    const count = Number(exactElementCount(t.dims) ?? 0n);
    const bytes = tensorByteSize(t) ?? bytesForElements(t.dataType, count);
    if (isExternal(t)) {
      stats.external.tensors++;
      stats.external.bytes += bytes;
    }
    for (const target of targets) {
      if (isSparseIndices) add(target, t.dataType, 0, bytes, 0);
      else add(target, t.dataType, count, bytes);
    }
  }
  for (const scope of walkGraphs(model)) {
    for (const node of scope.nodes) {
      if (!isConstantNode(node)) continue;
      addConstantAttributes(node, stats.constants);
      addConstantAttributes(node, stats.all);
    }
  }
  return stats;
}

function isSparseIndexTensor(entry: TensorEntry): boolean {
  if (entry.kind === "initializer") return false;
  if (entry.kind === "sparse-initializer")
    return entry.scope.graph?.sparseInitializer.some((s) => s.indices === entry.tensor) ?? false;
  return (
    entry.node?.attribute.some(
      (a) => a.sparseTensor?.indices === entry.tensor || a.sparseTensors.some((s) => s.indices === entry.tensor),
    ) ?? false
  );
}

// Walkers over a model: every graph scope (the main graph, subgraphs in GRAPH/GRAPHS attributes of If, Loop, Scan
// and others, recursively, model-local function bodies, and optionally training graphs), every node, every tensor.
// Scopes are named by path: `main`, `main/If_0:then_branch`, `main/Loop_2:body/If_0:else_branch`,
// `function:custom.Gelu`, `main/SequenceMap_1:body` (GRAPHS attributes add an index: `main/X_3:branches[1]`).
import type {
  AttributeProto,
  FunctionProto,
  GraphProto,
  ModelProto,
  NodeProto,
  SparseTensorProto,
  TensorProto,
} from "onnx-buf";

export type ScopeKind = "main" | "subgraph" | "function" | "training";

export interface GraphScope {
  path: string;
  kind: ScopeKind;
  nodes: NodeProto[];
  /** The graph, for graph scopes; undefined for function bodies. */
  graph?: GraphProto;
  /** The function, for function scopes. */
  fn?: FunctionProto;
  /** The node and attribute holding a subgraph, and the path of the scope that node is in. */
  owner?: { node: NodeProto; attribute: string; scopePath: string };
  /** 0 for the main graph, functions and training graphs; +1 per subgraph level. */
  depth: number;
}

export interface WalkOptions {
  /** Include the initialization and algorithm graphs of training_info (default false). */
  training?: boolean;
}

/** A readable name for a node: its name, or `OpType#index` when it has none. */
export function nodeLabel(node: NodeProto, index: number): string {
  return node.name || `${node.opType}#${index}`;
}

/** `opType` for the default ONNX domain, `domain.opType` otherwise (the key of op histograms). */
export function opKey(node: NodeProto): string {
  return node.domain === "" || node.domain === "ai.onnx" ? node.opType : `${node.domain}.${node.opType}`;
}

/** The graphs in a node's attributes, labelled `then_branch` or `branches[1]`. */
export function* nodeSubgraphs(
  node: NodeProto,
): Generator<{ attribute: AttributeProto; label: string; graph: GraphProto }> {
  for (const attribute of node.attribute) {
    if (attribute.g) yield { attribute, label: attribute.name, graph: attribute.g };
    for (let i = 0; i < attribute.graphs.length; i++)
      yield { attribute, label: `${attribute.name}[${i}]`, graph: attribute.graphs[i] };
  }
}

function* nestedScopes(parent: GraphScope): Generator<GraphScope> {
  for (let i = 0; i < parent.nodes.length; i++) {
    const node = parent.nodes[i];
    for (const sub of nodeSubgraphs(node)) {
      const scope: GraphScope = {
        path: `${parent.path}/${nodeLabel(node, i)}:${sub.label}`,
        kind: parent.kind === "main" || parent.kind === "subgraph" ? "subgraph" : parent.kind,
        nodes: sub.graph.node,
        graph: sub.graph,
        owner: { node, attribute: sub.attribute.name, scopePath: parent.path },
        depth: parent.depth + 1,
      };
      yield scope;
      yield* nestedScopes(scope);
    }
  }
}

/** Every graph scope, depth first: the main graph and its subgraphs, then each function and its subgraphs. */
export function* walkGraphs(model: ModelProto, options: WalkOptions = {}): Generator<GraphScope> {
  if (model.graph) {
    const main: GraphScope = { path: "main", kind: "main", nodes: model.graph.node, graph: model.graph, depth: 0 };
    yield main;
    yield* nestedScopes(main);
  }
  for (const fn of model.functions) {
    const scope: GraphScope = {
      path: `function:${fn.domain ? `${fn.domain}.` : ""}${fn.name}`,
      kind: "function",
      nodes: fn.node,
      fn,
      depth: 0,
    };
    yield scope;
    yield* nestedScopes(scope);
  }
  if (options.training) {
    for (let i = 0; i < model.trainingInfo.length; i++) {
      const info = model.trainingInfo[i];
      for (const [label, graph] of [
        ["initialization", info.initialization],
        ["algorithm", info.algorithm],
      ] as const) {
        if (!graph) continue;
        const scope: GraphScope = {
          path: `training[${i}]:${label}`,
          kind: "training",
          nodes: graph.node,
          graph,
          depth: 0,
        };
        yield scope;
        yield* nestedScopes(scope);
      }
    }
  }
}

/** Every node of every scope, with its scope and index there. */
export function* walkNodes(
  model: ModelProto,
  options: WalkOptions = {},
): Generator<{ node: NodeProto; scope: GraphScope; index: number }> {
  for (const scope of walkGraphs(model, options)) {
    for (let index = 0; index < scope.nodes.length; index++) yield { node: scope.nodes[index], scope, index };
  }
}

export type TensorKind = "initializer" | "sparse-initializer" | "constant" | "attribute";

export interface TensorEntry {
  tensor: TensorProto;
  /** initializer; sparse-initializer (its values and indices); constant (`value`/`sparse_value` of a Constant node); attribute (any other tensor attribute). */
  kind: TensorKind;
  scope: GraphScope;
  node?: NodeProto;
  attribute?: string;
}

export function isConstantNode(node: NodeProto): boolean {
  return node.opType === "Constant" && (node.domain === "" || node.domain === "ai.onnx");
}

function* sparseParts(sparse: SparseTensorProto): Generator<TensorProto> {
  if (sparse.values) yield sparse.values;
  if (sparse.indices) yield sparse.indices;
}

/** Every TensorProto in the model: initializers, sparse initializers, and tensors in node attributes, in every scope. */
export function* walkTensors(model: ModelProto, options: WalkOptions = {}): Generator<TensorEntry> {
  for (const scope of walkGraphs(model, options)) {
    if (scope.graph) {
      for (const tensor of scope.graph.initializer) yield { tensor, kind: "initializer", scope };
      for (const sparse of scope.graph.sparseInitializer)
        for (const tensor of sparseParts(sparse)) yield { tensor, kind: "sparse-initializer", scope };
    }
    for (const node of scope.nodes) {
      const constant = isConstantNode(node);
      for (const a of node.attribute) {
        const kind: TensorKind =
          constant && (a.name === "value" || a.name === "sparse_value") ? "constant" : "attribute";
        if (a.t) yield { tensor: a.t, kind, scope, node, attribute: a.name };
        for (const tensor of a.tensors) yield { tensor, kind, scope, node, attribute: a.name };
        if (a.sparseTensor)
          for (const tensor of sparseParts(a.sparseTensor)) yield { tensor, kind, scope, node, attribute: a.name };
        for (const sparse of a.sparseTensors)
          for (const tensor of sparseParts(sparse)) yield { tensor, kind, scope, node, attribute: a.name };
      }
    }
  }
}

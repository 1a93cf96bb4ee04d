// The compact graph of an ONNX model that the graph viewer, its layout and `edge graph` share: names, op types,
// edges (through tensor indices), dtypes and shapes, and nested If/Loop/Scan bodies, but no weight bytes and no
// attribute values (those come on request: webviews/protocol/graph.ts). The engine builds it (engine/graph/); the
// layout (common/graph/layout/) and the webview read it. Plain JSON: it crosses postMessage and worker boundaries.
//
// Identity: a node is its index in `nodes` (ONNX names may be empty or repeated); a node of a nested body is addressed
// by the path of (node index, attribute name) steps from the main graph (`GraphPath`). Names are what links a node to
// a profile's kernels, partitions.json and quant-error.json.

export const MODEL_GRAPH_VERSION = 1;

/** Where a tensor comes from. */
export type TensorKind =
  /** A graph input a caller feeds (initializers that are also listed as inputs count as initializers). */
  | "input"
  /** A weight stored in the model (an initializer, inline or in external data). */
  | "initializer"
  /** The output of a `Constant` node. */
  | "constant"
  /** Produced by a node and consumed inside the graph. */
  | "value"
  /** Captured from an enclosing graph (only in If/Loop/Scan bodies). */
  | "outer";

/** One dimension: a number, a symbolic name (`batch`), or null when unknown. */
export type GraphDim = number | string | null;

export interface GraphTensor {
  name: string;
  kind: TensorKind;
  /** ONNX dtype name as `dtypeName` prints it ("float32", "int8", …); absent when neither declared nor inferred. */
  dtype?: string;
  shape?: GraphDim[];
  /** "declared" by the model (value_info, inputs, outputs, initializer dims) or "inferred" by the engine. */
  shapeSource?: "declared" | "inferred";
  /** Index of the producing node in `nodes`; -1 for inputs, initializers and outer tensors. */
  producer: number;
  /** Is one of the graph's outputs (whatever produced it). */
  graphOutput?: boolean;
  /** Initializers: the size of the data (not read to build this graph). */
  sizeBytes?: number;
  /** Initializers: the data is in an external file. */
  external?: boolean;
}

export interface GraphNode {
  /** The ONNX node name; may be "" (the viewer then shows `op#index`). */
  name: string;
  op: string;
  /** Absent for the default ONNX domain ("" or "ai.onnx"). */
  domain?: string;
  /** Tensor indices in `tensors`; -1 for an omitted optional input. */
  inputs: number[];
  outputs: number[];
  /** Number of attributes (their values come with the node's details). */
  attributeCount: number;
  /**
   * A canonical digest of the attributes other than subgraphs (names, types and values), equal for equal
   * attributes: diffs compare it without asking for details. Absent when the node has no such attributes.
   */
  attributesDigest?: string;
  /** If/Loop/Scan (and any attribute holding graphs): the bodies, in attribute order. */
  subgraphs?: { attribute: string; graph: ModelGraph }[];
  /**
   * Tensor indices in this graph that the bodies read (kind "outer" inside them, at any nesting depth), in index
   * order; the layout draws them as implicit edges into the node. Absent when the bodies capture nothing.
   */
  captures?: number[];
}

/** Something wrong with the graph that the viewer marks (it still renders). */
export interface GraphProblem {
  kind: "dangling-input" | "cycle" | "duplicate-output" | "duplicate-name";
  /** The node the problem is on, when there is one. */
  node?: number;
  tensor?: number;
  message: string;
}

export interface ModelGraph {
  /** The graph's name in the model. */
  name: string;
  nodes: GraphNode[];
  tensors: GraphTensor[];
  /** Graph inputs a caller feeds (tensor indices, initializers excluded), in model order. */
  inputs: number[];
  /** Graph outputs (tensor indices), in model order. */
  outputs: number[];
  problems: GraphProblem[];
}

/** A model's graph and what the viewer shows about the file. */
export interface ModelGraphDocument {
  version: typeof MODEL_GRAPH_VERSION;
  /** Absolute path of the .onnx file. */
  path: string;
  sizeBytes: number;
  irVersion: number;
  /** Opset per domain ("" for ai.onnx). */
  opsets: Record<string, number>;
  producer?: string;
  /** External data files and their total tensor bytes (never read to build the graph). */
  external?: { files: string[]; totalBytes: number };
  graph: ModelGraph;
  /** Nodes in all graphs, nested bodies included. */
  totalNodes: number;
}

/** One step into a nested body: the node (in the graph it belongs to) and the attribute holding the body. */
export interface GraphPathStep {
  node: number;
  attribute: string;
}
/** From the main graph to a nested body; [] is the main graph. */
export type GraphPath = GraphPathStep[];

/** The graph a path leads to, or undefined when the path does not exist. */
export function graphAt(root: ModelGraph, path: GraphPath): ModelGraph | undefined {
  let graph: ModelGraph | undefined = root;
  for (const step of path) {
    graph = graph?.nodes[step.node]?.subgraphs?.find((s) => s.attribute === step.attribute)?.graph;
    if (!graph) return undefined;
  }
  return graph;
}

/** What the viewer prints for a node: its name, or `op#index` when it has none. */
export function nodeLabel(graph: ModelGraph, index: number): string {
  const node = graph.nodes[index];
  return node.name !== "" ? node.name : `${node.op}#${index}`;
}

/** The op as people write it: `MatMulNBits` for the default and Microsoft domains, else `domain.op`. */
export function qualifiedOp(node: Pick<GraphNode, "op" | "domain">): string {
  return node.domain === undefined || node.domain === "com.microsoft" ? node.op : `${node.domain}.${node.op}`;
}

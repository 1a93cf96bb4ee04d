// Opening a model for the graph viewer: read it with the engine's reader (external data checked with a stat, never
// read), build the compact graph with declared and inferred shapes, and keep the decoded model so that a node's
// details (attributes, weight statistics, quantization parameters) are answered on request. A model that cannot be
// read throws the reader's EdgeError (code, file, byte offset) as it is.
import type { GraphProto, NodeProto } from "onnx-buf";
import {
  type GraphPath,
  graphAt,
  MODEL_GRAPH_VERSION,
  type ModelGraph,
  type ModelGraphDocument,
} from "../../common/graph/model-graph";
import type { NodeDetails } from "../../common/graph/node-details";
import { EdgeError } from "../errors";
import { type OnnxModel, readModel } from "../onnx/read-model";
import { buildModelGraph, countNodes, subgraphLabels } from "./build-graph";
import { inferShapes } from "./inferred-shapes";
import { describeNode, type WeightSource } from "./node-details";

export interface OpenModelGraphOptions {
  signal?: AbortSignal;
}

export interface OpenedModelGraph {
  document: ModelGraphDocument;
  /** The details of node `node` of the graph at `path` ([] for the main graph). Throws `model/invalid` for a path or index the graph does not have. */
  nodeDetails(path: GraphPath, node: number): Promise<NodeDetails>;
  /** Closes the external data files opened for statistics (the document stays usable). */
  close(): Promise<void>;
}

/** The graph protos along a path, outermost first; undefined when the path does not exist. */
export function protoGraphsAt(main: GraphProto, path: GraphPath): GraphProto[] | undefined {
  const chain = [main];
  for (const step of path) {
    const node = chain[chain.length - 1].node[step.node];
    const sub = node && subgraphLabels(node).find((s) => s.label === step.attribute);
    if (!sub) return undefined;
    chain.push(sub.graph);
  }
  return chain;
}

/** The compact document of an already-read model. */
export function modelGraphDocument(model: OnnxModel): ModelGraphDocument {
  const proto = model.proto;
  const graph: ModelGraph = buildModelGraph(proto.graph!, inferShapes(proto));
  const opsets: Record<string, number> = {};
  for (const o of proto.opsetImport) opsets[o.domain === "ai.onnx" ? "" : o.domain] = Number(o.version);
  const document: ModelGraphDocument = {
    version: MODEL_GRAPH_VERSION,
    path: model.path,
    sizeBytes: model.sizeBytes,
    irVersion: Number(proto.irVersion),
    opsets,
    graph,
    totalNodes: countNodes(graph),
  };
  const producer = [proto.producerName, proto.producerVersion].filter(Boolean).join(" ");
  if (producer) document.producer = producer;
  if (model.external.tensors > 0)
    document.external = { files: model.external.files, totalBytes: model.external.totalBytes };
  return document;
}

/** Reads a model and builds its compact graph; details come from `nodeDetails` while it is open. */
export async function openModelGraph(file: string, options: OpenModelGraphOptions = {}): Promise<OpenedModelGraph> {
  const { signal } = options;
  signal?.throwIfAborted();
  const model = await readModel(file);
  try {
    signal?.throwIfAborted();
    const document = modelGraphDocument(model);
    signal?.throwIfAborted();
    return {
      document,
      async nodeDetails(path, index) {
        const chain = protoGraphsAt(model.proto.graph!, path);
        const graph = graphAt(document.graph, path);
        const node: NodeProto | undefined = chain?.[chain.length - 1].node[index];
        if (!chain || !graph || !node || !graph.nodes[index])
          throw new EdgeError(
            "model/invalid",
            `the graph has no node ${index} at ${path.map((s) => `${s.node}:${s.attribute}`).join("/") || "the top level"}`,
            { file: model.path },
          );
        return describeNode({ model, document, chain, graph, path, index, node, tensors: weightLookup(chain) });
      },
      close: () => model.close(),
    };
  } catch (e) {
    await model.close();
    throw e;
  }
}

const scopeWeights = new WeakMap<GraphProto, Map<string, WeightSource>>();

function weightsOf(graph: GraphProto): Map<string, WeightSource> {
  let map = scopeWeights.get(graph);
  if (!map) {
    map = new Map();
    for (const t of graph.initializer) if (!map.has(t.name)) map.set(t.name, { tensor: t });
    for (const n of graph.node)
      if (n.opType === "Constant" && (n.domain === "" || n.domain === "ai.onnx") && n.output[0])
        map.set(n.output[0], { constant: n });
    scopeWeights.set(graph, map);
  }
  return map;
}

/** Finds a weight by name from the innermost scope outwards. */
function weightLookup(chain: GraphProto[]): (name: string) => WeightSource | undefined {
  return (name) => {
    for (let i = chain.length - 1; i >= 0; i--) {
      const found = weightsOf(chain[i]).get(name);
      if (found) return found;
    }
    return undefined;
  };
}

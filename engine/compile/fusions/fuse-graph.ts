// Runs the fusion passes over a model's main graph, in place (the caller hands a copy): each pass indexes the graph,
// tries every anchor, applies the matches that do not overlap, then the graph is sorted again and nodes nothing reads
// any more are dropped. Returns how many of each fused op were written and, per anchor that did not match, why.
// The model's inputs, outputs and initializers are left as they are.
import { create } from "@bufbuild/protobuf";
import { type ModelProto, type NodeProto, OperatorSetIdProtoSchema } from "onnx-buf";
import { freeNames, topologicalOrder } from "../../onnx/shape-propagation";
import { nodeSubgraphs } from "../../onnx/walk";
import { attentionFusion } from "./attention";
import type { Fusion } from "./fusion-types";
import { GraphIndex } from "./graph-index";
import { skipLayerNormFusion } from "./skip-layer-norm";

/** The passes, in the order they run: attention first (it removes the Adds a residual pass must not take). */
export const FUSIONS: Fusion[] = [attentionFusion, skipLayerNormFusion];

export interface FusionMiss {
  fusion: string;
  /** The anchor node's name (`OpType#index` when it has none). */
  node: string;
  reason: string;
}

export interface FuseResult {
  /** Fused op → how many were written. */
  applied: Record<string, number>;
  unmatched: FusionMiss[];
  nodesBefore: number;
  nodesAfter: number;
}

/** Applies `fusions` (default all) to `model`'s main graph in place. */
export function fuseGraph(model: ModelProto, fusions: Fusion[] = FUSIONS): FuseResult {
  const graph = model.graph;
  const result: FuseResult = { applied: {}, unmatched: [], nodesBefore: graph?.node.length ?? 0, nodesAfter: 0 };
  if (!graph) return result;
  for (const fusion of fusions) {
    const ix = new GraphIndex(model, graph);
    const claimed = new Set<NodeProto>();
    const removed = new Set<NodeProto>();
    const added: NodeProto[] = [];
    graph.node.forEach((node, index) => {
      if (!fusion.anchors(node)) return;
      const label = node.name || `${node.opType}#${index}`;
      const m = fusion.match(ix, node);
      if (typeof m === "string") {
        result.unmatched.push({ fusion: fusion.name, node: label, reason: m });
        return;
      }
      if (m.remove.some((n) => claimed.has(n))) {
        result.unmatched.push({ fusion: fusion.name, node: label, reason: "overlaps another match of the same pass" });
        return;
      }
      for (const n of m.remove) {
        claimed.add(n);
        removed.add(n);
      }
      added.push(...m.add);
      result.applied[fusion.name] = (result.applied[fusion.name] ?? 0) + m.add.length;
    });
    if (added.length === 0) continue;
    graph.node = [...graph.node.filter((n) => !removed.has(n)), ...added];
    sortNodes(model);
  }
  if (Object.keys(result.applied).length > 0) {
    pruneDeadNodes(model);
    if (!model.opsetImport.some((o) => o.domain === "com.microsoft"))
      model.opsetImport.push(create(OperatorSetIdProtoSchema, { domain: "com.microsoft", version: 1n }));
  }
  result.nodesAfter = graph.node.length;
  return result;
}

function readsOf(node: NodeProto): string[] {
  const names = node.input.filter(Boolean);
  for (const sub of nodeSubgraphs(node)) names.push(...freeNames(sub.graph));
  return names;
}

function sortNodes(model: ModelProto): void {
  const graph = model.graph!;
  const order = topologicalOrder(graph.node, graph.node.map(readsOf));
  graph.node = order.map((i) => graph.node[i]);
}

/** Drops nodes none of whose outputs is read (by a node, a subgraph or the graph's outputs), until none is left. */
function pruneDeadNodes(model: ModelProto): void {
  const graph = model.graph!;
  for (;;) {
    const read = new Set(graph.output.map((o) => o.name));
    for (const node of graph.node) for (const name of readsOf(node)) read.add(name);
    const kept = graph.node.filter((n) => n.output.some((o) => o && read.has(o)));
    if (kept.length === graph.node.length) return;
    graph.node = kept;
  }
}

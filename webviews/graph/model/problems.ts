// The nodes a graph's problems are marked on (pure).
import type { GraphProblem, ModelGraph } from "../../../common/graph/model-graph";

/**
 * The nodes a problem is marked on: its node, or for a dangling tensor every node that reads it (a dangling input
 * names a tensor nobody produces).
 */
export function problemNodes(graph: ModelGraph, problems: readonly GraphProblem[]): Set<number> {
  const out = new Set<number>();
  for (const p of problems) {
    if (p.node !== undefined) out.add(p.node);
    else if (p.tensor !== undefined) graph.nodes.forEach((n, i) => n.inputs.includes(p.tensor!) && out.add(i));
  }
  return out;
}

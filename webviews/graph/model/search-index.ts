// Search over a model's nodes (pure): by node name, op type and tensor name, in the main graph and every nested
// If/Loop/Scan body. Results say what matched so the list can show it; `findByName` resolves a NodeRef's name (the
// profile viewer's and DidRevealNodeNotification's way of naming a node).
import { nodeLabel, qualifiedOp, type GraphPath, type ModelGraph } from "../../../common/graph/model-graph";

export type SearchMatch = "name" | "op" | "tensor";

export interface SearchResult {
  path: GraphPath;
  node: number;
  /** What the list shows: the node's label. */
  label: string;
  op: string;
  match: SearchMatch;
  /** The matched text (a tensor's name when the match is a tensor). */
  text: string;
}

interface Entry {
  path: GraphPath;
  graph: ModelGraph;
  node: number;
  label: string;
  lowerName: string;
  op: string;
  lowerOp: string;
}

export class SearchIndex {
  private readonly entries: Entry[] = [];
  private readonly byName = new Map<string, Entry>();

  constructor(root: ModelGraph) {
    // Iterative walk: nested bodies may be deep.
    const stack: { graph: ModelGraph; path: GraphPath }[] = [{ graph: root, path: [] }];
    while (stack.length > 0) {
      const { graph, path } = stack.pop()!;
      graph.nodes.forEach((node, index) => {
        const label = nodeLabel(graph, index);
        const op = qualifiedOp(node);
        const entry: Entry = {
          path,
          graph,
          node: index,
          label,
          lowerName: node.name.toLowerCase(),
          op,
          lowerOp: op.toLowerCase(),
        };
        this.entries.push(entry);
        if (node.name !== "" && !this.byName.has(node.name)) this.byName.set(node.name, entry);
        for (const s of node.subgraphs ?? [])
          stack.push({ graph: s.graph, path: [...path, { node: index, attribute: s.attribute }] });
      });
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** Every node name of the model (nested bodies included), once each. */
  names(): Iterable<string> {
    return this.byName.keys();
  }

  /** The first node (main graph first) with this ONNX name. */
  findByName(name: string): { path: GraphPath; node: number } | undefined {
    const e = this.byName.get(name);
    return e && { path: e.path, node: e.node };
  }

  /**
   * Nodes matching `query` (case-insensitive): op types equal to it first, then names containing it, then nodes with
   * an input or output tensor whose name contains it. At most `limit` results.
   */
  search(query: string, limit = 200): SearchResult[] {
    const q = query.trim().toLowerCase();
    if (q === "") return [];
    const out: SearchResult[] = [];
    const seen = new Set<Entry>();
    const add = (e: Entry, match: SearchMatch, text: string) => {
      if (out.length >= limit || seen.has(e)) return;
      seen.add(e);
      out.push({ path: e.path, node: e.node, label: e.label, op: e.op, match, text });
    };
    for (const e of this.entries) if (e.lowerOp === q) add(e, "op", e.op);
    for (const e of this.entries) if (e.lowerName.includes(q)) add(e, "name", e.label);
    for (const e of this.entries) {
      if (out.length >= limit) break;
      if (seen.has(e)) continue;
      const node = e.graph.nodes[e.node];
      for (const t of [...node.inputs, ...node.outputs]) {
        const name = t >= 0 ? e.graph.tensors[t]?.name : undefined;
        if (name !== undefined && name.toLowerCase().includes(q)) {
          add(e, "tensor", name);
          break;
        }
      }
    }
    return out;
  }
}

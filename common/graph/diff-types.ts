// The difference between two models' graphs (a float model "before" against its quantized or compiled form
// "after"), as the graph viewer marks it and steps through it. Computed by common/graph/diff.ts from two ModelGraphs
// (pure, so the webview, the host and tests can call it).

export type NodeChangeKind = "added" | "removed" | "changed";

export interface NodeChange {
  kind: NodeChangeKind;
  /** Node index in the before graph (removed, changed). */
  before?: number;
  /** Node index in the after graph (added, changed). */
  after?: number;
  /** What changed, for people: "op Conv → QLinearConv", "attributes", "output y: float32 → int8". */
  details: string[];
}

export interface GraphDiff {
  /** Nodes of before matched to a node of after (changed ones included). */
  matched: number;
  /** Matched nodes that differ in nothing the diff looks at. */
  unchanged: number;
  /** Every change, in the after graph's order (removed ones placed after the node their predecessor matched). */
  changes: NodeChange[];
  /** For each before node, its match in after or -1. */
  afterOf: number[];
  /** For each after node, its match in before or -1. */
  beforeOf: number[];
}

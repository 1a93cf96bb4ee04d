// The shape of a fusion pass: which nodes anchor a match, and for each anchor either the nodes to replace (and their
// replacement) or the reason the pattern does not hold there. fuse-graph.ts runs the passes.
import type { NodeProto } from "onnx-buf";
import type { GraphIndex } from "./graph-index";

export interface FusionMatch {
  /** The nodes the fused node replaces; every tensor they make that others read is made again by `add`. */
  remove: NodeProto[];
  add: NodeProto[];
}

export interface Fusion {
  /** The fused op (the key of the report's counts): "MultiHeadAttention", "SkipLayerNormalization". */
  name: string;
  /** The nodes a match is tried at. */
  anchors(node: NodeProto): boolean;
  /** A match at `node`, or why there is none. The index is the graph before any of this pass's edits. */
  match(ix: GraphIndex, node: NodeProto): FusionMatch | string;
}

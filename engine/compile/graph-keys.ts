// Small helpers the compile analysis shares: node labels, Constant detection, subgraphs, and a node's rule key.
import type { NodeProto } from "onnx-buf";
import { ruleKey } from "./provider-rules";

export { isConstantNode, nodeLabel, nodeSubgraphs } from "../onnx/walk";

/** `OpType` for the default domain, `domain:OpType` otherwise: the key of a provider table's `ops`. */
export function ruleKeyOf(node: NodeProto): string {
  return ruleKey(node.domain, node.opType);
}

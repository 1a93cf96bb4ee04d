// Reading a node's attributes by name, with defaults, as plain numbers and strings.
import type { AttributeProto, NodeProto, TensorProto } from "onnx-buf";

function find(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

export function attrInt(node: NodeProto, name: string, fallback: number): number;
export function attrInt(node: NodeProto, name: string): number | undefined;
export function attrInt(node: NodeProto, name: string, fallback?: number): number | undefined {
  const a = find(node, name);
  return a ? Number(a.i) : fallback;
}

export function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = find(node, name);
  return a ? a.ints.map(Number) : undefined;
}

export function attrFloats(node: NodeProto, name: string): number[] | undefined {
  const a = find(node, name);
  return a ? [...a.floats] : undefined;
}

export function attrString(node: NodeProto, name: string, fallback = ""): string {
  const a = find(node, name);
  return a ? new TextDecoder().decode(a.s) : fallback;
}

export function attrTensor(node: NodeProto, name: string): TensorProto | undefined {
  return find(node, name)?.t;
}

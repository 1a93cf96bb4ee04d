// Finding a node's constant weight and describing why a node cannot be quantized, shared by the methods.
import type { NodeProto } from "onnx-buf";
import { TensorProto_DataType as DT } from "onnx-buf";
import { dtypeName } from "../../onnx/dtypes";
import { type ConstantRef, findConstant, type Scope } from "./edit";
import type { QuantizeContext } from "./context";
import { nodeName } from "./context";

const floatTypes = new Set<number>([DT.FLOAT, DT.FLOAT16, DT.BFLOAT16, DT.DOUBLE]);

export type WeightLookup = { ok: true; ref: ConstantRef; dims: number[] } | { ok: false; reason: string };

/** The constant float weight at `node.input[slot]`, or why there is none. */
export function constantWeight(scope: Scope, node: NodeProto, slot: number): WeightLookup {
  const name = node.input[slot];
  if (!name) return { ok: false, reason: `it has no input ${slot}` };
  const ref = findConstant(scope, name);
  if (!ref) return { ok: false, reason: `its weight "${name}" is computed at run time, not a constant` };
  if (!floatTypes.has(ref.tensor.dataType))
    return { ok: false, reason: `its weight "${name}" is ${dtypeName(ref.tensor.dataType)}, not float` };
  return { ok: true, ref, dims: ref.tensor.dims.map(Number) };
}

export function skip(ctx: QuantizeContext, node: NodeProto, index: number, reason: string): void {
  ctx.skipped.push({ node: nodeName(node, index), opType: node.opType, reason });
}

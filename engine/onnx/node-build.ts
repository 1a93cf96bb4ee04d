// Making nodes and their attributes: what every pass that writes a graph needs (the quantizer's methods, compile's
// fusions). Reading attributes back is node-attrs.ts.
import { create } from "@bufbuild/protobuf";
import {
  type AttributeProto,
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  type NodeProto,
  NodeProtoSchema,
} from "onnx-buf";

/**
 * An attribute of the value's kind: a string, a list of ints, an int (an integer number or a bigint), else a float;
 * `float` makes an integer number a float (epsilon 0, scale 1).
 */
export function attr(name: string, value: number | number[] | string | bigint, float = false): AttributeProto {
  if (typeof value === "string")
    return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: value.map(BigInt) });
  if (typeof value === "bigint" || (!float && Number.isInteger(value)))
    return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(value) });
  return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: value });
}

/** A node; trailing empty inputs and outputs (absent optional ones) are dropped, empty ones in between stay. */
export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attrs: AttributeProto[] = [],
  domain = "",
): NodeProto {
  let input = inputs;
  let output = outputs;
  while (input.length > 0 && input[input.length - 1] === "") input = input.slice(0, -1);
  while (output.length > 0 && output[output.length - 1] === "") output = output.slice(0, -1);
  return create(NodeProtoSchema, { opType, input, output, name, attribute: attrs, domain });
}

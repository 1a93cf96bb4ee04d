// Small protobuf-es constructors for the ONNX parts the LM graph builder needs: nodes with attributes, value infos
// with symbolic dims, constant tensors, and initializers placed inline or in an external data file.
import { create } from "@bufbuild/protobuf";
import {
  AttributeProto_AttributeType as AT,
  type AttributeProto,
  AttributeProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  StringStringEntryProtoSchema,
  type TensorProto,
  TensorProto_DataLocation,
  TensorProto_DataType as DT,
  TensorProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from "onnx-buf";

export { DT };

export type AttrValue = number | number[] | string | TensorProto | { float: number };

function attribute(name: string, value: AttrValue): AttributeProto {
  if (typeof value === "number") return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(value) });
  if (typeof value === "string")
    return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: value.map(BigInt) });
  if ("float" in value) return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: value.float });
  return create(AttributeProtoSchema, { name, type: AT.TENSOR, t: value });
}

export function node(
  name: string,
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrValue> = {},
): NodeProto {
  return create(NodeProtoSchema, {
    name,
    opType,
    input: inputs,
    output: outputs,
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  });
}

/** A value info of a tensor type; string dims are symbolic (dim_param). */
export function valueInfo(name: string, dtype: DT, dims: (number | string)[]): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: {
      value: {
        case: "tensorType",
        value: {
          elemType: dtype,
          shape: {
            dim: dims.map((d) => ({
              value:
                typeof d === "number"
                  ? { case: "dimValue" as const, value: BigInt(d) }
                  : { case: "dimParam" as const, value: d },
            })),
          },
        },
      },
    },
  });
}

/** A small constant tensor (int64 or float32) with raw_data, for Constant nodes and shape initializers. */
export function smallTensor(name: string, dims: number[], values: number[], dtype: DT.INT64 | DT.FLOAT): TensorProto {
  const raw =
    dtype === DT.INT64
      ? new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer)
      : new Uint8Array(Float32Array.from(values).buffer);
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: dtype, rawData: raw });
}

/** A float32 initializer whose bytes are inline (raw_data, little-endian). */
export function inlineFloatTensor(name: string, dims: number[], values: Float32Array): TensorProto {
  const raw = new Uint8Array(values.byteLength);
  raw.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: DT.FLOAT, rawData: raw });
}

/** A float32 initializer whose bytes live in `location` (relative to the model) at `offset`. */
export function externalFloatTensor(
  name: string,
  dims: number[],
  location: string,
  offset: number,
  length: number,
): TensorProto {
  const entry = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: DT.FLOAT,
    dataLocation: TensorProto_DataLocation.EXTERNAL,
    externalData: [entry("location", location), entry("offset", String(offset)), entry("length", String(length))],
  });
}

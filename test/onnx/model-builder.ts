// Builds small ONNX models in tests with protobuf-es, so fixtures are generated, not checked in.
import { create, toBinary } from "@bufbuild/protobuf";
import {
  AttributeProto_AttributeType as AT,
  type AttributeProto,
  AttributeProtoSchema,
  type FunctionProto,
  FunctionProtoSchema,
  type GraphProto,
  GraphProtoSchema,
  type ModelProto,
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  type TensorProto,
  TensorProto_DataType as DT,
  TensorProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from "onnx-buf";

export { DT };

/** A float32 tensor with raw_data (little-endian), or int64 when `dtype` says so. */
export function tensor(name: string, dims: number[], values: number[], dtype: DT = DT.FLOAT): TensorProto {
  let raw: Uint8Array<ArrayBuffer>;
  if (dtype === DT.INT64) raw = new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);
  else if (dtype === DT.INT32) raw = new Uint8Array(Int32Array.from(values).buffer);
  else if (dtype === DT.UINT8 || dtype === DT.INT8 || dtype === DT.BOOL) raw = Uint8Array.from(values);
  else raw = new Uint8Array(Float32Array.from(values).buffer);
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: dtype, rawData: raw });
}

/** Deterministic pseudo-random float32 values. */
export function values(n: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.round(((s / 2147483648) * 2 - 1) * 1000) / 1000;
  });
}

export type Attr =
  number | number[] | string | GraphProto | GraphProto[] | TensorProto | { floats: number[] } | { float: number };

function attribute(name: string, value: Attr): AttributeProto {
  if (typeof value === "number") return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(value) });
  if (typeof value === "string")
    return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) {
    if (value.length > 0 && typeof value[0] === "object")
      return create(AttributeProtoSchema, { name, type: AT.GRAPHS, graphs: value as GraphProto[] });
    return create(AttributeProtoSchema, { name, type: AT.INTS, ints: (value as number[]).map(BigInt) });
  }
  if ("floats" in value) return create(AttributeProtoSchema, { name, type: AT.FLOATS, floats: value.floats });
  if ("float" in value) return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: value.float });
  if (value.$typeName === "onnx.GraphProto") return create(AttributeProtoSchema, { name, type: AT.GRAPH, g: value });
  return create(AttributeProtoSchema, { name, type: AT.TENSOR, t: value as TensorProto });
}

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, Attr> = {},
  extra: { name?: string; domain?: string } = {},
): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    input: inputs,
    output: outputs,
    name: extra.name ?? "",
    domain: extra.domain ?? "",
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  });
}

export function constant(output: string, t: TensorProto, name?: string): NodeProto {
  return node("Constant", [], [output], { value: t }, { name });
}

export function valueInfo(name: string, dtype: DT, dims: (number | string | null)[] | null): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: {
      value: {
        case: "tensorType",
        value: {
          elemType: dtype,
          shape: dims
            ? {
                dim: dims.map((d) => ({
                  value:
                    d === null
                      ? { case: undefined }
                      : typeof d === "number"
                        ? { case: "dimValue" as const, value: BigInt(d) }
                        : { case: "dimParam" as const, value: d },
                })),
              }
            : undefined,
        },
      },
    },
  });
}

export function graph(parts: {
  name?: string;
  nodes: NodeProto[];
  inputs?: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers?: TensorProto[];
  valueInfo?: ValueInfoProto[];
}): GraphProto {
  return create(GraphProtoSchema, {
    name: parts.name ?? "g",
    node: parts.nodes,
    input: parts.inputs ?? [],
    output: parts.outputs,
    initializer: parts.initializers ?? [],
    valueInfo: parts.valueInfo ?? [],
  });
}

export function fn(
  domain: string,
  name: string,
  inputs: string[],
  outputs: string[],
  nodes: NodeProto[],
  opset = 17,
): FunctionProto {
  return create(FunctionProtoSchema, {
    domain,
    name,
    input: inputs,
    output: outputs,
    node: nodes,
    opsetImport: [{ domain: "", version: BigInt(opset) }],
  });
}

export function model(
  g: GraphProto,
  options: { opset?: number; irVersion?: number; functions?: FunctionProto[]; extraOpsets?: [string, number][] } = {},
): ModelProto {
  return create(ModelProtoSchema, {
    irVersion: BigInt(options.irVersion ?? 8),
    producerName: "edge-test",
    producerVersion: "1",
    opsetImport: [
      create(OperatorSetIdProtoSchema, { domain: "", version: BigInt(options.opset ?? 17) }),
      ...(options.extraOpsets ?? []).map(([domain, version]) =>
        create(OperatorSetIdProtoSchema, { domain, version: BigInt(version) }),
      ),
    ],
    graph: g,
    functions: options.functions ?? [],
  });
}

export function bytesOf(m: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, m);
}

/**
 * A two-layer perceptron: x [batch, 4] → MatMul W1 [4, 8] → Add b1 → Relu → MatMul W2 [8, 3] → y [batch, 3].
 * W1 is an initializer, W2 and b1 are Constant nodes, so both kinds of weights are exercised.
 */
export function mlp(): ModelProto {
  const w1 = tensor("W1", [4, 8], values(32, 1));
  const b1 = tensor("b1", [8], values(8, 2));
  const w2 = tensor("W2", [8, 3], values(24, 3));
  return model(
    graph({
      name: "mlp",
      nodes: [
        constant("b1", b1, "const_b1"),
        constant("W2", w2, "const_W2"),
        node("MatMul", ["x", "W1"], ["h0"], {}, { name: "mm1" }),
        node("Add", ["h0", "b1"], ["h1"], {}, { name: "add1" }),
        node("Relu", ["h1"], ["h2"], {}, { name: "relu1" }),
        node("MatMul", ["h2", "W2"], ["y"], {}, { name: "mm2" }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, ["batch", 4])],
      outputs: [valueInfo("y", DT.FLOAT, ["batch", 3])],
      initializers: [w1],
    }),
  );
}

// A model's signature (IR version, opsets, inputs and outputs with dtypes and dims) for callers that need
// only that: the recipe checker, the runner. Symbolic dims keep their names; unknown dims are null.
import { fromBinary } from "@bufbuild/protobuf";
import { type ModelProto, ModelProtoSchema, type ValueInfoProto, TensorProto_DataType } from "onnx-buf";
import { promises as fs } from "node:fs";
import { EdgeError } from "../errors";

export interface TensorSignature {
  name: string;
  /** ONNX element type in lower case, e.g. "float32", "int64", "float16"; "unknown" for non-tensor types. */
  dtype: string;
  /** One entry per dim: a size, a symbolic name, or null when unknown. `null` for the whole shape when the rank is unknown. */
  dims: (number | string | null)[] | null;
}

export interface ModelSignature {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

const dtypeNames: Record<number, string> = {
  [TensorProto_DataType.FLOAT]: "float32",
  [TensorProto_DataType.UINT8]: "uint8",
  [TensorProto_DataType.INT8]: "int8",
  [TensorProto_DataType.UINT16]: "uint16",
  [TensorProto_DataType.INT16]: "int16",
  [TensorProto_DataType.INT32]: "int32",
  [TensorProto_DataType.INT64]: "int64",
  [TensorProto_DataType.STRING]: "string",
  [TensorProto_DataType.BOOL]: "bool",
  [TensorProto_DataType.FLOAT16]: "float16",
  [TensorProto_DataType.DOUBLE]: "float64",
  [TensorProto_DataType.UINT32]: "uint32",
  [TensorProto_DataType.UINT64]: "uint64",
  [TensorProto_DataType.COMPLEX64]: "complex64",
  [TensorProto_DataType.COMPLEX128]: "complex128",
  [TensorProto_DataType.BFLOAT16]: "bfloat16",
};

export function dtypeName(elemType: number): string {
  return dtypeNames[elemType] ?? `dtype-${elemType}`;
}

export function tensorSignature(info: ValueInfoProto): TensorSignature {
  const type = info.type?.value;
  if (info.type?.value.case !== "tensorType" || !type) return { name: info.name, dtype: "unknown", dims: null };
  const tensor = info.type.value.value;
  const dims = tensor.shape ? tensor.shape.dim.map((d) => (d.value.case === "dimValue" ? Number(d.value.value) : d.value.case === "dimParam" ? d.value.value : null)) : null;
  return { name: info.name, dtype: dtypeName(tensor.elemType), dims };
}

export function modelSignature(model: ModelProto): ModelSignature {
  const graph = model.graph;
  const initializerNames = new Set(graph?.initializer.map((t) => t.name) ?? []);
  return {
    irVersion: Number(model.irVersion),
    opsetImports: model.opsetImport.map((o) => ({ domain: o.domain, version: Number(o.version) })),
    // Graph inputs that are also initializers are weights with defaults (IR < 4 style), not inputs to feed.
    inputs: (graph?.input ?? []).filter((i) => !initializerNames.has(i.name)).map(tensorSignature),
    outputs: (graph?.output ?? []).map(tensorSignature),
  };
}

/** Reads only what the signature needs. Throws `model/not-found` or `model/invalid` (naming the file). */
export async function readModelSignature(path: string): Promise<ModelSignature> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    throw new EdgeError("model/not-found", `cannot read model ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path });
  }
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw new EdgeError("model/invalid", `${path} is not a readable ONNX model: ${(e as Error).message}`, { file: path });
  }
  if (!model.graph) throw new EdgeError("model/invalid", `${path} is not an ONNX model: it has no graph`, { file: path });
  return modelSignature(model);
}

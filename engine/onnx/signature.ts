// A model's signature (IR version, opsets, inputs and outputs with dtypes and dims) for callers that need
// only that: the recipe checker, the runner. Symbolic dims keep their names; unknown dims are null.
import type { ModelProto, ValueInfoProto } from "onnx-buf";
import { dtypeName } from "./dtypes";
import { basename } from "node:path";
import { EdgeError } from "../errors";
import { statRegularFile } from "../fs/regular-file";
import { readModel } from "./read-model";
import { externalDataFiles } from "./source-files";

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

/** The lower-case name of an ONNX element type; kept here for callers of this module (defined in ./dtypes). */
export { dtypeName };

export function tensorSignature(info: ValueInfoProto): TensorSignature {
  const type = info.type?.value;
  if (info.type?.value.case !== "tensorType" || !type) return { name: info.name, dtype: "unknown", dims: null };
  const tensor = info.type.value.value;
  const dims = tensor.shape
    ? tensor.shape.dim.map((d) =>
        d.value.case === "dimValue" ? Number(d.value.value) : d.value.case === "dimParam" ? d.value.value : null,
      )
    : null;
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

/**
 * Reads a model file's signature. Throws `model/not-found`, or `model/invalid` naming the file and the byte
 * offset where reading failed. External data is neither read nor checked.
 */
export async function readModelSignature(path: string): Promise<ModelSignature> {
  const model = await readModel(path, { checkExternalData: false });
  // The weights are not read here, but a run will read them: an external data file that is a pipe or a device is
  // said now (a stat each; missing or short files are the run's errors, as before).
  for (const file of externalDataFiles(model.proto, model.dir)) {
    await statRegularFile(file, { code: "model/external-data", name: `external data file ${basename(file)}` }).catch(
      (e: unknown) => {
        if (e instanceof EdgeError) throw e;
      },
    );
  }
  return modelSignature(model.proto);
}

// The files a model is made of and their size on disk: the .onnx file plus every external data file its
// tensors name (initializers, tensor attributes, sparse tensors, nested subgraphs), resolved next to the model as
// onnxruntime does. Reads the model once and returns its signature too, so the runner parses it only once.
import { fromBinary } from "@bufbuild/protobuf";
import { type GraphProto, type ModelProto, ModelProtoSchema, type TensorProto, TensorProto_DataLocation } from "onnx-buf";
import { promises as fs } from "node:fs";
import { dirname, resolve } from "node:path";
import { EdgeError } from "../errors";
import { type ModelSignature, modelSignature } from "../onnx/signature";

export interface ModelFile {
  path: string;
  role: "model" | "external-data";
  sizeBytes: number;
}

export interface ModelFiles {
  signature: ModelSignature;
  files: ModelFile[];
  /** Sum of the files' sizes: what has to be stored on (and pushed to) a device. */
  sizeBytes: number;
}

function collectGraphLocations(graph: GraphProto | undefined, out: Set<string>): void {
  if (!graph) return;
  const tensor = (t: TensorProto | undefined) => {
    if (t?.dataLocation !== TensorProto_DataLocation.EXTERNAL) return;
    const location = t.externalData.find((e) => e.key === "location")?.value;
    if (location) out.add(location);
  };
  for (const t of graph.initializer) tensor(t);
  for (const s of graph.sparseInitializer) {
    tensor(s.values);
    tensor(s.indices);
  }
  for (const node of graph.node) {
    for (const a of node.attribute) {
      tensor(a.t);
      a.tensors.forEach(tensor);
      if (a.sparseTensor) {
        tensor(a.sparseTensor.values);
        tensor(a.sparseTensor.indices);
      }
      collectGraphLocations(a.g, out);
      for (const g of a.graphs) collectGraphLocations(g, out);
    }
  }
}

/** External data file names the model refers to, as written in the model (relative to its directory). */
export function externalDataLocations(model: ModelProto): string[] {
  const out = new Set<string>();
  collectGraphLocations(model.graph, out);
  return [...out];
}

export async function readModelFiles(path: string, device?: string): Promise<ModelFiles> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    throw new EdgeError("model/not-found", `cannot read model ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path, device }, "check model.path in the recipe (relative paths are relative to the recipe file)");
  }
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw new EdgeError("model/invalid", `${path} is not a readable ONNX model: ${(e as Error).message}`, { file: path, device });
  }
  if (!model.graph) throw new EdgeError("model/invalid", `${path} is not an ONNX model: it has no graph`, { file: path, device });
  const files: ModelFile[] = [{ path, role: "model", sizeBytes: bytes.byteLength }];
  for (const location of externalDataLocations(model)) {
    const dataPath = resolve(dirname(path), location);
    try {
      files.push({ path: dataPath, role: "external-data", sizeBytes: (await fs.stat(dataPath)).size });
    } catch (e) {
      throw new EdgeError("model/external-data", `${path} keeps weights in ${location}, which cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: dataPath, device }, "keep the external data file next to the model, under the name the model gives it");
    }
  }
  return { signature: modelSignature(model), files, sizeBytes: files.reduce((s, f) => s + f.sizeBytes, 0) };
}

// The files a model is made of and their size on disk: the .onnx file plus every external data file its
// tensors name, resolved and bounds-checked by the ONNX reader (engine/onnx), without reading the weights.
// Returns the signature too, so the runner parses the model only once.
import { promises as fs } from "node:fs";
import { EdgeError, isEdgeError } from "../errors";
import { readModel } from "../onnx/read-model";
import { type ModelSignature, modelSignature } from "../onnx/signature";
import type { ModelFile } from "../../common/measurements";

export type { ModelFile } from "../../common/measurements";

export interface ModelFiles {
  signature: ModelSignature;
  files: ModelFile[];
  /** Sum of the files' sizes: what has to be stored on (and pushed to) a device. */
  sizeBytes: number;
}

export async function readModelFiles(path: string, device?: string): Promise<ModelFiles> {
  let model;
  try {
    model = await readModel(path);
  } catch (e) {
    // Same error, told which device's run it stopped.
    if (isEdgeError(e) && device && !e.where.device)
      throw new EdgeError(e.code, e.message, { ...e.where, device }, e.hint, { cause: e });
    throw e;
  }
  try {
    const files: ModelFile[] = [{ path, role: "model", sizeBytes: model.sizeBytes }];
    for (const dataPath of model.external.files) {
      files.push({ path: dataPath, role: "external-data", sizeBytes: (await fs.stat(dataPath)).size });
    }
    return { signature: modelSignature(model.proto), files, sizeBytes: files.reduce((s, f) => s + f.sizeBytes, 0) };
  } finally {
    await model.close();
  }
}

// The files a model is read from (the .onnx file and every external data file its tensors name), for the writers
// that must never write over them: quantize, compile and a recipe's run check their outputs against this list with
// fs/protect-sources.ts before they write anything.
import type { ModelProto } from "onnx-buf";
import { resolve } from "node:path";
import { refuseWritingOverSources, type SourceFile } from "../fs/protect-sources";
import { resolveLocation } from "./external-data";
import { type OnnxModel, readModel } from "./read-model";
import { externalRef, isExternal } from "./tensor-proto";
import { walkTensors } from "./walk";

export type { SourceFile } from "../fs/protect-sources";

/** The external data files `proto`'s tensors name, resolved against `dir` (locations a reader would refuse are left out). */
export function externalDataFiles(proto: ModelProto, dir: string): string[] {
  const files = new Set<string>();
  for (const { tensor } of walkTensors(proto, { training: true })) {
    if (!isExternal(tensor)) continue;
    try {
      files.add(resolveLocation(dir, externalRef(tensor).location, `tensor "${tensor.name}"`));
    } catch {
      // an absolute or escaping location is refused by every reader, so nothing is read from it
    }
  }
  return [...files];
}

/** An external data file of the source model, named for messages. */
export function externalDataSource(path: string): SourceFile {
  return { path, role: "the source model's external data file", note: "the source model reads its weights from it" };
}

/** The model file and its external data files, named for messages. */
export function modelSourceFiles(model: Pick<OnnxModel, "path" | "dir" | "proto">): SourceFile[] {
  return [
    { path: model.path, role: "the source model" },
    ...externalDataFiles(model.proto, model.dir).map(externalDataSource),
  ];
}

/** The files of the model at `path`; only the model file itself when it cannot be read (nothing else is read then). */
export async function readModelSourceFiles(path: string): Promise<SourceFile[]> {
  let model: OnnxModel;
  try {
    model = await readModel(path, { checkExternalData: false });
  } catch {
    return [{ path: resolve(path), role: "the source model" }];
  }
  await model.close();
  return modelSourceFiles(model);
}

/** Throws `io/write` when one of `outputs` is the model or one of its external data files (see fs/protect-sources.ts). */
export async function refuseWritingOverModel(
  model: Pick<OnnxModel, "path" | "dir" | "proto">,
  outputs: readonly string[],
): Promise<void> {
  await refuseWritingOverSources(modelSourceFiles(model), outputs);
}

// Sessions that also return intermediate tensors: the model's proto with the tensors added as graph outputs,
// serialized in memory and given to onnxruntime as bytes. External data stays where it is: onnxruntime resolves it
// against the model's folder (session option `session.model_external_initializers_file_folder_path`). The model
// file is never modified.
import { create, toBinary } from "@bufbuild/protobuf";
import { ModelProtoSchema, type ValueInfoProto, ValueInfoProtoSchema } from "onnx-buf";
import { EdgeError } from "../errors";
import { type OnnxModel, readModel } from "../onnx/read-model";
import { modelSignature } from "../onnx/signature";
import { type Ort, createSession } from "./model-pair";
import type { OrtSession } from "../run/ort";
import type { ModelSignature } from "../onnx/signature";

export interface ExposableModel {
  model: OnnxModel;
  signature: ModelSignature;
  /** Tensors produced by nodes of the main graph (and its inputs): what can be made a graph output. */
  tensors: Set<string>;
}

export async function readExposable(path: string): Promise<ExposableModel> {
  const model = await readModel(path);
  await model.close();
  const graph = model.proto.graph!;
  const tensors = new Set<string>(graph.input.map((i) => i.name));
  for (const node of graph.node) for (const out of node.output) if (out !== "") tensors.add(out);
  return { model, signature: modelSignature(model.proto), tensors };
}

/**
 * A session for `exposable` that returns `names` as outputs too (those already outputs stay as they are). Each name
 * must be in `exposable.tensors`. Types come from the graph's value_info when it has them; onnxruntime infers the rest.
 */
export async function sessionWithOutputs(
  ort: Ort,
  exposable: ExposableModel,
  names: readonly string[],
): Promise<OrtSession> {
  const { model } = exposable;
  const graph = model.proto.graph!;
  const existing = new Set(graph.output.map((o) => o.name));
  const infos = new Map<string, ValueInfoProto>(graph.valueInfo.map((v) => [v.name, v]));
  const added: ValueInfoProto[] = [];
  for (const name of names) {
    if (!exposable.tensors.has(name))
      throw new EdgeError("internal/bug", `tensor "${name}" is not produced in the main graph of ${model.path}`);
    if (existing.has(name)) continue;
    existing.add(name);
    added.push(infos.get(name) ?? create(ValueInfoProtoSchema, { name }));
  }
  const outputCount = graph.output.length;
  let bytes: Uint8Array;
  try {
    graph.output.push(...added);
    bytes = toBinary(ModelProtoSchema, model.proto);
  } catch (e) {
    throw new EdgeError(
      "run/failed",
      `cannot serialize ${model.path} with ${added.length} extra outputs: ${(e as Error).message}`,
      { file: model.path },
      undefined,
      { cause: e },
    );
  } finally {
    graph.output.splice(outputCount);
  }
  return createSession(ort, bytes, model.path, model.external.tensors > 0 ? model.dir : undefined);
}

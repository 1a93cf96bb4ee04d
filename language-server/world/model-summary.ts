// A model's summary for the editor (world-host's ModelSummary): signature, producer, parameter count, op counts,
// every node of the main graph and its subgraphs (name, op, inputs, outputs) and the value shapes the file declares.
// Reads through the engine's ONNX reader, so a bad file gives the engine's own message. Runs in the summary worker.
import { promises as fs } from "node:fs";
import { resolve } from "node:path";
import type { ModelProto } from "onnx-buf";
import { EdgeError } from "../../engine/errors";
import { parameterStats } from "../../engine/inspect";
import {
  dtypeName,
  isConstantNode,
  modelSignature,
  opKey,
  readModel,
  type TensorSignature,
  tensorSignature,
  walkGraphs,
} from "../../engine/onnx";
import type { ModelNodeSummary, ModelSummary, ModelSummaryError, ModelSummaryResult } from "./world-host";

/** The file facts a summary is keyed by. */
export interface ModelFileFacts {
  path: string;
  sizeBytes: number;
  mtimeMs: number;
}

/** The summary of a decoded model. */
export function summarizeProto(proto: ModelProto, file: ModelFileFacts): ModelSummary {
  const signature = modelSignature(proto);
  const parameters = parameterStats(proto).all.total;
  const nodes: ModelNodeSummary[] = [];
  const opCounts: Record<string, number> = {};
  const valueShapes: Record<string, TensorSignature> = {};
  for (const scope of walkGraphs(proto)) {
    if (scope.kind !== "main" && scope.kind !== "subgraph") continue;
    const graph = scope.graph;
    if (graph) {
      for (const info of [...graph.input, ...graph.output, ...graph.valueInfo]) {
        if (info.name && !(info.name in valueShapes)) valueShapes[info.name] = tensorSignature(info);
      }
      for (const tensor of graph.initializer) {
        if (tensor.name && !(tensor.name in valueShapes))
          valueShapes[tensor.name] = {
            name: tensor.name,
            dtype: dtypeName(tensor.dataType),
            dims: tensor.dims.map(Number),
          };
      }
    }
    for (const node of scope.nodes) {
      const op = opKey(node);
      opCounts[op] = (opCounts[op] ?? 0) + 1;
      nodes.push({
        name: node.name,
        opType: node.opType,
        domain: node.domain,
        inputs: [...node.input],
        outputs: [...node.output],
      });
      // Constant nodes hold weights in some exporters (Paddle): their shapes are as known as initializers'.
      const value = isConstantNode(node) ? node.attribute.find((a) => a.name === "value")?.t : undefined;
      const output = node.output[0];
      if (value && output && !(output in valueShapes))
        valueShapes[output] = { name: output, dtype: dtypeName(value.dataType), dims: value.dims.map(Number) };
    }
  }
  const producer = [proto.producerName, proto.producerVersion].filter(Boolean).join(" ");
  return {
    path: file.path,
    sizeBytes: file.sizeBytes,
    mtimeMs: file.mtimeMs,
    irVersion: signature.irVersion,
    producer,
    opsetImports: signature.opsetImports,
    inputs: signature.inputs,
    outputs: signature.outputs,
    parameterCount: parameters.elements,
    parameterBytes: parameters.bytes,
    nodeCount: nodes.length,
    opCounts,
    nodes,
    valueShapes,
  };
}

/** An error as the editor shows it: the engine's code, message and hint. */
export function summaryError(error: unknown): ModelSummaryError {
  if (error instanceof EdgeError) {
    return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  return { code: "internal/bug", message: `reading the model failed: ${(error as Error)?.message ?? String(error)}` };
}

/** Reads and summarizes the model at `path`; never throws (a failure is `{ ok: false, error }`). */
export async function summarizeModelFile(path: string): Promise<ModelSummaryResult> {
  const absolute = resolve(path);
  try {
    const stat = await fs.stat(absolute).catch(() => undefined);
    const model = await readModel(absolute, { checkExternalData: false });
    try {
      return {
        ok: true,
        summary: summarizeProto(model.proto, {
          path: absolute,
          sizeBytes: model.sizeBytes,
          mtimeMs: stat?.mtimeMs ?? 0,
        }),
      };
    } finally {
      await model.close();
    }
  } catch (error) {
    return { ok: false, error: summaryError(error) };
  }
}

// A model's summary for the editor (world-host's ModelSummary): signature, producer, parameter count, op counts,
// every node of the main graph and its subgraphs (name, op, inputs, outputs) and the value shapes the file declares.
// Decodes with the engine's ONNX decoder, so a bad file gives the engine's own message; reads the file itself, safely
// (regular files only, never blocking, weights of big models skipped: model-skeleton.ts). Runs in the summary worker.
import { resolve } from "node:path";
import type { ModelProto } from "onnx-buf";
import { EdgeError } from "../../engine/errors";
import { openRegularFile, type RegularFileOptions, statRegularFile } from "../../engine/fs";
import { parameterStats } from "../../engine/inspect";
import {
  dtypeName,
  isConstantNode,
  modelSignature,
  decodeModel,
  MAX_PROTOBUF_BYTES,
  opKey,
  type TensorSignature,
  tensorSignature,
  walkGraphs,
} from "../../engine/onnx";
import { readModelSkeleton, SkeletonError } from "./model-skeleton";
import type { ModelNodeSummary, ModelSummary, ModelSummaryError, ModelSummaryResult } from "./world-host";

/** The file facts a summary is keyed by. */
export interface ModelFileFacts {
  path: string;
  sizeBytes: number;
  mtimeMs: number;
}

/** The summary of a decoded model. */
export function summarizeProto(
  proto: ModelProto,
  file: ModelFileFacts,
  options: { weightsSkipped?: boolean } = {},
): ModelSummary {
  const signature = modelSignature(proto);
  // A structure-only read left the weights' values out: their counts come from their dims.
  const parameters = parameterStats(proto, { dataStripped: options.weightsSkipped }).all.total;
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

/** How a model file is opened: a regular file (a pipe or a device is refused from a stat), at most protobuf's 2 GB. */
const MODEL_FILE: RegularFileOptions = {
  code: "model/invalid",
  name: "it",
  hint: "model.path names the .onnx file itself",
  maxBytes: MAX_PROTOBUF_BYTES,
  tooLargeHint:
    "models this large keep their weights in external data (a .onnx of graph structure plus a .data file); re-save with external data",
};

/** Above this size a model is summarized from its skeleton (model-skeleton.ts): its weights are not read. */
export const WHOLE_READ_MAX_BYTES = 64 * 1024 * 1024;
/** A model's structure without its weights may take this much; beyond it, the editor does not summarize it. */
export const MAX_STRUCTURE_BYTES = 512 * 1024 * 1024;

export interface SummarizeOptions {
  /** Models up to this size are read whole (exact byte offsets in errors); default WHOLE_READ_MAX_BYTES. */
  wholeReadMaxBytes?: number;
  /** The limit on a model's structure without weights; default MAX_STRUCTURE_BYTES. */
  maxStructureBytes?: number;
}

/**
 * Reads and summarizes the model at `path`; never throws (a failure is `{ ok: false, error }`). Only a regular file
 * is read (stat first, opened without blocking, checked again on the descriptor), at most protobuf's 2 GB, and the
 * values of large tensors are skipped, so the summary of a model never loads its weights.
 */
export async function summarizeModelFile(path: string, options: SummarizeOptions = {}): Promise<ModelSummaryResult> {
  const absolute = resolve(path);
  let opened;
  try {
    opened = await openRegularFile(absolute, MODEL_FILE);
  } catch (error) {
    return { ok: false, error: openError(error) };
  }
  const { handle } = opened;
  const { size: sizeBytes, mtimeMs } = opened.stat;
  try {
    let proto: ModelProto;
    let weightsSkipped = false;
    if (sizeBytes <= (options.wholeReadMaxBytes ?? WHOLE_READ_MAX_BYTES)) {
      const bytes = new Uint8Array(sizeBytes);
      let filled = 0;
      while (filled < sizeBytes) {
        const { bytesRead } = await handle.read(bytes, filled, sizeBytes - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      proto = decodeModel(bytes.subarray(0, filled), absolute);
    } else {
      proto = decodeSkeleton(handle.fd, sizeBytes, absolute, options.maxStructureBytes ?? MAX_STRUCTURE_BYTES);
      weightsSkipped = true;
    }
    return { ok: true, summary: summarizeProto(proto, { path: absolute, sizeBytes, mtimeMs }, { weightsSkipped }) };
  } catch (error) {
    return { ok: false, error: summaryError(error) };
  } finally {
    await handle.close();
  }
}

function decodeSkeleton(fd: number, sizeBytes: number, file: string, maxBytes: number): ModelProto {
  let skeleton;
  try {
    skeleton = readModelSkeleton(fd, sizeBytes, maxBytes);
  } catch (error) {
    if (!(error instanceof SkeletonError)) throw error;
    throw new EdgeError(
      "model/invalid",
      `not a readable ONNX model: ${error.message}`,
      { file, offset: error.offset },
      "`edge inspect` on the model says more",
    );
  }
  try {
    return decodeModel(skeleton.bytes, file);
  } catch (error) {
    if (!(error instanceof EdgeError)) throw error;
    // Its offsets are in the structure without weights, not in the file.
    throw new EdgeError(
      error.code,
      error.message.replace(/ at byte \d+ /, " "),
      { file },
      "`edge inspect` on the model gives the byte offset",
    );
  }
}

/**
 * Why the file at `path` cannot be a model, from a stat alone (missing, not a regular file, over 2 GB), or
 * undefined: the server asks this before handing a read to the worker, so a device or a pipe never reaches it.
 */
export async function modelFileProblem(path: string): Promise<ModelSummaryError | undefined> {
  try {
    await statRegularFile(path, MODEL_FILE);
    return undefined;
  } catch (error) {
    return openError(error);
  }
}

/** A refused or failed open as a summary error: the engine's message for pipes, devices and size; fs's for the rest. */
function openError(error: unknown): ModelSummaryError {
  if (error instanceof EdgeError) return summaryError(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EISDIR")
    return { code: "model/invalid", message: "it is a directory, not a regular file", hint: MODEL_FILE.hint };
  return {
    code: "model/not-found",
    message: `cannot read model: ${code === "ENOENT" ? "no such file" : (code ?? String(error))}`,
  };
}

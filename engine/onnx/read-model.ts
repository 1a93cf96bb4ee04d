// Reading an ONNX model file: size checks, a structural wire-format scan (so a bad file is reported with the byte
// offset where it stops making sense, and never crashes, hangs or allocates what a bogus length declares), the
// protobuf decode, basic model checks, and a lazy reader for external data (checked with a stat, read on demand).
import { fromBinary } from "@bufbuild/protobuf";
import { type ModelProto, ModelProtoSchema } from "onnx-buf";
import { dirname, resolve } from "node:path";
import { EdgeError, isEdgeError } from "../errors";
import { readRegularFile, type RegularFileOptions, statRegularFile } from "../fs/regular-file";
import { sniff, SNIFF_BYTES } from "../fs/sniff";
import { createExternalDataReader, type ExternalDataReader } from "./external-data";
import { isExternal, tensorByteSize } from "./tensor-proto";
import { walkTensors } from "./walk";
import { scanWireFormat } from "./wire-scanner";

/** Protobuf's limit for one serialized message: a single .onnx file cannot be larger. */
export const MAX_PROTOBUF_BYTES = 2 ** 31 - 1;

export interface ReadModelOptions {
  /** Also require string fields to be valid UTF-8 (default false: proto2, which ONNX uses, does not). */
  checkUtf8?: boolean;
  /** Check every external reference while reading: location, file present, bounds (a stat, no data read). Default true. */
  checkExternalData?: boolean;
  /** Verify `checksum` entries of external data when it is read (default false). */
  verifyChecksums?: boolean;
}

export interface OnnxModel {
  proto: ModelProto;
  /** Absolute path of the model file. */
  path: string;
  /** The directory external data resolves against. */
  dir: string;
  /** Size of the .onnx file itself. */
  sizeBytes: number;
  /** External data files the model uses and their total tensor bytes (not read). */
  external: { files: string[]; totalBytes: number; tensors: number };
  /** Reads external tensor data on demand. */
  externalData: ExternalDataReader;
  /** Closes open external-data file handles (safe to call more than once; reads reopen). */
  close(): Promise<void>;
}

function invalid(file: string, offset: number, message: string, head: Uint8Array, fallbackHint?: string): EdgeError {
  const seen = sniff(head);
  const hint = seen
    ? `this looks like ${seen.description}, not an ONNX model${seen.advice ? `; ${seen.advice}` : ""}`
    : fallbackHint;
  return new EdgeError("model/invalid", message, { file, offset }, hint);
}

/**
 * Decodes a model from its bytes. Throws `model/invalid` naming `file` and the byte offset where reading failed
 * (wire-format problems), or the end of the file (a readable message that is not a model: no graph, no ir_version).
 */
export function decodeModel(
  bytes: Uint8Array,
  file: string,
  options: Pick<ReadModelOptions, "checkUtf8"> = {},
): ModelProto {
  const head = bytes.subarray(0, SNIFF_BYTES);
  if (bytes.length === 0) throw invalid(file, 0, "not an ONNX model: the file is empty", head);
  const problem = scanWireFormat(bytes, ModelProtoSchema, { checkUtf8: options.checkUtf8 });
  if (problem) {
    let hint: string;
    if (problem.path.startsWith("ModelProto.#"))
      hint =
        "the file does not start like an ONNX model (its first fields are not ModelProto fields); is it an ONNX file?";
    else if (problem.reason.includes("past the end of the file"))
      hint = `the file looks truncated (${bytes.length} bytes); copy or export it again`;
    else hint = "the file looks corrupted; copy or export it again";
    throw invalid(
      file,
      problem.offset,
      `not a readable ONNX model: at byte ${problem.offset} (${problem.path}): ${problem.reason}`,
      head,
      hint,
    );
  }
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    // The scan accepted the structure, so this is a decoder limit (e.g. nesting); report where the scan started.
    throw invalid(file, 0, `not a readable ONNX model: ${(e as Error).message}`, head);
  }
  if (!model.graph) {
    throw invalid(
      file,
      bytes.length,
      `not an ONNX model: read to the end (byte ${bytes.length}) without finding a graph`,
      head,
      "a model file holds a ModelProto with a graph; this may be another protobuf message",
    );
  }
  if (model.irVersion <= 0n) {
    throw invalid(
      file,
      bytes.length,
      `not an ONNX model: read to the end (byte ${bytes.length}) without finding an ir_version`,
      head,
      "every ONNX model records its IR version; re-export the model",
    );
  }
  return model;
}

/** The options of the regular-file reader for a model file: a FIFO or a device is `model/invalid`. */
export function modelFile(path: string): RegularFileOptions {
  return {
    code: "model/invalid",
    hint: "give the path of the model file itself; edge reads models only from regular files, not pipes or devices",
    name: path,
  };
}

/** Turns fs's errors for a model file into EdgeErrors (EdgeErrors pass through). */
export function cannotRead(e: unknown, path: string): EdgeError {
  if (isEdgeError(e)) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "EISDIR")
    return new EdgeError(
      "model/not-found",
      "cannot read model: it is a directory",
      { file: path },
      "give the path of the .onnx file inside it",
    );
  return new EdgeError(
    "model/not-found",
    `cannot read model: ${code === "ENOENT" ? "no such file" : (code ?? (e as Error).message)}`,
    { file: path },
    code === "ENOENT" ? "check the path (relative paths start at the working directory)" : undefined,
  );
}

/** Reads and checks an ONNX model. External data is checked (unless disabled) but not read. */
export async function readModel(path: string, options: ReadModelOptions = {}): Promise<OnnxModel> {
  const absolute = resolve(path);
  // Only a regular file is opened (a FIFO would block the open, a device would never end).
  let size: number;
  try {
    size = (await statRegularFile(absolute, modelFile(path))).size;
  } catch (e) {
    throw cannotRead(e, path);
  }
  if (size > MAX_PROTOBUF_BYTES) {
    throw new EdgeError(
      "model/invalid",
      `not a readable ONNX model: the file is ${size} bytes, over protobuf's 2 GB limit for one message`,
      { file: path, offset: MAX_PROTOBUF_BYTES },
      "models this large keep their weights in external data (a .onnx of graph structure plus a .data file); re-save with external data",
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(absolute, { ...modelFile(path), maxBytes: MAX_PROTOBUF_BYTES });
  } catch (e) {
    throw cannotRead(e, path);
  }
  const proto = decodeModel(bytes, path, options);
  const dir = dirname(absolute);
  const externalData = createExternalDataReader(dir, { modelFile: path, verifyChecksums: options.verifyChecksums });
  const externalTensors = [...walkTensors(proto, { training: true })].map((e) => e.tensor).filter(isExternal);
  let external: OnnxModel["external"];
  if (options.checkExternalData ?? true) {
    try {
      external = { ...(await externalData.check(externalTensors)), tensors: externalTensors.length };
    } finally {
      await externalData.close();
    }
  } else {
    external = {
      files: [],
      totalBytes: externalTensors.reduce((sum, t) => sum + (tensorByteSize(t) ?? 0), 0),
      tensors: externalTensors.length,
    };
  }
  return { proto, path: absolute, dir, sizeBytes: size, external, externalData, close: () => externalData.close() };
}

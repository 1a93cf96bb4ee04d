// Builds a GPT-style decoder-only LM ONNX model (Hugging Face export layout, opset 17, IR 8) and writes it atomically,
// streaming the weights one tensor at a time into the external data file so multi-GB models need little memory.
// API: buildDecoderLm(config, weights, outPath, { externalData }) → sizes; see scripts/lm/README.md.
import { create, toBinary } from "@bufbuild/protobuf";
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { type ModelProto, ModelProtoSchema, OperatorSetIdProtoSchema, type TensorProto } from "onnx-buf";
import { EdgeError } from "../../engine/errors";
import { commitTempFile, tempPathFor, writeFileAtomic } from "../../engine/fs/atomic";
import {
  type DecoderLmConfig,
  decoderWeightSpecs,
  elementCount,
  type ResolvedDecoderLmConfig,
  resolveConfig,
} from "./decoder-config";
import { decoderNodes } from "./decoder-nodes";
import { externalFloatTensor, inlineFloatTensor } from "./graph-parts";

export { type DecoderLmConfig, decoderWeightSpecs, parameterCount } from "./decoder-config";

/** Gives the float32 values (row-major, `shape`) of one weight; called once per tensor, in file order. */
export type WeightSource = (name: string, shape: number[]) => Float32Array;

export interface BuildDecoderLmOptions {
  /** Weights in `<model file>.data` (true), inline (false); default: external when the weights pass 1 GB. */
  externalData?: boolean;
  /** Offsets of external tensors of at least this many bytes are multiples of it (default 4096; smaller ones 64). */
  alignBytes?: number;
  /** Tensors below this many bytes stay inline even with external data (default 1024, as onnx's saver). */
  sizeThresholdBytes?: number;
}

export interface DecoderLmResult {
  config: ResolvedDecoderLmConfig;
  parameters: number;
  /** Bytes of all weights (float32). */
  weightBytes: number;
  modelPath: string;
  modelBytes: number;
  dataPath?: string;
  dataBytes?: number;
}

const OPSET = 17;
const IR_VERSION = 8;
const INLINE_LIMIT_BYTES = 1 << 30;

export function decoderModelProto(config: ResolvedDecoderLmConfig, initializers: TensorProto[]): ModelProto {
  const parts = decoderNodes(config);
  return create(ModelProtoSchema, {
    irVersion: BigInt(IR_VERSION),
    producerName: "edge-studio scripts/lm",
    producerVersion: "1",
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: BigInt(OPSET) })],
    graph: {
      name: "decoder_lm",
      node: parts.nodes,
      input: parts.inputs,
      output: parts.outputs,
      initializer: initializers,
    },
    metadataProps: [
      { key: "edge.lm.config", value: JSON.stringify(config) },
      { key: "edge.lm.layout", value: "huggingface-decoder-with-past" },
    ],
  });
}

function takeWeight(weights: WeightSource, name: string, shape: number[]): Float32Array {
  const values = weights(name, shape);
  if (!(values instanceof Float32Array) || values.length !== elementCount(shape)) {
    throw new EdgeError(
      "data/invalid",
      `the weight source gave ${values?.length ?? "nothing"} values for ${name}, which needs ${elementCount(shape)} (shape [${shape.join(", ")}])`,
      { node: name },
    );
  }
  return values;
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/**
 * Builds the model for `config`, asking `weights` for each tensor in turn, and writes it to `outPath` (plus
 * `<outPath>.data` with external data) through temporary files renamed when complete. With external data each
 * tensor is written at an aligned offset and dropped before the next is asked for.
 */
export async function buildDecoderLm(
  config: DecoderLmConfig,
  weights: WeightSource,
  outPath: string,
  options: BuildDecoderLmOptions = {},
): Promise<DecoderLmResult> {
  const c = resolveConfig(config);
  const specs = decoderWeightSpecs(c);
  const weightBytes = specs.reduce((sum, s) => sum + 4 * elementCount(s.shape), 0);
  const external = options.externalData ?? weightBytes > INLINE_LIMIT_BYTES;
  if (!external && weightBytes > INLINE_LIMIT_BYTES) {
    throw new EdgeError(
      "model/unsupported",
      `${weightBytes} bytes of weights do not fit inline in one protobuf`,
      { file: outPath },
      "write it with externalData: true",
    );
  }
  const target = resolve(outPath);
  const location = `${basename(target)}.data`;
  const dataPath = resolve(dirname(target), location);
  const alignBytes = options.alignBytes ?? 4096;
  const threshold = options.sizeThresholdBytes ?? 1024;
  mkdirSync(dirname(target), { recursive: true });

  const initializers: TensorProto[] = [];
  let dataTmp: string | undefined;
  let dataBytes = 0;
  try {
    let fd: number | undefined;
    if (external) {
      dataTmp = tempPathFor(dataPath);
      fd = openSync(dataTmp, "w");
    }
    try {
      for (const spec of specs) {
        const values = takeWeight(weights, spec.name, spec.shape);
        if (fd === undefined || values.byteLength < threshold) {
          initializers.push(inlineFloatTensor(spec.name, spec.shape, values));
          continue;
        }
        const align = values.byteLength >= alignBytes ? alignBytes : 64;
        const offset = Math.ceil(dataBytes / align) * align;
        writeAll(fd, new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
        dataBytes = offset + values.byteLength;
        initializers.push(externalFloatTensor(spec.name, spec.shape, location, offset, values.byteLength));
      }
      if (fd !== undefined) fsyncSync(fd);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const bytes = toBinary(ModelProtoSchema, decoderModelProto(c, initializers));
    if (dataTmp) await commitTempFile(dataTmp, dataPath);
    dataTmp = undefined;
    await writeFileAtomic(target, bytes);
    return {
      config: c,
      parameters: weightBytes / 4,
      weightBytes,
      modelPath: target,
      modelBytes: bytes.length,
      ...(external ? { dataPath, dataBytes } : {}),
    };
  } catch (e) {
    if (dataTmp) rmSync(dataTmp, { force: true });
    if (e instanceof EdgeError) throw e;
    throw new EdgeError(
      "io/write",
      `could not write ${outPath}: ${(e as Error).message}`,
      { file: outPath },
      undefined,
      { cause: e },
    );
  }
}

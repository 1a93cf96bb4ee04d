// Weights in and out of a quantizer. In: a constant tensor's float values, whether inline (raw_data or typed
// fields) or in external data, float32, float16 or float64. Out: new tensors, kept inline for small models, or
// streamed one by one into the output's external data file for models that had external data (so a 4 GB model
// never sits in memory), and the finished model written atomically: data file first, then the .onnx.
import { create, toBinary } from "@bufbuild/protobuf";
import {
  type ModelProto,
  ModelProtoSchema,
  StringStringEntryProtoSchema,
  type TensorProto,
  TensorProto_DataLocation,
  TensorProto_DataType as DT,
  TensorProtoSchema,
} from "onnx-buf";
import { promises as fs } from "node:fs";
import { basename, dirname } from "node:path";
import { EdgeError } from "../../errors";
import { commitTempFile, tempPathFor, writeFileAtomic } from "../../fs/atomic";
import { fromHalfBits } from "../../data/typed-tensor";
import { releaseWeight, stageWeight } from "../kernels/arithmetic";
import type { OnnxModel } from "../../onnx/read-model";
import { dtypeName } from "../../onnx/dtypes";
import { inlineRawBytes, isExternal, tensorElementCount } from "../../onnx/tensor-proto";
import { walkTensors } from "../../onnx/walk";
import { writeModel } from "../../onnx/write-model";

/**
 * The float32 values of a float constant (float32, float16, bfloat16 or float64), read from wherever they are.
 * `staged`: for a quantizer about to call one of kernels/arithmetic.ts's quantizers on the values: they are read straight into
 * the kernels' memory (stageWeight), which the kernels then read in place. Such an array stays valid only until the
 * next staged read; the quantizer call on it (or releaseWeight) lets the next one stage, and any other use that must
 * outlive it copies it. Without `staged` (or when staging is unavailable or taken), an array of its own.
 */
export async function readFloatTensor(
  model: OnnxModel,
  tensor: TensorProto,
  node?: string,
  options: { staged?: boolean } = {},
): Promise<Float32Array> {
  const n = tensorElementCount(tensor);
  const where = { file: model.path, node };
  const width =
    tensor.dataType === DT.FLOAT
      ? 4
      : tensor.dataType === DT.DOUBLE
        ? 8
        : tensor.dataType === DT.FLOAT16 || tensor.dataType === DT.BFLOAT16
          ? 2
          : 0;
  if (width === 0)
    throw new EdgeError(
      "model/unsupported",
      `weight "${tensor.name}" is ${dtypeName(tensor.dataType)}; only float weights can be quantized`,
      where,
    );
  const staged = options.staged && Number.isSafeInteger(n) && n > 0 ? stageWeight(n) : undefined;
  try {
    if (staged && tensor.dataType === DT.FLOAT && isExternal(tensor)) {
      // The one copy every reader makes (file → memory) lands where the kernels read it.
      await model.externalData.readInto(tensor, bytesOfView(staged));
      return staged;
    }
    const bytes = isExternal(tensor) ? await model.externalData.read(tensor) : inlineRawBytes(tensor);
    if (!bytes) throw new EdgeError("model/invalid", `weight "${tensor.name}" has no readable data`, where);
    if (bytes.length !== n * width)
      throw new EdgeError(
        "model/invalid",
        `weight "${tensor.name}" has ${bytes.length} bytes of data, but its shape needs ${n * width}`,
        where,
      );
    if (tensor.dataType === DT.FLOAT) {
      // External data arrives in a buffer of its own: view it in place when aligned, rather than copy a big weight.
      if (!staged && isExternal(tensor) && bytes.byteOffset % 4 === 0)
        return new Float32Array(bytes.buffer, bytes.byteOffset, n);
      const out = staged ?? new Float32Array(n);
      bytesOfView(out).set(bytes);
      return out;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = staged ?? new Float32Array(n);
    if (tensor.dataType === DT.DOUBLE) for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
    else if (tensor.dataType === DT.FLOAT16)
      for (let i = 0; i < n; i++) out[i] = fromHalfBits(view.getUint16(i * 2, true));
    else
      for (let i = 0; i < n; i++)
        out[i] = new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0];
    return out;
  } catch (e) {
    if (staged) releaseWeight(staged);
    throw e;
  }
}

export function bytesOfView(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Tensors at least this big go to the external data file when the output has one. */
const EXTERNAL_THRESHOLD = 1024;
const ALIGN = 4096;

/**
 * Collects the output model's new tensors. `external` mode appends each tensor's bytes to a temporary data file as
 * soon as it is made; `finish` copies the source's untouched external tensors after them and renames both files.
 */
export class TensorStore {
  private dataTmp?: string;
  private handle?: fs.FileHandle;
  private offset = 0;
  private readonly written = new Set<TensorProto>();
  readonly dataPath: string;
  readonly location: string;

  constructor(
    readonly outPath: string,
    readonly external: boolean,
  ) {
    this.location = `${basename(outPath)}.data`;
    this.dataPath = `${outPath}.data`;
  }

  /** A new tensor of `dataType` and `dims` holding `bytes` (raw_data layout). */
  async make(name: string, dataType: DT, dims: number[], bytes: Uint8Array): Promise<TensorProto> {
    const tensor = create(TensorProtoSchema, { name, dataType, dims: dims.map(BigInt) });
    if (!this.external || bytes.length < EXTERNAL_THRESHOLD) {
      tensor.rawData = bytes.slice();
      return tensor;
    }
    await this.append(tensor, bytes);
    return tensor;
  }

  private async append(tensor: TensorProto, bytes: Uint8Array): Promise<void> {
    const handle = await this.open();
    const start = Math.ceil(this.offset / ALIGN) * ALIGN;
    let at = 0;
    while (at < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, at, bytes.length - at, start + at);
      at += bytesWritten;
    }
    this.offset = start + bytes.length;
    this.reference(tensor, start, bytes.length);
  }

  /** Writes the model: inline models through writeModel; external ones with every tensor in the new data file. */
  async finish(
    proto: ModelProto,
    source: OnnxModel,
  ): Promise<{ sizeBytes: number; dataPath?: string; dataBytes?: number }> {
    if (!this.external) {
      const result = await writeModel(proto, this.outPath, { sourceDir: source.dir });
      return {
        sizeBytes: result.sizeBytes + (result.dataBytes ?? 0),
        dataPath: result.dataPath,
        dataBytes: result.dataBytes,
      };
    }
    try {
      for (const { tensor } of walkTensors(proto, { training: true })) {
        if (isExternal(tensor) && !this.written.has(tensor)) await this.copyExternal(tensor, source);
      }
      if (this.handle) {
        await this.handle.sync();
        await this.handle.close();
        this.handle = undefined;
        await commitTempFile(this.dataTmp!, this.dataPath);
      }
      const bytes = toBinary(ModelProtoSchema, proto);
      await writeFileAtomic(this.outPath, bytes);
      return { sizeBytes: bytes.length + this.offset, dataPath: this.dataPath, dataBytes: this.offset };
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  private async open(): Promise<fs.FileHandle> {
    if (!this.handle) {
      await fs.mkdir(dirname(this.outPath), { recursive: true });
      this.dataTmp = tempPathFor(this.dataPath);
      this.handle = await fs.open(this.dataTmp, "w");
    }
    return this.handle;
  }

  private reference(tensor: TensorProto, start: number, length: number): void {
    tensor.dataLocation = TensorProto_DataLocation.EXTERNAL;
    tensor.rawData = new Uint8Array(0);
    tensor.externalData = [
      create(StringStringEntryProtoSchema, { key: "location", value: this.location }),
      create(StringStringEntryProtoSchema, { key: "offset", value: String(start) }),
      create(StringStringEntryProtoSchema, { key: "length", value: String(length) }),
    ];
    this.written.add(tensor);
  }

  /** Copies an untouched tensor of the source's external data into the new file, a chunk at a time. */
  private async copyExternal(tensor: TensorProto, source: OnnxModel): Promise<void> {
    const handle = await this.open();
    const start = Math.ceil(this.offset / ALIGN) * ALIGN;
    let length = 0;
    for await (const chunk of source.externalData.chunks(tensor, 16 << 20)) {
      let at = 0;
      while (at < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, at, chunk.length - at, start + length + at);
        at += bytesWritten;
      }
      length += chunk.length;
    }
    this.offset = start + length;
    this.reference(tensor, start, length);
  }

  /** Removes the temporary data file (after a failure). */
  async abort(): Promise<void> {
    if (this.handle) {
      await this.handle.close().catch(() => undefined);
      this.handle = undefined;
    }
    if (this.dataTmp) await fs.rm(this.dataTmp, { force: true });
  }
}

// Writing an ONNX model atomically (temporary files beside the targets, then renames), with external data:
// automatically when the serialized model would pass protobuf's 2 GB limit, or on request with a size threshold
// and a file name. Tensors that were external in the source are copied into the new data file, so the written
// model stands alone. The source model is never modified: not its files, and not its proto (tensor fields are
// swapped only inside one synchronous serialization and restored before anything else can run).
import { create, toBinary } from "@bufbuild/protobuf";
import {
  type ModelProto,
  ModelProtoSchema,
  StringStringEntryProtoSchema,
  type TensorProto,
  TensorProto_DataLocation,
} from "onnx-buf";
import { promises as fs } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { EdgeError } from "../errors";
import { commitTempFile, tempPathFor, writeFileAtomic } from "../fs/atomic";
import { refuseWritingOverSources, type SourceFile } from "../fs/protect-sources";
import {
  createExternalDataReader,
  type ExternalDataReader,
  resolveLocation,
  defaultDataLocation,
} from "./external-data";
import { MAX_PROTOBUF_BYTES, type OnnxModel } from "./read-model";
import { externalDataSource } from "./source-files";
import { inlineRawBytes, isExternal, tensorByteSize } from "./tensor-proto";
import { walkTensors } from "./walk";

export interface ExternalDataWrite {
  /** Data file name, relative to the model's directory (default `<model file name>.data`). */
  location?: string;
  /** Tensors with at least this many bytes go to the data file (default 1024, as onnx's own saver). */
  sizeThresholdBytes?: number;
  /** Offsets of tensors of at least this size are multiples of it, so runtimes can map them (default 4096; smaller tensors align to 16). */
  alignBytes?: number;
}

export interface WriteModelOptions {
  /**
   * "auto" (default): tensors stay where they are (external ones are copied to the new data file) unless the model
   * would pass protobuf's 2 GB limit, then tensors of 1 KiB and more go external. "inline": every tensor inline.
   * An object: tensors of at least `sizeThresholdBytes` go to `location`.
   */
  externalData?: "auto" | "inline" | ExternalDataWrite;
  /** For a bare ModelProto with external tensors: the directory their locations resolve against. */
  sourceDir?: string;
  /** The most bytes one serialized model may have (protobuf's 2 GB); lowered only by tests. */
  maxInlineBytes?: number;
}

export interface WriteModelResult {
  path: string;
  sizeBytes: number;
  /** The data file written, if any tensor is external. */
  dataPath?: string;
  dataBytes?: number;
  externalTensors: number;
}

/** Room left for the graph structure when deciding, from tensor sizes alone, whether a model fits inline. */
const STRUCTURE_MARGIN_BYTES = 64 << 20;

interface Placement {
  tensor: TensorProto;
  /** Where the tensor's bytes come from when it goes external or is inlined from a source data file. */
  source: "inline" | "external";
  target: "inline" | "external";
  inlineBytes?: Uint8Array;
  offset?: number;
  length?: number;
}

type Saved = [target: Record<string, unknown>, key: string, own: boolean, value: unknown];

/** Sets `key` (or unsets it with `undefined`, so proto2 presence is right), remembering how to undo. */
function swap(saved: Saved[], target: object, key: string, value: unknown): void {
  const t = target as Record<string, unknown>;
  saved.push([t, key, Object.prototype.hasOwnProperty.call(t, key), t[key]]);
  if (value === undefined) delete t[key];
  else t[key] = value;
}

function restore(saved: Saved[]): void {
  for (let i = saved.length - 1; i >= 0; i--) {
    const [t, key, own, value] = saved[i];
    if (own) t[key] = value;
    else delete t[key];
  }
}

const typedFields = ["floatData", "int32Data", "stringData", "int64Data", "doubleData", "uint64Data"] as const;

function serialize(proto: ModelProto, placements: Placement[], location: string): Uint8Array {
  const saved: Saved[] = [];
  try {
    for (const p of placements) {
      if (p.target === "external") {
        swap(saved, p.tensor, "rawData", undefined);
        for (const f of typedFields) if (p.tensor[f].length > 0) swap(saved, p.tensor, f, []);
        swap(saved, p.tensor, "dataLocation", TensorProto_DataLocation.EXTERNAL);
        const entry = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
        swap(saved, p.tensor, "externalData", [
          entry("location", location),
          entry("offset", String(p.offset)),
          entry("length", String(p.length)),
        ]);
      } else if (p.source === "external") {
        swap(saved, p.tensor, "dataLocation", undefined);
        swap(saved, p.tensor, "externalData", []);
        swap(saved, p.tensor, "rawData", p.inlineBytes);
      }
    }
    return toBinary(ModelProtoSchema, proto);
  } finally {
    restore(saved);
  }
}

function sourceReader(model: OnnxModel | ModelProto, options: WriteModelOptions): ExternalDataReader | undefined {
  if ("proto" in model) return model.externalData;
  return options.sourceDir ? createExternalDataReader(resolve(options.sourceDir)) : undefined;
}

function plan(proto: ModelProto, mode: "auto" | "inline" | Required<ExternalDataWrite>): Placement[] {
  const placements: Placement[] = [];
  for (const { tensor } of walkTensors(proto, { training: true })) {
    if (isExternal(tensor)) {
      placements.push({ tensor, source: "external", target: mode === "inline" ? "inline" : "external" });
    } else if (typeof mode === "object" && (tensorByteSize(tensor) ?? 0) >= mode.sizeThresholdBytes) {
      const bytes = inlineRawBytes(tensor);
      if (bytes) placements.push({ tensor, source: "inline", target: "external", inlineBytes: bytes });
    }
  }
  return placements;
}

function inlineTotal(proto: ModelProto, placements: Placement[]): number {
  const external = new Set(placements.filter((p) => p.target === "external").map((p) => p.tensor));
  let total = 0;
  for (const { tensor } of walkTensors(proto, { training: true }))
    if (!external.has(tensor)) total += tensorByteSize(tensor) ?? 0;
  return total;
}

/** Writes the data file of `placements` into a temporary file; fills in offsets and lengths; returns its path and size. */
async function writeDataFile(
  dataPath: string,
  placements: Placement[],
  reader: ExternalDataReader | undefined,
  alignBytes: number,
): Promise<{ tmp: string; size: number }> {
  const tmp = tempPathFor(dataPath);
  await fs.mkdir(dirname(dataPath), { recursive: true });
  const handle = await fs.open(tmp, "w");
  let offset = 0;
  try {
    const write = async (bytes: Uint8Array) => {
      let done = 0;
      while (done < bytes.length)
        done += (await handle.write(bytes, done, bytes.length - done, offset + done)).bytesWritten;
      offset += bytes.length;
    };
    for (const p of placements) {
      if (p.target !== "external") continue;
      const size = p.source === "inline" ? p.inlineBytes!.length : (await reader!.resolve(p.tensor)).length;
      const align = size >= alignBytes ? alignBytes : 16;
      const padded = Math.ceil(offset / align) * align;
      if (padded > offset) await write(new Uint8Array(padded - offset));
      p.offset = offset;
      p.length = size;
      if (p.source === "inline") await write(p.inlineBytes!);
      else for await (const chunk of reader!.chunks(p.tensor)) await write(chunk);
    }
    await handle.sync();
  } catch (e) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  return { tmp, size: offset };
}

/**
 * Writes `model` to `path` atomically, with its external data file when any tensor is external.
 * Throws `io/write` when writing fails (no partial files are left) and `model/external-data` when a source
 * tensor's data cannot be read; refuses to overwrite the source model or a data file it reads from.
 */
export async function writeModel(
  model: OnnxModel | ModelProto,
  path: string,
  options: WriteModelOptions = {},
): Promise<WriteModelResult> {
  const proto = "proto" in model ? model.proto : model;
  const target = resolve(path);
  const maxInline = options.maxInlineBytes ?? MAX_PROTOBUF_BYTES;
  const request = options.externalData ?? "auto";
  const requested = typeof request === "object" ? request : {};
  const settings: Required<ExternalDataWrite> = {
    location: requested.location ?? defaultDataLocation(basename(target)),
    sizeThresholdBytes: requested.sizeThresholdBytes ?? 1024,
    alignBytes: requested.alignBytes ?? 4096,
  };
  const dataPath = resolveLocation(dirname(target), settings.location, "the data file", path);

  let placements = plan(proto, typeof request === "object" ? settings : request);
  if (request === "auto" && inlineTotal(proto, placements) + STRUCTURE_MARGIN_BYTES > maxInline)
    placements = plan(proto, settings);

  const reader = sourceReader(model, options);
  const fromSource = placements.filter((p) => p.source === "external");
  const sources: SourceFile[] = "proto" in model ? [{ path: model.path, role: "the source model" }] : [];
  if (fromSource.length > 0) {
    if (!reader)
      throw new EdgeError(
        "model/external-data",
        "the model has external tensors but no directory to read them from",
        { file: path },
        "pass the model from readModel, or sourceDir",
      );
    const files = new Set<string>();
    for (const p of fromSource) files.add((await reader.resolve(p.tensor)).file);
    for (const file of files) sources.push(externalDataSource(file));
  }
  const externalCount = placements.filter((p) => p.target === "external").length;
  try {
    // Nothing is written over a file the model is read from: the model, and the data files its tensors come from.
    await refuseWritingOverSources(sources, [target, ...(externalCount > 0 ? [dataPath] : [])]);
  } catch (e) {
    await reader?.close();
    throw e;
  }
  for (const p of fromSource) if (p.target === "inline") p.inlineBytes = await reader!.read(p.tensor);

  let data: { tmp: string; size: number } | undefined;
  try {
    if (externalCount > 0) data = await writeDataFile(dataPath, placements, reader, settings.alignBytes);
    const bytes = serialize(proto, placements, settings.location.split(/[\\/]+/).join("/"));
    if (bytes.length > maxInline) {
      if (request === "auto" && externalCount < plan(proto, settings).length) {
        if (data) await fs.rm(data.tmp, { force: true });
        data = undefined;
        return await writeModel(model, path, { ...options, externalData: settings });
      }
      throw new EdgeError(
        "model/unsupported",
        `the serialized model is ${bytes.length} bytes, over protobuf's 2 GB limit`,
        { file: path },
        "write it with external data (a lower sizeThresholdBytes)",
      );
    }
    if (data) await commitTempFile(data.tmp, dataPath);
    data = undefined;
    await writeFileAtomic(target, bytes);
    return {
      path: target,
      sizeBytes: bytes.length,
      ...(externalCount > 0 ? { dataPath, dataBytes: (await fs.stat(dataPath)).size } : {}),
      externalTensors: externalCount,
    };
  } catch (e) {
    if (data) await fs.rm(data.tmp, { force: true });
    if (e instanceof EdgeError) throw e;
    throw new EdgeError("io/write", `could not write ${path}: ${(e as Error).message}`, { file: path }, undefined, {
      cause: e,
    });
  } finally {
    await reader?.close();
  }
}

// A model's structure without its weights, read from the file: the ModelProto's bytes re-assembled with the bulk
// data fields of every large tensor left out (raw_data and the typed float/int/double data), so summarizing a 1.5 GB
// model with its weights inline reads and keeps only its graph. Messages are walked with the ONNX descriptors and
// positional reads through a small window; a message below INLINE_BYTES is copied as it is (its tensors keep their
// data), a larger one is walked and rebuilt with new lengths. Tensor dims and types stay, so element and byte
// counts of the summary are unchanged. Offsets in errors are the file's.
import { readSync } from "node:fs";
import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { ModelProtoSchema, TensorProtoSchema } from "onnx-buf";

/** Messages up to this size are copied whole; larger ones are walked (a small tensor keeps its data). */
export const INLINE_BYTES = 64 * 1024;
/** The TensorProto fields that hold its values: float_data, int32_data, int64_data, raw_data, double_data, uint64_data. */
const TENSOR_DATA_FIELDS = new Set([4, 5, 7, 9, 10, 11]);
const MAX_DEPTH = 100;
const WINDOW_BYTES = 64 * 1024;

/** The file stops making sense at `offset`. */
export class SkeletonError extends Error {
  constructor(
    readonly offset: number,
    reason: string,
  ) {
    super(`at byte ${offset}: ${reason}`);
  }
}

export interface ModelSkeleton {
  /** A ModelProto without large tensors' values (decode it with the engine's decodeModel). */
  bytes: Uint8Array;
  /** Bytes of tensor values left out. */
  skippedBytes: number;
}

/** Bytes of the file, read on demand through one window. */
class FileWindow {
  private readonly buffer = Buffer.alloc(WINDOW_BYTES);
  private start = 0;
  private length = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  byte(pos: number): number {
    if (pos < this.start || pos >= this.start + this.length) {
      this.start = pos;
      this.length = readSync(this.fd, this.buffer, 0, Math.min(WINDOW_BYTES, this.size - pos), pos);
      if (this.length <= 0) throw new SkeletonError(pos, "the file ended early (was it changed while being read?)");
    }
    return this.buffer[pos - this.start];
  }

  /** Copies [start, end) of the file into `target` at `at`. */
  copy(start: number, end: number, target: Uint8Array, at: number): void {
    let done = 0;
    while (start + done < end) {
      const n = readSync(this.fd, target, at + done, end - start - done, start + done);
      if (n <= 0) throw new SkeletonError(start + done, "the file ended early (was it changed while being read?)");
      done += n;
    }
  }
}

/** A piece of the output: a range of the file, or bytes made here (a tag's new length). */
type Piece = { from: number; to: number } | { bytes: Uint8Array };

const messageFields = new WeakMap<DescMessage, Map<number, DescField>>();
function fieldsOf(desc: DescMessage): Map<number, DescField> {
  let map = messageFields.get(desc);
  if (!map) messageFields.set(desc, (map = new Map(desc.fields.map((f) => [f.number, f]))));
  return map;
}

function messageOf(field: DescField | undefined): DescMessage | undefined {
  if (!field) return undefined;
  if (field.fieldKind === "message") return field.message;
  if (field.fieldKind === "list" && field.listKind === "message") return field.message;
  return undefined;
}

function encodeVarint(value: number): Uint8Array {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return Uint8Array.from(out);
}

class Skimmer {
  readonly pieces: Piece[] = [];
  length = 0;
  skippedBytes = 0;
  private value = 0;

  constructor(
    private readonly file: FileWindow,
    private readonly maxBytes: number,
  ) {}

  private varint(pos: number, end: number, what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new SkeletonError(pos, `${what} runs past the end of its message (byte ${end})`);
      const b = this.file.byte(pos++);
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) {
        this.value = value;
        return pos;
      }
    }
    throw new SkeletonError(pos, `malformed ${what}: a varint longer than 10 bytes`);
  }

  private emit(piece: Piece): void {
    const size = "bytes" in piece ? piece.bytes.length : piece.to - piece.from;
    this.length += size;
    if (this.length > this.maxBytes)
      throw new SkeletonError(
        "from" in piece ? piece.from : 0,
        `the model's structure without its weights passes ${this.maxBytes} bytes`,
      );
    const last = this.pieces[this.pieces.length - 1];
    if (last && "from" in last && "from" in piece && last.to === piece.from) last.to = piece.to;
    else this.pieces.push(piece);
  }

  message(desc: DescMessage, start: number, end: number, depth: number): void {
    if (depth > MAX_DEPTH) throw new SkeletonError(start, `messages nested deeper than ${MAX_DEPTH} levels`);
    const fields = fieldsOf(desc);
    const isTensor = desc.typeName === TensorProtoSchema.typeName;
    let pos = start;
    while (pos < end) {
      const tagAt = pos;
      pos = this.varint(pos, end, "field tag");
      const fieldNo = Math.floor(this.value / 8);
      const wire = this.value % 8;
      if (fieldNo === 0) throw new SkeletonError(tagAt, "invalid field number 0");
      const afterTag = pos;
      let payloadAt = pos;
      switch (wire) {
        case 0:
          pos = this.varint(pos, end, "varint");
          break;
        case 1:
          pos += 8;
          break;
        case 5:
          pos += 4;
          break;
        case 2:
          payloadAt = this.varint(pos, end, "length");
          pos = payloadAt + this.value;
          break;
        default:
          throw new SkeletonError(tagAt, `unsupported wire type ${wire} for field ${fieldNo}`);
      }
      if (pos > end) throw new SkeletonError(tagAt, `field ${fieldNo} runs past the end of its message (byte ${end})`);
      if (isTensor && TENSOR_DATA_FIELDS.has(fieldNo)) {
        this.skippedBytes += pos - tagAt;
        continue;
      }
      const sub = wire === 2 ? messageOf(fields.get(fieldNo)) : undefined;
      if (!sub || pos - payloadAt <= INLINE_BYTES) {
        this.emit({ from: tagAt, to: pos });
        continue;
      }
      this.emit({ from: tagAt, to: afterTag });
      const lengthPiece: { bytes: Uint8Array } = { bytes: new Uint8Array(0) };
      this.pieces.push(lengthPiece);
      const before = this.length;
      this.message(sub, payloadAt, pos, depth + 1);
      lengthPiece.bytes = encodeVarint(this.length - before);
      this.length += lengthPiece.bytes.length;
    }
  }
}

/**
 * The model at `fd` (a regular file of `sizeBytes`) without large tensors' values. Throws SkeletonError when the
 * structure is broken or its size without weights passes `maxBytes`.
 */
export function readModelSkeleton(fd: number, sizeBytes: number, maxBytes: number): ModelSkeleton {
  const file = new FileWindow(fd, sizeBytes);
  const skimmer = new Skimmer(file, maxBytes);
  skimmer.message(ModelProtoSchema, 0, sizeBytes, 0);
  const bytes = new Uint8Array(skimmer.length);
  let at = 0;
  for (const piece of skimmer.pieces) {
    if ("bytes" in piece) {
      bytes.set(piece.bytes, at);
      at += piece.bytes.length;
    } else {
      file.copy(piece.from, piece.to, bytes, at);
      at += piece.to - piece.from;
    }
  }
  return { bytes, skippedBytes: skimmer.skippedBytes };
}

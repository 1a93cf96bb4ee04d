// A protobuf wire-format scanner driven by the message descriptors: it walks a message's structure without
// decoding it and reports the first byte offset where the bytes stop making sense (bad varint, length past the
// end, wrong wire type for a known field, too deep, optionally invalid UTF-8), with the field path there.
// protobuf-es errors carry no offsets, and it accepts known fields with the wrong wire type; this scanner does not.
// It allocates nothing proportional to declared lengths, so a huge declared length cannot exhaust memory.
import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";

export interface WireProblem {
  /** Byte offset where reading failed. */
  offset: number;
  /** What is wrong there, for a human. */
  reason: string;
  /** Field path from the root message, e.g. `ModelProto.graph.node[3].attribute[0].t`. */
  path: string;
}

export interface ScanOptions {
  /** Also require string fields to be valid UTF-8 (proto2, which ONNX uses, does not require it). */
  checkUtf8?: boolean;
  /** Deepest message nesting accepted (protobuf-es and the C++ runtime use 100). */
  maxDepth?: number;
}

const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Len = 2,
  StartGroup = 3,
  EndGroup = 4,
  Fixed32 = 5,
}
const wireNames = [
  "varint",
  "64-bit",
  "length-delimited",
  "start-group",
  "end-group",
  "32-bit",
  "invalid (6)",
  "invalid (7)",
];

class ScanFailure {
  readonly segments: string[] = [];
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

function fail(offset: number, reason: string): never {
  throw new ScanFailure(offset, reason);
}

const fieldMaps = new WeakMap<DescMessage, Map<number, DescField>>();
function fieldsOf(desc: DescMessage): Map<number, DescField> {
  let map = fieldMaps.get(desc);
  if (!map) {
    map = new Map(desc.fields.map((f) => [f.number, f]));
    fieldMaps.set(desc, map);
  }
  return map;
}

function scalarWire(scalar: ScalarType): Wire {
  switch (scalar) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return Wire.Fixed64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return Wire.Fixed32;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return Wire.Len;
    default:
      return Wire.Varint;
  }
}

/** Bit mask of the wire types a field may arrive in (repeated scalars may be packed or not). */
function allowedWires(field: DescField): number {
  switch (field.fieldKind) {
    case "scalar":
      return 1 << scalarWire(field.scalar);
    case "enum":
      return 1 << Wire.Varint;
    case "message":
      return 1 << (field.delimitedEncoding ? Wire.StartGroup : Wire.Len);
    case "map":
      return 1 << Wire.Len;
    case "list":
      if (field.listKind === "message") return 1 << (field.delimitedEncoding ? Wire.StartGroup : Wire.Len);
      if (field.listKind === "enum") return (1 << Wire.Varint) | (1 << Wire.Len);
      return (1 << scalarWire(field.scalar)) | (1 << Wire.Len);
  }
}

function describeWires(mask: number): string {
  return wireNames.filter((_, i) => mask & (1 << i)).join(" or ");
}

class Scanner {
  /** The value of the last varint read (exact up to 2^53, which covers every length and tag that can be valid). */
  private value = 0;
  private readonly maxDepth: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly checkUtf8: boolean,
    maxDepth: number,
  ) {
    this.maxDepth = maxDepth;
  }

  /** Reads a varint at `pos` below `limit`: the next position, -1 if it runs past `limit`, -2 if longer than 10 bytes. */
  private varint(pos: number, limit: number): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= limit) return -1;
      const b = this.bytes[pos++];
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) {
        this.value = value;
        return pos;
      }
    }
    return -2;
  }

  private whereEnds(end: number): string {
    return end === this.bytes.length
      ? `the end of the file (byte ${end})`
      : `the end of its enclosing message (byte ${end})`;
  }

  private readVarint(pos: number, end: number, what: string): number {
    const next = this.varint(pos, end);
    if (next === -1) fail(pos, `${what} runs past ${this.whereEnds(end)}`);
    if (next === -2) fail(pos, `malformed ${what}: a varint longer than 10 bytes`);
    return next;
  }

  message(desc: DescMessage | undefined, start: number, end: number, depth: number): void {
    if (depth > this.maxDepth) fail(start, `messages nested deeper than ${this.maxDepth} levels`);
    const fields = desc ? fieldsOf(desc) : undefined;
    let counts: Map<number, number> | undefined;
    let pos = start;
    while (pos < end) {
      const tagAt = pos;
      pos = this.readVarint(pos, end, "field tag");
      const fieldNo = Math.floor(this.value / 8);
      const wire = this.value % 8;
      const field = fields?.get(fieldNo);
      let index: number | undefined;
      if (field?.fieldKind === "list" && field.listKind === "message") {
        counts ??= new Map();
        index = counts.get(fieldNo) ?? 0;
        counts.set(fieldNo, index + 1);
      }
      try {
        if (fieldNo === 0 || fieldNo > 0x1fffffff)
          fail(
            tagAt,
            `invalid field number ${fieldNo} (tag byte 0x${this.bytes[tagAt].toString(16).padStart(2, "0")})`,
          );
        if (wire === Wire.EndGroup) fail(tagAt, `unexpected end-group tag for field ${fieldNo}`);
        pos = this.field(field, fieldNo, wire, tagAt, pos, end, depth);
      } catch (e) {
        if (e instanceof ScanFailure)
          e.segments.unshift(field ? (index === undefined ? field.name : `${field.name}[${index}]`) : `#${fieldNo}`);
        throw e;
      }
    }
  }

  /** Checks one field's value starting at `pos`; returns the position after it. */
  private field(
    field: DescField | undefined,
    fieldNo: number,
    wire: number,
    tagAt: number,
    pos: number,
    end: number,
    depth: number,
  ): number {
    if (wire > Wire.Fixed32) fail(tagAt, `invalid wire type ${wire} for field ${fieldNo}`);
    if (field) {
      const allowed = allowedWires(field);
      if (!(allowed & (1 << wire)))
        fail(
          tagAt,
          `field "${field.name}" (${fieldNo}) has wire type ${wireNames[wire]}, expected ${describeWires(allowed)}`,
        );
    }
    switch (wire) {
      case Wire.Varint:
        return this.readVarint(pos, end, "varint value");
      case Wire.Fixed64:
      case Wire.Fixed32: {
        const size = wire === Wire.Fixed64 ? 8 : 4;
        if (end - pos < size) fail(pos, `${size}-byte value runs past ${this.whereEnds(end)}`);
        return pos + size;
      }
      case Wire.StartGroup:
        return this.group(
          field?.fieldKind === "message" || field?.fieldKind === "list" ? field.message : undefined,
          fieldNo,
          pos,
          end,
          depth + 1,
        );
      default: {
        const lengthAt = pos;
        const bodyStart = this.readVarint(pos, end, "length");
        const length = this.value;
        if (length > end - bodyStart) {
          const need = end === this.bytes.length ? `; the file should be at least ${bodyStart + length} bytes` : "";
          fail(lengthAt, `length ${length} runs past ${this.whereEnds(end)} (${end - bodyStart} bytes left${need})`);
        }
        const bodyEnd = bodyStart + length;
        if (field) this.lengthDelimited(field, lengthAt, bodyStart, bodyEnd, depth);
        return bodyEnd;
      }
    }
  }

  private lengthDelimited(field: DescField, lengthAt: number, start: number, end: number, depth: number): void {
    const kind = field.fieldKind === "list" ? field.listKind : field.fieldKind;
    if (kind === "message" && (field.fieldKind === "message" || field.fieldKind === "list")) {
      this.message(field.message, start, end, depth + 1);
      return;
    }
    if (field.fieldKind === "map") return; // ONNX has no map fields; accept the bytes as they are
    const scalar =
      field.fieldKind === "scalar" || (field.fieldKind === "list" && field.listKind === "scalar")
        ? field.scalar
        : undefined;
    if (scalar === ScalarType.STRING) {
      if (this.checkUtf8) {
        const bad = firstInvalidUtf8(this.bytes, start, end);
        if (bad !== -1) fail(bad, `string field "${field.name}" is not valid UTF-8`);
      }
      return;
    }
    if (scalar === ScalarType.BYTES) return;
    // A packed repeated scalar or enum.
    const wire = scalar === undefined ? Wire.Varint : scalarWire(scalar);
    if (wire === Wire.Varint) {
      for (let p = start; p < end;) p = this.readVarint(p, end, `packed "${field.name}" value`);
    } else {
      const size = wire === Wire.Fixed64 ? 8 : 4;
      if ((end - start) % size !== 0)
        fail(lengthAt, `packed "${field.name}" has ${end - start} bytes, not a multiple of ${size}`);
    }
  }

  /** Skips a group up to its matching end-group tag; returns the position after it. */
  private group(desc: DescMessage | undefined, fieldNo: number, start: number, end: number, depth: number): number {
    if (depth > this.maxDepth) fail(start, `groups nested deeper than ${this.maxDepth} levels`);
    const fields = desc ? fieldsOf(desc) : undefined;
    let pos = start;
    while (pos < end) {
      const tagAt = pos;
      pos = this.readVarint(pos, end, "field tag");
      const innerNo = Math.floor(this.value / 8);
      const wire = this.value % 8;
      if (wire === Wire.EndGroup) {
        if (innerNo !== fieldNo) fail(tagAt, `end-group tag for field ${innerNo} closes the group of field ${fieldNo}`);
        return pos;
      }
      if (innerNo === 0) fail(tagAt, "invalid field number 0");
      const field = fields?.get(innerNo);
      try {
        pos = this.field(field, innerNo, wire, tagAt, pos, end, depth);
      } catch (e) {
        if (e instanceof ScanFailure) e.segments.unshift(field ? field.name : `#${innerNo}`);
        throw e;
      }
    }
    fail(start, `group of field ${fieldNo} is not closed before ${this.whereEnds(end)}`);
  }
}

/** Offset of the first byte that breaks UTF-8 in bytes[start, end), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= end) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Scans `bytes` as a message of type `desc`; returns the first problem, or undefined when the structure is sound. */
export function scanWireFormat(
  bytes: Uint8Array,
  desc: DescMessage,
  options: ScanOptions = {},
): WireProblem | undefined {
  const scanner = new Scanner(bytes, options.checkUtf8 ?? false, options.maxDepth ?? 100);
  try {
    scanner.message(desc, 0, bytes.length, 1);
    return undefined;
  } catch (e) {
    if (!(e instanceof ScanFailure)) throw e;
    return { offset: e.offset, reason: e.reason, path: [desc.name, ...e.segments].join(".") };
  }
}

// The samples file: dataset tensors for a run on a device, in one small binary file the host writes and the
// device runner reads (a RunPlan's `samples` are typed arrays, which JSON cannot carry without bloat).
//
// Layout (all little-endian):
//   8 bytes   magic "EDGESMP1"
//   4 bytes   u32: byte length H of the header
//   H bytes   header, UTF-8 JSON: { "samples": [ { "<input>": { "dtype", "shape", "offset", "byteLength" } } ] }
//   padding   to a multiple of 8
//   data      each tensor's bytes at `offset` (from the start of the data, a multiple of 8), C order
// float16 is stored as its raw bits, bool as one byte per element, int64/uint64 as 8 bytes.
import { EdgeError } from "../errors";
import { type Dtype, type Sample, bytesPerElement, elementCount, fromBytes, isDtype } from "../data/typed-tensor";

export const SAMPLES_MAGIC = "EDGESMP1";

interface TensorEntry {
  dtype: Dtype;
  shape: number[];
  offset: number;
  byteLength: number;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** The samples as one file's bytes. The machine writing must be little-endian (every host node runs on is). */
export function encodeSamples(samples: readonly Sample[]): Uint8Array {
  let dataBytes = 0;
  const header = {
    samples: samples.map((sample) => {
      const entries: Record<string, TensorEntry> = {};
      for (const [name, t] of Object.entries(sample)) {
        const byteLength = elementCount(t.shape) * bytesPerElement(t.dtype);
        entries[name] = { dtype: t.dtype, shape: [...t.shape], offset: dataBytes, byteLength };
        dataBytes = align8(dataBytes + byteLength);
      }
      return entries;
    }),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(12 + headerBytes.length);
  const out = new Uint8Array(dataStart + dataBytes);
  out.set(new TextEncoder().encode(SAMPLES_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  samples.forEach((sample, i) => {
    for (const [name, t] of Object.entries(sample)) {
      const entry = header.samples[i][name];
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, entry.byteLength), dataStart + entry.offset);
    }
  });
  return out;
}

/** Reads a samples file's bytes back into samples; anything malformed is a `data/invalid` error naming `file`. */
export function decodeSamples(bytes: Uint8Array, file = "samples file"): Sample[] {
  const bad = (why: string) => new EdgeError("data/invalid", `${file}: ${why}`, { where: { file } });
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== SAMPLES_MAGIC)
    throw bad(`not a samples file (no "${SAMPLES_MAGIC}" magic)`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + headerLength > bytes.length) throw bad("truncated header");
  let header: { samples?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as { samples?: unknown };
  } catch (e) {
    throw bad(`header is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(header.samples)) throw bad("header has no samples list");
  const dataStart = align8(12 + headerLength);
  return header.samples.map((entries: unknown, i: number) => {
    if (typeof entries !== "object" || entries === null) throw bad(`sample ${i} is not an object`);
    const sample: Sample = {};
    for (const [name, value] of Object.entries(entries as Record<string, unknown>)) {
      const e = value as Partial<TensorEntry>;
      const where = `sample ${i}, tensor "${name}"`;
      if (typeof e.dtype !== "string" || !isDtype(e.dtype)) throw bad(`${where}: unknown dtype ${String(e.dtype)}`);
      if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0))
        throw bad(`${where}: shape must be a list of non-negative integers`);
      const count = elementCount(e.shape);
      const byteLength = count * bytesPerElement(e.dtype);
      if (e.byteLength !== byteLength) throw bad(`${where}: ${String(e.byteLength)} bytes for ${byteLength}`);
      if (!Number.isInteger(e.offset) || (e.offset as number) < 0 || dataStart + e.offset! + byteLength > bytes.length)
        throw bad(`${where}: data lies outside the file`);
      const start = dataStart + e.offset!;
      sample[name] = { dtype: e.dtype, shape: e.shape, data: fromBytes(e.dtype, bytes.subarray(start), count) };
    }
    return sample;
  });
}

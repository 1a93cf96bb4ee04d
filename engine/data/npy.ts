// NumPy `.npy` files (format versions 1.0, 2.0 and 3.0): read into TensorData, and write (for tests and outputs).
// Layout: "\x93NUMPY", major, minor, header length (u16 LE for v1, u32 LE for v2/v3), a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), } padded with spaces and a newline, then the raw data.
// Supported: C order; float16/32/64, int8/16/32/64, uint8/16/32/64, bool; little-endian (big-endian is byte-swapped).
import { EdgeError, isEdgeError } from "../errors";
import { readRegularFile } from "../fs/regular-file";
import { type Dtype, type TensorData, bytesPerElement, elementCount, fromBytes } from "./typed-tensor";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const kinds: Record<string, Dtype> = {
  f2: "float16",
  f4: "float32",
  f8: "float64",
  i1: "int8",
  i2: "int16",
  i4: "int32",
  i8: "int64",
  u1: "uint8",
  u2: "uint16",
  u4: "uint32",
  u8: "uint64",
  b1: "bool",
};
const descrs = Object.fromEntries(Object.entries(kinds).map(([k, d]) => [d, k])) as Record<Dtype, string>;

function bad(file: string, offset: number, message: string, hint?: string): EdgeError {
  return new EdgeError("run/input", `${file}: ${message}`, { file, offset }, hint);
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeaderText(text: string, file: string, offset: number): NpyHeader {
  const str = (key: string) => new RegExp(`['"]${key}['"]\\s*:\\s*(?:'([^']*)'|"([^"]*)")`).exec(text);
  const descr = str("descr");
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!text.trimStart().startsWith("{") || !descr || !fortran || !shape) {
    throw bad(
      file,
      offset,
      `not a valid .npy header (need 'descr', 'fortran_order' and 'shape'): ${JSON.stringify(text.slice(0, 120))}`,
    );
  }
  const dims = shape[1]
    .split(",")
    .map((s) => s.trim().replace(/L$/, ""))
    .filter((s) => s.length > 0);
  if (!dims.every((d) => /^\d+$/.test(d))) throw bad(file, offset, `bad shape in .npy header: (${shape[1]})`);
  return { descr: descr[1] ?? descr[2], fortranOrder: fortran[1] === "True", shape: dims.map(Number) };
}

/** Parses `.npy` bytes; `file` names the source in errors. */
export function parseNpy(bytes: Uint8Array, file = "<npy>"): TensorData {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw bad(file, i, "not a .npy file (the magic string \\x93NUMPY is missing)");
  }
  if (bytes.length < 10) throw bad(file, bytes.length, "truncated .npy header");
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3)
    throw bad(file, 6, `unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthSize) throw bad(file, 8, "truncated .npy header");
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthSize;
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length)
    throw bad(file, 8, `the .npy header says it is ${headerLength} bytes but the file ends at byte ${bytes.length}`);
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(headerStart, dataStart));
  const header = parseHeaderText(text, file, headerStart);

  const m = /^([<>|=])?([a-z])(\d+)$/.exec(header.descr);
  const dtype = m ? kinds[`${m[2]}${m[3]}`] : undefined;
  if (!m || !dtype) {
    throw bad(
      file,
      headerStart,
      `unsupported .npy dtype '${header.descr}'`,
      "supported: float16/32/64, int8/16/32/64, uint8/16/32/64, bool",
    );
  }
  if (header.fortranOrder) {
    throw bad(
      file,
      headerStart,
      "Fortran-ordered .npy arrays are not supported yet",
      "save it with numpy.ascontiguousarray(a) first",
    );
  }
  const count = elementCount(header.shape);
  const size = bytesPerElement(dtype);
  const need = count * size;
  if (bytes.length - dataStart < need) {
    throw bad(
      file,
      bytes.length,
      `.npy data is truncated: shape (${header.shape.join(", ")}) of ${dtype} needs ${need} bytes after byte ${dataStart}, found ${bytes.length - dataStart}`,
    );
  }
  let data = bytes.subarray(dataStart, dataStart + need);
  if (m[1] === ">" && size > 1) {
    data = Uint8Array.from(data);
    for (let i = 0; i < need; i += size) data.subarray(i, i + size).reverse();
  }
  return { dtype, shape: header.shape, data: fromBytes(dtype, data, count) };
}

/** The largest .npy file read (2 GB): it is read whole. */
export const MAX_NPY_BYTES = 2e9;

export async function readNpy(path: string): Promise<TensorData> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(path, { code: "data/invalid", maxBytes: MAX_NPY_BYTES });
  } catch (e) {
    if (isEdgeError(e)) throw e;
    throw new EdgeError(
      "run/input",
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { file: path },
    );
  }
  return parseNpy(bytes, path);
}

/** Encodes a tensor as `.npy` (format version 1.0 by default; little-endian, C order, header padded to 64 bytes). */
export function encodeNpy(t: TensorData, version: 1 | 2 | 3 = 1): Uint8Array {
  const endian = t.dtype === "uint8" || t.dtype === "int8" || t.dtype === "bool" ? "|" : "<";
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(", ")})`;
  let dict = `{'descr': '${endian}${descrs[t.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const lengthSize = version === 1 ? 2 : 4;
  const unpadded = 8 + lengthSize + dict.length + 1;
  dict += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const header = new TextEncoder().encode(dict);
  const data = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint8Array(8 + lengthSize + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, 8 + lengthSize);
  out.set(data, 8 + lengthSize + header.length);
  return out;
}

// The numbers in a weight (an initializer or a Constant's value) and their statistics for the properties panel:
// min/max/mean/std over the finite values, the share of exact zeros, NaN/±Infinity counted apart, a histogram. The
// bytes come from the model (inline) or from its external data, read lazily and only under a size limit; when a
// weight is not read, the note says why. Stored values as they are: an int8 weight's statistics are of its integers.
import { type TensorProto, TensorProto_DataType as DT } from "onnx-buf";
import type { WeightStats } from "../../common/graph/node-details";
import { formatBytes } from "../../common/units";
import { dtypeName } from "../onnx/dtypes";
import type { ExternalDataReader } from "../onnx/external-data";
import { inlineRawBytes, isExternal, tensorByteSize, tensorElementCount } from "../onnx/tensor-proto";

/** External weights larger than this are not read for statistics (the host keeps the model open for details). */
export const MAX_STATS_BYTES = 64_000_000;
const HISTOGRAM_BINS = 32;

/** Elements that are numbers, in a form the statistics loop reads one at a time. */
export interface NumberView {
  length: number;
  at(i: number): number;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const bf16 = new Float32Array(1);
const bf16Bits = new Uint32Array(bf16.buffer);
function bfloatToFloat(b: number): number {
  bf16Bits[0] = b << 16;
  return bf16[0];
}

/** A view over raw_data-layout bytes (little-endian) for the numeric dtypes; undefined for others. */
export function numbersOf(dtype: number, bytes: Uint8Array, elements: number): NumberView | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const of = (size: number, get: (at: number) => number): NumberView | undefined =>
    bytes.length >= elements * size ? { length: elements, at: (i) => get(i * size) } : undefined;
  switch (dtype) {
    case DT.FLOAT:
      return of(4, (at) => view.getFloat32(at, true));
    case DT.DOUBLE:
      return of(8, (at) => view.getFloat64(at, true));
    case DT.FLOAT16:
      return of(2, (at) => halfToFloat(view.getUint16(at, true)));
    case DT.BFLOAT16:
      return of(2, (at) => bfloatToFloat(view.getUint16(at, true)));
    case DT.INT8:
      return of(1, (at) => view.getInt8(at));
    case DT.UINT8:
    case DT.BOOL:
      return of(1, (at) => view.getUint8(at));
    case DT.INT16:
      return of(2, (at) => view.getInt16(at, true));
    case DT.UINT16:
      return of(2, (at) => view.getUint16(at, true));
    case DT.INT32:
      return of(4, (at) => view.getInt32(at, true));
    case DT.UINT32:
      return of(4, (at) => view.getUint32(at, true));
    case DT.INT64:
      return of(8, (at) => Number(view.getBigInt64(at, true)));
    case DT.UINT64:
      return of(8, (at) => Number(view.getBigUint64(at, true)));
    case DT.INT4:
    case DT.UINT4: {
      // Two per byte, the first element in the low nibble.
      if (bytes.length < Math.ceil(elements / 2)) return undefined;
      const signed = dtype === DT.INT4;
      return {
        length: elements,
        at: (i) => {
          const nibble = (bytes[i >> 1] >> ((i & 1) * 4)) & 0xf;
          return signed && nibble >= 8 ? nibble - 16 : nibble;
        },
      };
    }
    default:
      return undefined;
  }
}

/** Statistics of a sequence of numbers (two passes: figures, then the histogram). */
export function statsOf(values: NumberView): WeightStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let zeros = 0;
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values.at(i);
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    if (v === 0) zeros++;
  }
  const finite = values.length - nonFinite;
  if (finite === 0)
    return {
      elements: values.length,
      min: 0,
      max: 0,
      mean: 0,
      std: 0,
      sparsity: 0,
      nonFinite,
      histogram: { min: 0, max: 0, counts: [] },
    };
  const mean = sum / finite;
  let squares = 0;
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const width = (max - min) / HISTOGRAM_BINS;
  for (let i = 0; i < values.length; i++) {
    const v = values.at(i);
    if (!Number.isFinite(v)) continue;
    squares += (v - mean) * (v - mean);
    const bin = width > 0 ? Math.min(HISTOGRAM_BINS - 1, Math.floor((v - min) / width)) : 0;
    counts[bin]++;
  }
  return {
    elements: values.length,
    min,
    max,
    mean,
    std: Math.sqrt(squares / finite),
    sparsity: zeros / values.length,
    nonFinite,
    histogram: { min, max, counts: width > 0 ? counts : [finite] },
  };
}

export interface ReadNumbers {
  values?: NumberView;
  /** Why there are no values. */
  note?: string;
}

/** A tensor's numbers: inline, or external under `maxBytes`; a note instead when it is not read. */
export async function readTensorNumbers(
  tensor: TensorProto,
  external: ExternalDataReader,
  maxBytes = MAX_STATS_BYTES,
): Promise<ReadNumbers> {
  const elements = tensorElementCount(tensor);
  if (Number.isNaN(elements)) return { note: "its dims are not valid" };
  const probe = numbersOf(tensor.dataType, new Uint8Array(0), 0);
  if (!probe) return { note: `${dtypeName(tensor.dataType)} values have no statistics here` };
  let bytes: Uint8Array | undefined;
  if (isExternal(tensor)) {
    let size: number | undefined;
    try {
      size = tensorByteSize(tensor) ?? (await external.resolve(tensor)).length;
    } catch (e) {
      return { note: `its external data cannot be read: ${(e as Error).message}` };
    }
    if (size > maxBytes)
      return {
        note: `not read: its external data is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} read for statistics`,
      };
    try {
      bytes = await external.read(tensor);
    } catch (e) {
      return { note: `its external data cannot be read: ${(e as Error).message}` };
    }
  } else {
    bytes = inlineRawBytes(tensor);
    if (!bytes) return { note: `its ${dtypeName(tensor.dataType)} values are stored in a form not read here` };
  }
  const values = numbersOf(tensor.dataType, bytes, elements);
  return values ? { values } : { note: `its data has ${bytes.length} bytes, fewer than its dims need` };
}

/** Statistics of a tensor, or the note saying why there are none. */
export async function tensorStats(
  tensor: TensorProto,
  external: ExternalDataReader,
  maxBytes = MAX_STATS_BYTES,
): Promise<{ stats?: WeightStats; statsNote?: string }> {
  const read = await readTensorNumbers(tensor, external, maxBytes);
  if (!read.values) return { statsNote: read.note };
  return { stats: statsOf(read.values) };
}

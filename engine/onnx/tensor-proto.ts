// Tensor helpers: where a tensor's bytes are (raw_data, typed fields, or an external file), how many elements and
// bytes it has, its inline bytes in raw_data layout, and the values of small numeric tensors (for shape inference).
import { type TensorProto, TensorProto_DataLocation, TensorProto_DataType as DT } from "onnx-buf";
import { EdgeError } from "../errors";
import { bytesForElements, elementCount } from "./dtypes";

/** A tensor's external_data entries, parsed. `length` is undefined when the entry is absent (the rest of the file). */
export interface ExternalRef {
  location: string;
  offset: number;
  length: number | undefined;
  checksum: string | undefined;
}

export function isExternal(tensor: TensorProto): boolean {
  return tensor.dataLocation === TensorProto_DataLocation.EXTERNAL;
}

/** Parses the external_data entries of an external tensor. Throws `model/external-data` when they are malformed. */
export function externalRef(tensor: TensorProto, file?: string): ExternalRef {
  const entries = new Map(tensor.externalData.map((e) => [e.key, e.value]));
  const location = entries.get("location");
  const where = { file, node: tensor.name || undefined };
  if (!location)
    throw new EdgeError(
      "model/external-data",
      `tensor "${tensor.name}" is stored externally but has no location`,
      where,
    );
  const number = (key: string): number | undefined => {
    const text = entries.get(key);
    if (text === undefined || text === "") return undefined;
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) {
      throw new EdgeError(
        "model/external-data",
        `tensor "${tensor.name}" has an invalid external ${key} "${text}"`,
        where,
      );
    }
    return value;
  };
  return {
    location,
    offset: number("offset") ?? 0,
    length: number("length"),
    checksum: entries.get("checksum") || undefined,
  };
}

/** Number of elements the tensor's dims describe (1 for a scalar). NaN for invalid dims. */
export function tensorElementCount(tensor: TensorProto): number {
  return elementCount(tensor.dims);
}

/**
 * The bytes a tensor's data takes: the external length (without reading it), raw_data's length, or, for typed
 * fields, the size its dims and type give in raw layout (sub-byte types packed; strings: the sum of their lengths). Undefined for an
 * external tensor whose entry has no length (ask the external-data reader, which knows the file size).
 */
export function tensorByteSize(tensor: TensorProto): number | undefined {
  if (isExternal(tensor)) return externalRef(tensor).length;
  if (tensor.rawData.length > 0) return tensor.rawData.length;
  if (tensor.dataType === DT.STRING) return tensor.stringData.reduce((sum, s) => sum + s.length, 0);
  const n = tensorElementCount(tensor);
  return Number.isNaN(n) ? 0 : bytesForElements(tensor.dataType, n);
}

/**
 * An inline tensor's bytes in raw_data layout (little-endian): raw_data itself, or typed fields converted for the
 * types whose conversion is one value per element. Undefined for types left as they are (strings, sub-byte and
 * float8 types in int32_data, complex numbers) and for external tensors.
 */
export function inlineRawBytes(tensor: TensorProto): Uint8Array | undefined {
  if (isExternal(tensor)) return undefined;
  if (tensor.rawData.length > 0) return tensor.rawData;
  const n = tensorElementCount(tensor);
  switch (tensor.dataType) {
    case DT.FLOAT:
      return tensor.floatData.length === n ? bytesOf(new Float32Array(tensor.floatData)) : undefined;
    case DT.DOUBLE:
      return tensor.doubleData.length === n ? bytesOf(new Float64Array(tensor.doubleData)) : undefined;
    case DT.INT64:
      return tensor.int64Data.length === n
        ? bytesOf(BigInt64Array.from(tensor.int64Data, (v) => BigInt.asIntN(64, v)))
        : undefined;
    case DT.UINT64:
      return tensor.uint64Data.length === n
        ? bytesOf(BigUint64Array.from(tensor.uint64Data, (v) => BigInt.asUintN(64, v)))
        : undefined;
    case DT.UINT32:
      return tensor.uint64Data.length === n ? bytesOf(Uint32Array.from(tensor.uint64Data, Number)) : undefined;
    case DT.INT32:
      return tensor.int32Data.length === n ? bytesOf(new Int32Array(tensor.int32Data)) : undefined;
    case DT.INT16:
      return tensor.int32Data.length === n ? bytesOf(new Int16Array(tensor.int32Data)) : undefined;
    case DT.UINT16:
    case DT.FLOAT16:
    case DT.BFLOAT16:
      return tensor.int32Data.length === n ? bytesOf(new Uint16Array(tensor.int32Data)) : undefined;
    case DT.INT8:
      return tensor.int32Data.length === n ? bytesOf(new Int8Array(tensor.int32Data)) : undefined;
    case DT.UINT8:
    case DT.BOOL:
      return tensor.int32Data.length === n ? new Uint8Array(tensor.int32Data) : undefined;
    default:
      return undefined;
  }
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  // Typed arrays are little-endian on every platform node runs on (x64, arm64), which is ONNX's raw_data order.
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * The values of a small inline numeric tensor as numbers (int64 converted; precision beyond 2^53 is lost), or
 * undefined when it is external, too large, or of a type without a simple reading (strings, float16, sub-byte).
 */
export function smallTensorValues(tensor: TensorProto, maxElements = 64): number[] | undefined {
  const n = tensorElementCount(tensor);
  if (!(n <= maxElements) || isExternal(tensor)) return undefined;
  const raw = tensor.rawData;
  if (raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const read = rawReaders[tensor.dataType];
    if (!read || raw.length < n * read.size) return undefined;
    return Array.from({ length: n }, (_, i) => read.get(view, i * read.size));
  }
  let values: number[] | undefined;
  switch (tensor.dataType) {
    case DT.FLOAT:
      values = tensor.floatData;
      break;
    case DT.DOUBLE:
      values = tensor.doubleData;
      break;
    case DT.INT64:
      values = tensor.int64Data.map(Number);
      break;
    case DT.UINT32:
    case DT.UINT64:
      values = tensor.uint64Data.map(Number);
      break;
    case DT.INT32:
    case DT.INT16:
    case DT.INT8:
    case DT.UINT16:
    case DT.UINT8:
    case DT.BOOL:
      values = tensor.int32Data;
      break;
    default:
      return undefined;
  }
  return values.length === n ? [...values] : undefined;
}

const rawReaders: Record<number, { size: number; get: (v: DataView, at: number) => number }> = {
  [DT.FLOAT]: { size: 4, get: (v, at) => v.getFloat32(at, true) },
  [DT.DOUBLE]: { size: 8, get: (v, at) => v.getFloat64(at, true) },
  [DT.INT64]: { size: 8, get: (v, at) => Number(v.getBigInt64(at, true)) },
  [DT.UINT64]: { size: 8, get: (v, at) => Number(v.getBigUint64(at, true)) },
  [DT.INT32]: { size: 4, get: (v, at) => v.getInt32(at, true) },
  [DT.UINT32]: { size: 4, get: (v, at) => v.getUint32(at, true) },
  [DT.INT16]: { size: 2, get: (v, at) => v.getInt16(at, true) },
  [DT.UINT16]: { size: 2, get: (v, at) => v.getUint16(at, true) },
  [DT.INT8]: { size: 1, get: (v, at) => v.getInt8(at) },
  [DT.UINT8]: { size: 1, get: (v, at) => v.getUint8(at) },
  [DT.BOOL]: { size: 1, get: (v, at) => v.getUint8(at) },
};

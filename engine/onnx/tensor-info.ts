// What shape propagation knows about one value: its element type, its concrete shape (symbolic dims already
// bound to numbers), and, for small numeric tensors (shapes, axes, scales), its values.
import { bytesForElements, dtypeBits, elementCount } from "./dtypes";

export interface TensorInfo {
  /** ONNX element type; 0 when unknown. */
  dtype: number;
  /** Concrete dims; undefined when even the rank is unknown. */
  shape?: number[];
  /** Known values (row-major) of a small numeric tensor, e.g. a shape computed by Shape → Gather → Concat. */
  values?: number[];
}

/** Most values tracked for one tensor: enough for shapes and axes, small enough to cost nothing. */
export const MAX_TRACKED_VALUES = 64;

/** Element size assumed when a value's type is unknown or variable (strings): 4 bytes, as float32. */
export const ASSUMED_ELEMENT_BYTES = 4;

/** Bytes of a value with a known shape; undefined when the shape is unknown. */
export function infoBytes(info: TensorInfo | undefined): number | undefined {
  if (!info?.shape) return undefined;
  const n = elementCount(info.shape);
  if (Number.isNaN(n)) return undefined;
  return dtypeBits(info.dtype) > 0 ? bytesForElements(info.dtype, n) : n * ASSUMED_ELEMENT_BYTES;
}

/** Keeps `values` only when they are few enough to track. */
export function withValues(info: TensorInfo, values: number[] | undefined): TensorInfo {
  return values && values.length <= MAX_TRACKED_VALUES && values.every(Number.isFinite) ? { ...info, values } : info;
}

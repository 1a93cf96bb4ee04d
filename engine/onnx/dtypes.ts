// ONNX element types: their names, their sizes in bits (4-bit, 2-bit and float8 types included), and element counts.
// Sizes are for the packed raw_data layout; sub-byte types pack several elements per byte, rounded up per tensor.
import { TensorProto_DataType as DT } from "onnx-buf";

interface DtypeInfo {
  name: string;
  /** Bits per element in raw_data; 0 for variable-size types (string). */
  bits: number;
}

const dtypes: Record<number, DtypeInfo> = {
  [DT.FLOAT]: { name: "float32", bits: 32 },
  [DT.UINT8]: { name: "uint8", bits: 8 },
  [DT.INT8]: { name: "int8", bits: 8 },
  [DT.UINT16]: { name: "uint16", bits: 16 },
  [DT.INT16]: { name: "int16", bits: 16 },
  [DT.INT32]: { name: "int32", bits: 32 },
  [DT.INT64]: { name: "int64", bits: 64 },
  [DT.STRING]: { name: "string", bits: 0 },
  [DT.BOOL]: { name: "bool", bits: 8 },
  [DT.FLOAT16]: { name: "float16", bits: 16 },
  [DT.DOUBLE]: { name: "float64", bits: 64 },
  [DT.UINT32]: { name: "uint32", bits: 32 },
  [DT.UINT64]: { name: "uint64", bits: 64 },
  [DT.COMPLEX64]: { name: "complex64", bits: 64 },
  [DT.COMPLEX128]: { name: "complex128", bits: 128 },
  [DT.BFLOAT16]: { name: "bfloat16", bits: 16 },
  [DT.FLOAT8E4M3FN]: { name: "float8e4m3fn", bits: 8 },
  [DT.FLOAT8E4M3FNUZ]: { name: "float8e4m3fnuz", bits: 8 },
  [DT.FLOAT8E5M2]: { name: "float8e5m2", bits: 8 },
  [DT.FLOAT8E5M2FNUZ]: { name: "float8e5m2fnuz", bits: 8 },
  [DT.UINT4]: { name: "uint4", bits: 4 },
  [DT.INT4]: { name: "int4", bits: 4 },
  [DT.FLOAT4E2M1]: { name: "float4e2m1", bits: 4 },
  [DT.FLOAT8E8M0]: { name: "float8e8m0", bits: 8 },
  [DT.UINT2]: { name: "uint2", bits: 2 },
  [DT.INT2]: { name: "int2", bits: 2 },
};

/** The lower-case name of an ONNX element type ("float32", "int4", …); `dtype-N` for a number ONNX does not define. */
export function dtypeName(elemType: number): string {
  return dtypes[elemType]?.name ?? `dtype-${elemType}`;
}

/** The ONNX element type for a name from `dtypeName` (or an ONNX enum name such as "FLOAT"); undefined if unknown. */
export function dtypeFromName(name: string): number | undefined {
  const lower = name.toLowerCase();
  for (const [code, info] of Object.entries(dtypes)) if (info.name === lower) return Number(code);
  const upper = name.toUpperCase() as keyof typeof DT;
  return typeof DT[upper] === "number" ? (DT[upper] as number) : undefined;
}

/** Bits per element (4 for int4, 8 for float8, 0 for string and unknown types). */
export function dtypeBits(elemType: number): number {
  return dtypes[elemType]?.bits ?? 0;
}

/** Whether ONNX defines this element type (as far as this engine knows). */
export function isKnownDtype(elemType: number): boolean {
  return elemType in dtypes;
}

/** Bytes needed for `elements` values of a fixed-size type, sub-byte types packed and rounded up; 0 for strings. */
export function bytesForElements(elemType: number, elements: number): number {
  return Math.ceil((elements * dtypeBits(elemType)) / 8);
}

/** Number of elements of a shape (1 for a scalar); NaN if a dim is negative or not a safe integer. */
export function elementCount(dims: readonly (bigint | number)[]): number {
  let n = 1;
  for (const d of dims) {
    const v = Number(d);
    if (!Number.isSafeInteger(v) || v < 0) return Number.NaN;
    n *= v;
  }
  return n;
}

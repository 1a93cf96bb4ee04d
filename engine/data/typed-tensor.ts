// Tensors as plain data (dtype, shape, a typed array): what dataset readers produce and the runner feeds.
// No onnxruntime here, so readers and tests stay light; the runner wraps these in ORT tensors.

export type Dtype =
  | "float32"
  | "float64"
  | "float16"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "bool";

/** float16 is stored as its raw bits in a Uint16Array (what onnxruntime-node accepts); bool as 0/1 bytes. */
export type TensorArray =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint32Array
  | BigUint64Array;

export interface TensorData {
  dtype: Dtype;
  shape: number[];
  data: TensorArray;
}

/** One set of named inputs for one inference. */
export type Sample = Record<string, TensorData>;

const bytesPer: Record<Dtype, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  bool: 1,
};

export const DTYPES = Object.keys(bytesPer) as readonly Dtype[];

export function isDtype(name: string): name is Dtype {
  return Object.hasOwn(bytesPer, name);
}

export function bytesPerElement(dtype: Dtype): number {
  return bytesPer[dtype];
}

export function isBigIntDtype(dtype: Dtype): boolean {
  return dtype === "int64" || dtype === "uint64";
}

export function isFloatDtype(dtype: Dtype): boolean {
  return dtype === "float32" || dtype === "float64" || dtype === "float16";
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function allocate(dtype: Dtype, count: number): TensorArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(count);
    case "float64":
      return new Float64Array(count);
    case "float16":
    case "uint16":
      return new Uint16Array(count);
    case "int8":
      return new Int8Array(count);
    case "int16":
      return new Int16Array(count);
    case "int32":
      return new Int32Array(count);
    case "int64":
      return new BigInt64Array(count);
    case "uint8":
    case "bool":
      return new Uint8Array(count);
    case "uint32":
      return new Uint32Array(count);
    case "uint64":
      return new BigUint64Array(count);
  }
}

/** A typed array of `dtype` viewing a copy of `bytes` (copied so the view is aligned and owns its memory). */
export function fromBytes(dtype: Dtype, bytes: Uint8Array, count: number): TensorArray {
  const array = allocate(dtype, count);
  new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(bytes.subarray(0, count * bytesPer[dtype]));
  return array;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half-precision bits of a number (round to nearest even; overflow to infinity). */
export function toHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // a carry into the exponent is the right rounding
  return sign | half;
}

export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Element `i` as a number (int64 values beyond 2^53 lose precision; fine for conversion of data sets). */
export function readNumber(t: TensorData, i: number): number {
  if (t.dtype === "float16") return fromHalfBits(t.data[i] as number);
  const v = t.data[i];
  return typeof v === "bigint" ? Number(v) : v;
}

/** Sets element `i` of an array of `dtype` from a number (ints are truncated toward zero, bools are value != 0). */
export function writeNumber(array: TensorArray, dtype: Dtype, i: number, value: number): void {
  if (dtype === "float16") array[i] = toHalfBits(value);
  else if (dtype === "bool") array[i] = value !== 0 ? 1 : 0;
  else if (isBigIntDtype(dtype)) array[i] = BigInt(Math.trunc(value));
  else if (isFloatDtype(dtype)) array[i] = value;
  else array[i] = Math.trunc(value);
}

/** The same values in another dtype (e.g. numpy's default float64 data for a float32 input). */
export function convertTensor(t: TensorData, dtype: Dtype): TensorData {
  if (t.dtype === dtype) return t;
  const n = t.data.length;
  const out = allocate(dtype, n);
  if (isBigIntDtype(t.dtype) && isBigIntDtype(dtype)) {
    for (let i = 0; i < n; i++)
      out[i] = dtype === "int64" ? BigInt.asIntN(64, t.data[i] as bigint) : BigInt.asUintN(64, t.data[i] as bigint);
  } else {
    for (let i = 0; i < n; i++) writeNumber(out, dtype, i, readNumber(t, i));
  }
  return { dtype, shape: [...t.shape], data: out };
}

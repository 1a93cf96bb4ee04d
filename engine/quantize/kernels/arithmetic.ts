// The arithmetic of weight quantization, on plain typed arrays (no protobuf, so workers and benchmarks can call it):
// int8 per-tensor or per-channel (symmetric or with zero points, int8 or uint8, 7-bit reduced range), and 4-bit
// blocks along K packed the way onnxruntime's MatMulNBits reads them (B as [N, k_blocks, block_size / 2], low
// nibble first; scales [N × k_blocks]; zero points two per byte, low nibble first, default 8 when absent).
// Rounding everywhere: q = nearest-even(fround(w × inv)) with inv = fround(1 / scale). These JS loops are the reference
// and the fallback; the WebAssembly SIMD kernels in ./wasm give the same bytes and run where they cover the case.
// A weight read into stageWeight()'s array is already in the WebAssembly kernels' memory: they read it in place.
import { wasmQuantizeInt4Rows, wasmQuantizeInt4Symmetric } from "./wasm/int4-wasm";
import { wasmChannelRanges, wasmQuantizeRows } from "./wasm/int8-wasm";
import { releaseStaged, stagedOffset, stageFloats, uninitialized } from "./wasm/load-kernels";

export { setWasmKernelsEnabled } from "./wasm/load-kernels";

/**
 * An array of `length` floats inside the WebAssembly kernels' memory, for the reader of a weight to fill: the
 * quantizers here then read it in place instead of copying it in. Valid until the next stageWeight call, which
 * reuses the same memory (so keep no staged array across one: copy it if it must live on). It is held until a
 * quantizer here returns from a call on it, or releaseWeight: meanwhile stageWeight returns undefined. Undefined
 * also when the kernels are off or it would not fit: read into an ordinary array then.
 */
export function stageWeight(length: number): Float32Array | undefined {
  return stageFloats(length);
}

/** Lets another weight be staged when `w`, a staged array, will not be passed to a quantizer (a no-op for other arrays). */
export function releaseWeight(w: Float32Array): void {
  releaseStaged(w);
}

/** Whether `w` is (part of) the staged weight, i.e. lives in the kernels' memory until the next stageWeight call. */
export function isStaged(w: Float32Array): boolean {
  return stagedOffset(w) !== undefined;
}

/** 1.5 × 2^52: (x + ROUND) − ROUND rounds x to the nearest integer, ties to even, for |x| < 2^51. */
const ROUND = 6755399441055744;

export type Int8Type = "int8" | "uint8";

export interface Int8Options {
  /** Which axis of the 2-D view [rows, cols] has one scale per entry: "rows", "cols", or none (per tensor). */
  channelAxis: "rows" | "cols" | "none";
  symmetric: boolean;
  type: Int8Type;
  reduceRange?: boolean;
  /**
   * Where to write the quantized values: an array of the type's kind (Int8Array for int8, Uint8Array for uint8) of at
   * least rows × cols elements, whose first rows × cols become the result's `data` (a view of it). For a caller
   * quantizing weight after weight and done with each result before the next: the same pages serve every weight
   * instead of fresh ones the system zeroes and maps in on every call (half a 64 MB weight's time here). Another
   * array (wrong kind, too short) is not used.
   */
  into?: Int8Array | Uint8Array;
}

export interface Int8Weights {
  data: Int8Array | Uint8Array;
  scales: Float32Array;
  zeroPoints: Int8Array | Uint8Array;
}

/** The integer range of a weight type: [qmin, qmax]. */
export function int8Range(type: Int8Type, reduceRange = false): [number, number] {
  if (type === "int8") return reduceRange ? [-64, 63] : [-128, 127];
  return reduceRange ? [0, 127] : [0, 255];
}

/** Scale and zero point for values in [lo, hi] (zero always representable, as ONNX requires). */
export function scaleAndZeroPoint(
  lo: number,
  hi: number,
  qmin: number,
  qmax: number,
  symmetric: boolean,
): [number, number] {
  if (symmetric) {
    const bound = Math.max(Math.abs(lo), Math.abs(hi));
    const half = Math.floor((qmax - qmin) / 2); // 127 for int8 (−127…127), 127 for uint8 around 128
    const scale = bound > 0 ? bound / half : 1;
    const zero = qmin < 0 ? 0 : Math.round((qmin + qmax + 1) / 2);
    return [scale, zero];
  }
  lo = Math.min(lo, 0);
  hi = Math.max(hi, 0);
  const scale = hi > lo ? (hi - lo) / (qmax - qmin) : 1;
  const zero = Math.min(qmax, Math.max(qmin, Math.round(qmin - lo / scale)));
  return [scale, zero];
}

/** Per-channel (or per-tensor) [min, max] of a row-major [rows, cols] matrix. */
function channelRanges(
  w: Float32Array,
  rows: number,
  cols: number,
  axis: Int8Options["channelAxis"],
): { lo: Float32Array; hi: Float32Array } {
  const channels = axis === "rows" ? rows : axis === "cols" ? cols : 1;
  const lo = new Float32Array(channels).fill(Infinity);
  const hi = new Float32Array(channels).fill(-Infinity);
  if (axis === "cols") {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) {
        const v = w[base + c];
        if (v < lo[c]) lo[c] = v;
        if (v > hi[c]) hi[c] = v;
      }
    }
    return { lo, hi };
  }
  for (let r = 0; r < (axis === "rows" ? rows : 1); r++) {
    let mn = Infinity;
    let mx = -Infinity;
    const start = axis === "rows" ? r * cols : 0;
    const end = axis === "rows" ? start + cols : w.length;
    for (let i = start; i < end; i++) {
      const v = w[i];
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    lo[r] = mn;
    hi[r] = mx;
  }
  return { lo, hi };
}

/** Writes nearest-even(fround(w × inverse[ch])) + zero[ch], clamped, into `out`; the channel index is hoisted out of the inner loop. */
function quantizeRows(
  w: Float32Array,
  rows: number,
  cols: number,
  axis: Int8Options["channelAxis"],
  inverse: Float32Array,
  zero: Int32Array,
  qmin: number,
  qmax: number,
  out: Int8Array | Uint8Array,
): void {
  if (axis === "cols") {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) {
        const x = Math.fround(w[base + c] * inverse[c]);
        const q = x + ROUND - ROUND + zero[c];
        out[base + c] = q < qmin ? qmin : q > qmax ? qmax : q;
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const ch = axis === "rows" ? r : 0;
    const inv = inverse[ch];
    const zp = zero[ch];
    const base = r * cols;
    for (let i = base; i < base + cols; i++) {
      const x = Math.fround(w[i] * inv);
      const q = x + ROUND - ROUND + zp;
      out[i] = q < qmin ? qmin : q > qmax ? qmax : q;
    }
  }
}

/** Quantizes a row-major [rows, cols] float32 weight to 8 bits. */
export function quantizeInt8(w: Float32Array, rows: number, cols: number, options: Int8Options): Int8Weights {
  try {
    return int8(w, rows, cols, options);
  } finally {
    releaseStaged(w);
  }
}

function int8(w: Float32Array, rows: number, cols: number, options: Int8Options): Int8Weights {
  const [qmin, qmax] = int8Range(options.type, options.reduceRange);
  const wasmRanges = wasmChannelRanges(w, rows, cols, options.channelAxis);
  const ranges = wasmRanges ?? channelRanges(w, rows, cols, options.channelAxis);
  const { lo, hi } = ranges;
  const channels = lo.length;
  const scales = new Float32Array(channels);
  const zeroPoints = options.type === "int8" ? new Int8Array(channels) : new Uint8Array(channels);
  const zero = new Int32Array(channels);
  const inverse = new Float32Array(channels);
  for (let ch = 0; ch < channels; ch++) {
    if (!Number.isFinite(lo[ch]) || !Number.isFinite(hi[ch])) {
      throw new RangeError(
        `weight has a value that is not finite (${Number.isFinite(lo[ch]) ? hi[ch] : lo[ch]}) in channel ${ch}`,
      );
    }
    const [scale, zp] = scaleAndZeroPoint(lo[ch], hi[ch], qmin, qmax, options.symmetric);
    scales[ch] = scale;
    zeroPoints[ch] = zp;
    zero[ch] = zp;
    inverse[ch] = 1 / scales[ch]; // from the float32 scale, as a runtime dequantizes with it
  }
  // Every element is written below: no need to zero-fill megabytes first.
  const into = options.into;
  const fits = into && into.length >= w.length && (options.type === "int8") === into instanceof Int8Array;
  const data = fits
    ? into.subarray(0, w.length)
    : options.type === "int8"
      ? uninitialized(Int8Array, w.length)
      : uninitialized(Uint8Array, w.length);
  // The WebAssembly pass only after a WebAssembly range pass: that one also rules out NaN, which JS rounds differently.
  if (!wasmRanges || !wasmQuantizeRows(w, rows, cols, options.channelAxis, ranges, inverse, zero, qmin, qmax, data)) {
    quantizeRows(w, rows, cols, options.channelAxis, inverse, zero, qmin, qmax, data);
  }
  return { data, scales, zeroPoints };
}

export interface Int4Options {
  blockSize: number;
  symmetric: boolean;
  /**
   * Arrays to write the packed blocks and the scales into (as quantizeInt8's `into`: reused weight after weight, so
   * no fresh pages every call); each must hold at least N × kBlocks × blockSize / 2 bytes and N × kBlocks scales.
   * Arrays too short are not used.
   */
  into?: { packed: Uint8Array; scales: Float32Array };
}

export interface Int4Weights {
  /** [N, kBlocks, blockSize / 2] bytes. */
  packed: Uint8Array;
  /** [N × kBlocks]. */
  scales: Float32Array;
  /** [N × ceil(kBlocks / 2)] packed nibbles; undefined when symmetric (the operator's default 8 applies). */
  zeroPoints?: Uint8Array;
  kBlocks: number;
}

/**
 * Quantizes a MatMul weight stored row-major as [K, N] (ONNX's B) into MatMulNBits' transposed 4-bit blocks.
 * Works a band of `blockSize` rows at a time, so the strided gathers of each column's block hit the cache. Symmetric blocks map the
 * value of largest magnitude to −8 (scale may be negative), the rest with zero point 8; asymmetric blocks map
 * [min, max] onto 0…15.
 */
export function quantizeInt4(w: Float32Array, k: number, n: number, options: Int4Options): Int4Weights {
  try {
    return int4(w, k, n, options);
  } finally {
    releaseStaged(w);
  }
}

function int4(w: Float32Array, k: number, n: number, options: Int4Options): Int4Weights {
  const bs = options.blockSize;
  const kBlocks = Math.ceil(k / bs);
  const blob = bs / 2;
  const into = options.into;
  const fits = into && into.packed.length >= n * kBlocks * blob && into.scales.length >= n * kBlocks;
  const outputs = fits
    ? { packed: into.packed.subarray(0, n * kBlocks * blob), scales: into.scales.subarray(0, n * kBlocks) }
    : undefined;
  if (options.symmetric) {
    const fast = wasmQuantizeInt4Symmetric(w, k, n, bs, outputs);
    if (fast) return { ...fast, zeroPoints: undefined };
  }
  // Every byte is written below, padding included.
  const packed = outputs?.packed ?? uninitialized(Uint8Array, n * kBlocks * blob);
  const scales = outputs?.scales ?? uninitialized(Float32Array, n * kBlocks);
  const zpStride = Math.ceil(kBlocks / 2);
  const zeroPoints = options.symmetric ? undefined : new Uint8Array(n * zpStride);
  const column = new Float32Array(bs);
  for (let kb = 0; kb < kBlocks; kb++) {
    const k0 = kb * bs;
    const rowsInBlock = Math.min(k, k0 + bs) - k0;
    // One band of `bs` rows (bs × n floats) stays in cache while each column's block is gathered from it.
    for (let c = 0; c < n; c++) {
      let mn = Infinity;
      let mx = -Infinity;
      for (let i = 0, at = k0 * n + c; i < rowsInBlock; i++, at += n) {
        const v = w[at];
        column[i] = v;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      if (!Number.isFinite(mn) || !Number.isFinite(mx))
        throw new RangeError(
          `weight has a value that is not finite in column ${c}, rows ${k0}–${k0 + rowsInBlock - 1}`,
        );
      let scale: number;
      let zp: number;
      if (options.symmetric) {
        const peak = -mn > mx ? mn : mx;
        scale = peak === 0 ? 1 : peak / -8;
        zp = 8;
      } else {
        const lo = Math.min(mn, 0);
        const hi = Math.max(mx, 0);
        scale = hi > lo ? (hi - lo) / 15 : 1;
        zp = Math.min(15, Math.max(0, Math.round(-lo / scale)));
      }
      const index = c * kBlocks + kb;
      scales[index] = scale;
      const inv = Math.fround(1 / scales[index]);
      if (zeroPoints) zeroPoints[c * zpStride + (kb >> 1)] |= kb & 1 ? zp << 4 : zp;
      // Padding past K (the last block of a K that is not a multiple of the block size) holds the zero point.
      for (let i = rowsInBlock; i < bs; i++) column[i] = 0;
      const out = index * blob;
      for (let i = 0; i < bs; i += 2) {
        let a = i < rowsInBlock ? Math.fround(column[i] * inv) + ROUND - ROUND + zp : zp;
        let b = i + 1 < rowsInBlock ? Math.fround(column[i + 1] * inv) + ROUND - ROUND + zp : zp;
        a = a < 0 ? 0 : a > 15 ? 15 : a;
        b = b < 0 ? 0 : b > 15 ? 15 : b;
        packed[out + (i >> 1)] = a | (b << 4);
      }
    }
  }
  return { packed, scales, zeroPoints, kBlocks };
}

/** Float values of 4-bit blocks, back in [K, N] layout (for tests and error measurement). */
export function dequantizeInt4(q: Int4Weights, k: number, n: number, blockSize: number): Float32Array {
  const out = new Float32Array(k * n);
  const blob = blockSize / 2;
  const zpStride = Math.ceil(q.kBlocks / 2);
  for (let c = 0; c < n; c++) {
    for (let kb = 0; kb < q.kBlocks; kb++) {
      const scale = q.scales[c * q.kBlocks + kb];
      const zp = q.zeroPoints ? (q.zeroPoints[c * zpStride + (kb >> 1)] >> (kb & 1 ? 4 : 0)) & 15 : 8;
      for (let i = 0; i < blockSize; i++) {
        const r = kb * blockSize + i;
        if (r >= k) break;
        const byte = q.packed[(c * q.kBlocks + kb) * blob + (i >> 1)];
        out[r * n + c] = (((byte >> (i & 1 ? 4 : 0)) & 15) - zp) * scale;
      }
    }
  }
  return out;
}

/** Float values of 8-bit weights in their [rows, cols] layout. */
export function dequantizeInt8(
  q: Int8Weights,
  rows: number,
  cols: number,
  channelAxis: Int8Options["channelAxis"],
): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const ch = channelAxis === "rows" ? r : channelAxis === "cols" ? c : 0;
      out[r * cols + c] = (q.data[r * cols + c] - q.zeroPoints[ch]) * q.scales[ch];
    }
  }
  return out;
}

/**
 * Symmetric 4-bit blocks along the rows of a row-major [rows, cols] matrix (an embedding table [vocab, hidden]),
 * as GatherBlockQuantized reads uint8 data: [rows, cols / 2] bytes, low nibble first, zero point 8, scales
 * [rows, cols / blockSize]. `cols` must be a multiple of the block size.
 */
export function quantizeInt4Rows(
  w: Float32Array,
  rows: number,
  cols: number,
  blockSize: number,
): { packed: Uint8Array; scales: Float32Array } {
  try {
    return int4Rows(w, rows, cols, blockSize);
  } finally {
    releaseStaged(w);
  }
}

function int4Rows(
  w: Float32Array,
  rows: number,
  cols: number,
  blockSize: number,
): { packed: Uint8Array; scales: Float32Array } {
  const fast = wasmQuantizeInt4Rows(w, rows, cols, blockSize);
  if (fast) return fast;
  const blocks = cols / blockSize;
  const packed = uninitialized(Uint8Array, (rows * cols) / 2);
  const scales = uninitialized(Float32Array, rows * blocks);
  for (let b = 0; b < rows * blocks; b++) {
    const start = b * blockSize;
    let mn = Infinity;
    let mx = -Infinity;
    for (let i = start; i < start + blockSize; i++) {
      const v = w[i];
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    if (!Number.isFinite(mn) || !Number.isFinite(mx))
      throw new RangeError(`weight has a value that is not finite in row ${Math.floor(start / cols)}`);
    const peak = -mn > mx ? mn : mx;
    scales[b] = peak === 0 ? 1 : peak / -8;
    const inv = Math.fround(1 / scales[b]);
    for (let i = start; i < start + blockSize; i += 2) {
      let lo = Math.fround(w[i] * inv) + ROUND - ROUND + 8;
      let hi = Math.fround(w[i + 1] * inv) + ROUND - ROUND + 8;
      lo = lo < 0 ? 0 : lo > 15 ? 15 : lo;
      hi = hi < 0 ? 0 : hi > 15 ? 15 : hi;
      packed[i >> 1] = lo | (hi << 4);
    }
  }
  return { packed, scales };
}

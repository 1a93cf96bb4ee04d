// The 8-bit weight kernels' WebAssembly path: per-channel ranges and quantization of a row-major [rows, cols] float32
// weight: a staged weight (load-kernels.ts stageFloats) is read in place, any other is streamed through linear memory
// in cache-sized chunks. A large staged weight per column (a MatMul's B) is shared with the helper thread in bands of
// rows (helper-thread.ts share(): each thread keeps its own running ranges, merged here; the caller never waits for
// the helper). Each function returns undefined/false when it does not cover the case (or the data holds NaN or
// infinities), and the caller in ../arithmetic.ts then runs the JS reference.
import { helperThread, type HelperThread, PARALLEL_MIN_ELEMENTS, preferHelper } from "./helper-thread";
import { KernelLayout, MAX_SHARED_UNITS, stagedOffset, wasmKernels } from "./load-kernels";

type Axis = "rows" | "cols" | "none";

/** Floats per chunk copied into linear memory (256 KB: stays in the L2 cache while a kernel reads it). */
const CHUNK = 65536;
/**
 * Rows a column kernel walks down at a time when it reads a staged weight in place: 8 of a wide weight (8 streams
 * from memory; measured here on 4096 columns: 16 rows took 4.9 ms of CPU for the range pass and 8.5 ms for the
 * quantization pass of 64 MB, 8 rows 3.5 and 6.9 ms), more of a narrow one (at least 16 K floats a call).
 */
const inPlaceRows = (stride: number): number => Math.max(8, Math.floor(16384 / stride));
/** The rounding trick in the kernels is exact for |w × inv| < 2^22; ask for far less. */
const MAX_SCALED = 2 ** 20;

/**
 * Row stride in linear memory for `cols` floats: a multiple of 16, plus 16 so that successive rows fall in different
 * L1 cache sets (a stride of a large power of two makes the column kernels' walk down a chunk thrash one set).
 */
const paddedStride = (cols: number): number => Math.ceil(cols / 16) * 16 + 16;

/** Rows r0…r0+count of a [rows, cols] matrix into `to` at `at` with a row stride of `stride` floats. */
function copyRows(
  w: Float32Array,
  cols: number,
  r0: number,
  count: number,
  to: Float32Array,
  at: number,
  stride: number,
): void {
  if (stride === cols) {
    to.set(w.subarray(r0 * cols, (r0 + count) * cols), at);
    return;
  }
  for (let r = 0; r < count; r++) to.set(w.subarray((r0 + r) * cols, (r0 + r + 1) * cols), at + r * stride);
}

/** Channel ranges; `end`: where the buffers of a call shared with the helper end (the quantization pass lays out its own after). */
export interface ChannelRanges {
  lo: Float32Array;
  hi: Float32Array;
  end?: number;
}

/**
 * The bands of rows of a [rows, cols] weight that a shared pass splits into: `rowsPer` rows a unit (inPlaceRows, more
 * when the units would exceed MAX_SHARED_UNITS), the last band shorter. Exported for the tests.
 */
export function rowBands(rows: number, cols: number): { rowsPer: number; units: number } {
  const rowsPer = Math.max(inPlaceRows(cols), Math.ceil(rows / MAX_SHARED_UNITS));
  return { rowsPer, units: Math.ceil(rows / rowsPer) };
}

/** The helper thread when a pass over a staged weight per column should be shared with it, else undefined. */
function sharing(at: number | undefined, rows: number, cols: number, axis: Axis): HelperThread | undefined {
  if (at === undefined || axis !== "cols" || cols % 16 !== 0 || rows * cols < PARALLEL_MIN_ELEMENTS) return undefined;
  return helperThread() && preferHelper("staged") ? helperThread() : undefined;
}

/** Per-channel [min, max] equal to the JS reference's (up to the sign of a zero, which no result depends on), or undefined (not covered, or not finite). */
export function wasmChannelRanges(w: Float32Array, rows: number, cols: number, axis: Axis): ChannelRanges | undefined {
  const k = wasmKernels();
  if (!k || w.length === 0 || (axis === "rows" && cols < 16)) return undefined;
  const at = stagedOffset(w);
  const helper = sharing(at, rows, cols, axis);
  if (helper && at !== undefined) return sharedColumnRanges(helper, at, rows, cols);
  const inPlace = at !== undefined && (axis !== "cols" || cols % 16 === 0);
  const layout = new KernelLayout(k);
  const channels = axis === "rows" ? rows : axis === "cols" ? cols : 1;
  const stride = axis === "cols" ? (inPlace ? cols : paddedStride(cols)) : 0;
  const perChunk = axis !== "cols" ? 0 : inPlace ? inPlaceRows(stride) : Math.max(1, Math.floor(CHUNK / stride));
  const slots = axis === "cols" ? stride : channels;
  const mn = layout.take(slots * 4);
  const mx = layout.take(slots * 4);
  const chunk = inPlace ? 0 : layout.take((axis === "cols" ? perChunk * stride : CHUNK) * 4);
  /** Byte offset of the floats from element `start` on: in place, or copied into the chunk by `copy`. */
  const source = (start: number, copy: () => void): number => {
    if (inPlace) return at + start * 4;
    copy();
    return chunk;
  };
  const f32 = new Float32Array(layout.commit());
  f32.fill(Infinity, mn >> 2, (mn >> 2) + slots);
  f32.fill(-Infinity, mx >> 2, (mx >> 2) + slots);
  let bad = 0;
  if (axis === "cols") {
    if (!inPlace && stride !== cols) f32.fill(0, chunk >> 2, (chunk >> 2) + perChunk * stride); // padding columns stay 0
    for (let r0 = 0; r0 < rows; r0 += perChunk) {
      const count = Math.min(perChunk, rows - r0);
      const src = source(r0 * cols, () => copyRows(w, cols, r0, count, f32, chunk >> 2, stride));
      bad |= k.minmax_cols(src, count, stride, mn, mx);
    }
  } else {
    const total = rows * cols;
    for (let start = 0; start < total; start += CHUNK) {
      const end = Math.min(total, start + CHUNK);
      const src = source(start, () => f32.set(w.subarray(start, end), chunk >> 2));
      for (let pos = start; pos < end;) {
        const ch = axis === "rows" ? Math.floor(pos / cols) : 0;
        const segEnd = axis === "rows" ? Math.min(end, (ch + 1) * cols) : end;
        bad |= k.minmax_span(src + (pos - start) * 4, segEnd - pos, mn + ch * 4, mx + ch * 4);
        pos = segEnd;
      }
    }
  }
  if (bad) return undefined;
  return { lo: f32.slice(mn >> 2, (mn >> 2) + channels), hi: f32.slice(mx >> 2, (mx >> 2) + channels) };
}

/**
 * Per-column ranges of a staged weight (cols a multiple of 16) shared with the helper: bands of rows, each thread
 * folding its bands into running ranges of its own, merged at the end with the comparisons of the JS reference.
 */
function sharedColumnRanges(helper: HelperThread, at: number, rows: number, cols: number): ChannelRanges | undefined {
  const { rowsPer, units } = rowBands(rows, cols);
  const layout = new KernelLayout(helper.kernels);
  const mn = layout.take(cols * 4);
  const mx = layout.take(cols * 4);
  const mnHelper = layout.take(cols * 4);
  const mxHelper = layout.take(cols * 4);
  const table = layout.take(units * 8);
  const buffer = layout.commit();
  const f32 = new Float32Array(buffer);
  for (const acc of [mn, mnHelper]) f32.fill(Infinity, acc >> 2, (acc >> 2) + cols);
  for (const acc of [mx, mxHelper]) f32.fill(-Infinity, acc >> 2, (acc >> 2) + cols);
  const args = new Int32Array(buffer, table, units * 2);
  for (let u = 0; u < units; u++) {
    const r0 = u * rowsPer;
    args[2 * u] = at + r0 * cols * 4;
    args[2 * u + 1] = Math.min(rowsPer, rows - r0);
  }
  if (!helper.share([2, table, 8, mn, mx, mnHelper, mxHelper, cols], units, layout.endOffset)) return undefined;
  const view = new Float32Array(layout.commit());
  const lo = view.slice(mn >> 2, (mn >> 2) + cols);
  const hi = view.slice(mx >> 2, (mx >> 2) + cols);
  for (let c = 0; c < cols; c++) {
    const l = view[(mnHelper >> 2) + c];
    const h = view[(mxHelper >> 2) + c];
    if (l < lo[c]) lo[c] = l;
    if (h > hi[c]) hi[c] = h;
  }
  return { lo, hi, end: layout.endOffset };
}

/**
 * 8-bit quantization of a staged weight (cols a multiple of 16) shared with the helper: bands of rows, the last band
 * first (the end of the range pass may still be in the last-level cache), into one buffer copied out at the end.
 */
function sharedQuantizeColumns(
  helper: HelperThread,
  at: number,
  rows: number,
  cols: number,
  from: number | undefined,
  inverse: Float32Array,
  zero: Int32Array,
  bias: number,
  lo: number,
  hi: number,
  out: Int8Array | Uint8Array,
): boolean {
  const { rowsPer, units } = rowBands(rows, cols);
  const layout = new KernelLayout(helper.kernels, from);
  const inv = layout.take(cols * 4);
  const kk = layout.take(cols * 4);
  const dst = layout.take(rows * cols);
  const table = layout.take(units * 12);
  const buffer = layout.commit();
  new Float32Array(buffer).set(inverse, inv >> 2);
  const i32 = new Int32Array(buffer);
  for (let c = 0; c < cols; c++) i32[(kk >> 2) + c] = 0x4b400000 - (zero[c] + bias);
  const args = new Int32Array(buffer, table, units * 3);
  for (let u = 0; u < units; u++) {
    const r0 = (units - 1 - u) * rowsPer;
    args.set([at + r0 * cols * 4, Math.min(rowsPer, rows - r0), dst + r0 * cols], 3 * u);
  }
  const params = [3, table, 12, 0, 0, 0, 0, cols, cols, inv, kk, lo, hi, bias ? 0x80 : 0, cols];
  if (!helper.share(params, units, layout.endOffset)) return false;
  out.set(new (out instanceof Int8Array ? Int8Array : Uint8Array)(layout.commit(), dst, rows * cols));
  return true;
}

/**
 * Writes clamp(nearest-even(fround(w × inverse[ch])) + zero[ch], qmin, qmax) into `out`, like the JS reference;
 * false when not covered (a channel whose range × inverse is not small and finite).
 */
export function wasmQuantizeRows(
  w: Float32Array,
  rows: number,
  cols: number,
  axis: Axis,
  ranges: ChannelRanges,
  inverse: Float32Array,
  zero: Int32Array,
  qmin: number,
  qmax: number,
  out: Int8Array | Uint8Array,
): boolean {
  const k = wasmKernels();
  if (!k || w.length === 0 || (axis === "rows" && cols < 16)) return false;
  const channels = inverse.length;
  for (let ch = 0; ch < channels; ch++) {
    const bound = Math.max(Math.abs(ranges.lo[ch]), Math.abs(ranges.hi[ch])) * Math.abs(inverse[ch]);
    if (!(bound < MAX_SCALED)) return false;
  }
  const bias = out instanceof Int8Array ? 128 : 0;
  const flip = bias ? 0x80 : 0;
  const lo = qmin + bias;
  const hi = qmax + bias;
  const at = stagedOffset(w);
  const helper = sharing(at, rows, cols, axis);
  if (helper && at !== undefined)
    return sharedQuantizeColumns(helper, at, rows, cols, ranges.end, inverse, zero, bias, lo, hi, out);
  const inPlace = at !== undefined && (axis !== "cols" || cols % 16 === 0);
  const layout = new KernelLayout(k);
  if (axis === "cols") {
    const stride = inPlace ? cols : paddedStride(cols);
    const perChunk = inPlace ? inPlaceRows(stride) : Math.max(1, Math.floor(CHUNK / stride));
    const inv = layout.take(stride * 4);
    const kk = layout.take(stride * 4);
    const chunk = inPlace ? 0 : layout.take(perChunk * stride * 4);
    const cols16 = Math.ceil(cols / 16) * 16;
    const dst = layout.take(perChunk * cols16);
    const buffer = layout.commit();
    const f32 = new Float32Array(buffer);
    const i32 = new Int32Array(buffer);
    f32.fill(0, inv >> 2, (inv >> 2) + stride);
    f32.set(inverse, inv >> 2);
    i32.fill(0x4b400000, kk >> 2, (kk >> 2) + stride);
    for (let c = 0; c < cols; c++) i32[(kk >> 2) + c] = 0x4b400000 - (zero[c] + bias);
    if (!inPlace) f32.fill(0, chunk >> 2, (chunk >> 2) + perChunk * stride); // padding columns stay 0
    const bytes = bias ? new Int8Array(buffer, dst, perChunk * cols16) : new Uint8Array(buffer, dst, perChunk * cols16);
    // Last chunk first: the end of the range pass may still be in the last-level cache.
    for (let r0 = Math.floor((rows - 1) / perChunk) * perChunk; r0 >= 0; r0 -= perChunk) {
      const count = Math.min(perChunk, rows - r0);
      if (!inPlace) copyRows(w, cols, r0, count, f32, chunk >> 2, stride);
      k.quant_cols(inPlace ? at + r0 * cols * 4 : chunk, count, stride, cols16, inv, kk, lo, hi, flip, dst, cols16);
      if (cols16 === cols) out.set(bytes.subarray(0, count * cols), r0 * cols);
      else for (let r = 0; r < count; r++) out.set(bytes.subarray(r * cols16, r * cols16 + cols), (r0 + r) * cols);
    }
    return true;
  }
  const chunk = inPlace ? 0 : layout.take(CHUNK * 4);
  const dst = layout.take(CHUNK);
  const buffer = layout.commit();
  const f32 = new Float32Array(buffer);
  const bytes = bias ? new Int8Array(buffer, dst, CHUNK) : new Uint8Array(buffer, dst, CHUNK);
  const total = rows * cols;
  for (let start = Math.floor((total - 1) / CHUNK) * CHUNK; start >= 0; start -= CHUNK) {
    const end = Math.min(total, start + CHUNK);
    if (!inPlace) f32.set(w.subarray(start, end), chunk >> 2);
    const src = inPlace ? at + start * 4 : chunk;
    for (let pos = start; pos < end;) {
      const ch = axis === "rows" ? Math.floor(pos / cols) : 0;
      const segEnd = axis === "rows" ? Math.min(end, (ch + 1) * cols) : end;
      k.quant_span(
        src + (pos - start) * 4,
        segEnd - pos,
        inverse[ch],
        0x4b400000 - (zero[ch] + bias),
        lo,
        hi,
        flip,
        dst + (pos - start),
      );
      pos = segEnd;
    }
    out.set(bytes.subarray(0, end - start), start);
  }
  return true;
}

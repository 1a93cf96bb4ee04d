// The 4-bit weight kernels' WebAssembly path: symmetric MatMulNBits blocks of a [K, N] weight and symmetric blocks
// along the rows of an embedding table. Each returns undefined when it does not cover the case (block size, NaN or
// infinities), and the caller in ../arithmetic.ts then runs the JS reference, which gives the same bytes where both
// apply.
// Large MatMul weights are split with the helper thread (helper-thread.ts) once it is up; the bytes are the same.
// A staged weight (load-kernels.ts stageFloats) is already in the kernels' memory, and its bands are shared with the
// helper (share: the caller never waits for it); any other is copied in a band at a time (run).
import {
  helperThread,
  PARALLEL_MIN_ELEMENTS,
  preferHelper,
  recordSplit,
  STAGED_UNIT_INTS,
  UNIT_INTS,
} from "./helper-thread";
import {
  type KernelExports,
  KernelLayout,
  MAX_SHARED_UNITS,
  stagedOffset,
  uninitialized,
  wasmKernels,
} from "./load-kernels";

/** Floats of one band of block rows copied into linear memory at a time (1 MB, within the L2 cache). */
const BAND = 262144;
/** Floats per chunk for contiguous blocks. */
const CHUNK = 65536;

const roundUp16 = (x: number): number => Math.ceil(x / 16) * 16;
/** Row stride for `cols` floats: a multiple of 16, plus 16 so that the rows of a band fall in different L1 cache sets. */
const paddedStride = (cols: number): number => roundUp16(cols) + 16;

/** One band of a column tile: `blocks` blocks of `bs` rows from row k0, columns c0…c0+width. */
interface Unit {
  c0: number;
  width: number;
  stride: number;
  kb0: number;
  blocks: number;
  rowsInBand: number;
}

/**
 * The bands, tile by tile down K: the scales of a tile's columns (4 bytes a block, kBlocks × 4 apart) stay in cache
 * from one band to the next, and each column's packed bytes are written front to back. A band spans 128 rows (whole
 * 64-byte lines of output per column for 32-row blocks) and ~1 MB.
 */
function plan(k: number, n: number, bs: number): { units: Unit[]; bandRows: number; tile: number } {
  const kBlocks = Math.ceil(k / bs);
  const perBand = Math.max(1, Math.floor(128 / bs));
  const bandRows = perBand * bs;
  const tile = Math.min(roundUp16(n), Math.max(16, Math.floor(BAND / bandRows / 16) * 16));
  const units: Unit[] = [];
  for (let c0 = 0; c0 < n; c0 += tile) {
    const width = Math.min(tile, n - c0);
    for (let kb0 = 0; kb0 < kBlocks; kb0 += perBand) {
      const blocks = Math.min(perBand, kBlocks - kb0);
      units.push({
        c0,
        width,
        stride: paddedStride(width),
        kb0,
        blocks,
        rowsInBand: Math.min(k, (kb0 + blocks) * bs) - kb0 * bs,
      });
    }
  }
  return { units, bandRows, tile };
}

/**
 * Copies a unit's rows into the band at float index `at` (row stride unit.stride). Rows past K are zeros (they
 * quantize to the zero point, as the JS reference pads them); padding columns are zeroed when `clean` is false.
 */
function stage(w: Float32Array, n: number, bs: number, u: Unit, f32: Float32Array, at: number, clean: boolean): void {
  if (!clean) f32.fill(0, at, at + u.blocks * bs * u.stride);
  for (let r = 0; r < u.rowsInBand; r++) {
    const from = (u.kb0 * bs + r) * n + u.c0;
    f32.set(w.subarray(from, from + u.width), at + r * u.stride);
  }
  if (u.rowsInBand < u.blocks * bs) f32.fill(0, at + u.rowsInBand * u.stride, at + u.blocks * bs * u.stride);
}

/**
 * Symmetric 4-bit MatMulNBits blocks ([N, kBlocks, bs/2] bytes and [N × kBlocks] scales) of a row-major [K, N] weight.
 * A staged weight is in the kernels' memory: q4_band reads its bands in place when K is a multiple of the block and N
 * of 16 (measured here on 4096 × 4096: 12.3–13.0 ms of CPU, against 15.5–17.8 ms copying each band into a slot
 * first; 8.3 ms of the 12 are the kernel's arithmetic); otherwise each thread copies its own bands into a slot of its
 * own at a padded stride, zeros past K and N (q4_unit, memory.copy). Another weight is copied in band by band by the
 * main thread.
 */
export function wasmQuantizeInt4Symmetric(
  w: Float32Array,
  k: number,
  n: number,
  bs: number,
  /** Arrays of exactly the result's sizes to copy the result into (else new ones). */
  into?: { packed: Uint8Array; scales: Float32Array },
): { packed: Uint8Array; scales: Float32Array; kBlocks: number } | undefined {
  const single = wasmKernels();
  if (!single || bs % 32 !== 0 || k === 0 || n === 0) return undefined;
  const kBlocks = Math.ceil(k / bs);
  const blob = bs / 2;
  const at = stagedOffset(w);
  const { units, bandRows, tile } = plan(k, n, bs);
  const kind = at === undefined ? "copied" : "staged";
  const inPlace = at !== undefined && k % bs === 0 && n % 16 === 0;
  const large = k * n >= PARALLEL_MIN_ELEMENTS && units.length <= MAX_SHARED_UNITS;
  const helper = large && helperThread() && preferHelper(kind) ? helperThread() : undefined;
  const started = performance.now();
  const kernels: KernelExports = helper ? helper.kernels : single;
  // Copied in by the main thread: a ring of slots both threads work from; staged: one slot per thread.
  const slots = inPlace ? 0 : at !== undefined ? (helper ? 2 : 1) : helper ? helper.slots : 1;
  const layout = new KernelLayout(kernels);
  const slotBytes = bandRows * paddedStride(tile) * 4;
  const band = layout.take(slots * slotBytes);
  const packed = layout.take(n * kBlocks * blob);
  const scales = layout.take(n * kBlocks * 4);
  const ints = at !== undefined && !inPlace ? STAGED_UNIT_INTS : UNIT_INTS;
  const table = layout.take(units.length * ints * 4);
  const buffer = layout.commit();
  const args = new Int32Array(buffer, table, units.length * ints);
  units.forEach((u, i) => {
    const out = [bs, kBlocks, u.kb0, u.blocks, packed + u.c0 * kBlocks * blob, scales + u.c0 * kBlocks * 4];
    if (inPlace) args.set([at + (u.kb0 * bs * n + u.c0) * 4, n, u.width, ...out], i * ints);
    else if (at !== undefined)
      args.set([at + (u.kb0 * bs * n + u.c0) * 4, n, u.width, ...out, u.rowsInBand, u.stride], i * ints);
    else args.set([band + (i % slots) * slotBytes, u.stride, u.width, ...out], i * ints);
  });
  let ok = true;
  if (inPlace) {
    if (helper) ok = helper.share([4, table, ints * 4], units.length, layout.endOffset);
    else
      for (let i = 0; i < units.length && ok; i++) {
        const a = args.subarray(i * ints, (i + 1) * ints);
        ok = kernels.q4_band(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]) === 1;
      }
  } else if (at !== undefined) {
    if (helper) ok = helper.share([1, table, ints * 4, band, 0, band + slotBytes], units.length, layout.endOffset);
    else for (let i = 0; i < units.length && ok; i++) ok = kernels.q4_unit(table + i * ints * 4, band) === 1;
  } else {
    const f32 = new Float32Array(buffer);
    const slotWidth: number[] = new Array<number>(slots).fill(-1);
    const stageUnit = (i: number): void => {
      const slot = i % slots;
      stage(w, n, bs, units[i], f32, (band + slot * slotBytes) >> 2, slotWidth[slot] === units[i].width);
      slotWidth[slot] = units[i].width;
    };
    if (helper) {
      ok = helper.run(table, units.length, stageUnit);
    } else {
      for (let i = 0; i < units.length && ok; i++) {
        stageUnit(i);
        const a = args.subarray(i * ints, (i + 1) * ints);
        ok = kernels.q4_band(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]) === 1;
      }
    }
  }
  if (!ok) return undefined;
  if (large && at === undefined) recordSplit(helper !== undefined, performance.now() - started, k * n);
  const view = layout.commit(); // the same buffer unless another thread grew a shared memory meanwhile
  const result = {
    packed: into?.packed ?? uninitialized(Uint8Array, n * kBlocks * blob),
    scales: into?.scales ?? uninitialized(Float32Array, n * kBlocks),
    kBlocks,
  };
  result.packed.set(new Uint8Array(view, packed, result.packed.length));
  result.scales.set(new Float32Array(view, scales, result.scales.length));
  return result;
}

/** Symmetric 4-bit blocks along the rows of a [rows, cols] table (cols a multiple of bs), as quantizeInt4Rows. */
export function wasmQuantizeInt4Rows(
  w: Float32Array,
  rows: number,
  cols: number,
  bs: number,
): { packed: Uint8Array; scales: Float32Array } | undefined {
  const kernels = wasmKernels();
  if (!kernels || bs % 16 !== 0 || cols % bs !== 0 || rows * cols === 0) return undefined;
  const blocks = (rows * cols) / bs;
  const perChunk = Math.max(1, Math.floor(CHUNK / bs));
  const at = stagedOffset(w);
  const layout = new KernelLayout(kernels);
  const chunk = at === undefined ? layout.take(perChunk * bs * 4) : 0;
  const dst = layout.take((perChunk * bs) / 2);
  const dstScales = layout.take(perChunk * 4);
  const buffer = layout.commit();
  const f32 = new Float32Array(buffer);
  const bytes = new Uint8Array(buffer, dst, (perChunk * bs) / 2);
  const blockScales = new Float32Array(buffer, dstScales, perChunk);
  const packed = uninitialized(Uint8Array, (rows * cols) / 2);
  const scales = uninitialized(Float32Array, blocks);
  for (let b0 = 0; b0 < blocks; b0 += perChunk) {
    const count = Math.min(perChunk, blocks - b0);
    if (at === undefined) f32.set(w.subarray(b0 * bs, (b0 + count) * bs), chunk >> 2);
    if (!kernels.q4_rows(at === undefined ? chunk : at + b0 * bs * 4, count, bs, dst, dstScales)) return undefined;
    packed.set(bytes.subarray(0, (count * bs) / 2), (b0 * bs) / 2);
    scales.set(blockScales.subarray(0, count), b0);
  }
  return { packed, scales };
}

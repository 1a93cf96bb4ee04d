// Loads the WebAssembly SIMD quantization kernels (kernels.wat, bytes in kernels-wasm.generated.ts) synchronously,
// once per thread, and lays out their linear memory: the scratch of both threads and the two job blocks that calls
// shared with the helper thread use (parameters and per-unit done flags) first, then the staged weight (a weight read
// straight into the kernels' memory, so they need not copy it in), then one call's buffers.
import { kernelsSharedWasmBase64, kernelsWasmBase64 } from "./kernels-wasm.generated";

export interface KernelExports {
  memory: WebAssembly.Memory;
  set_scratch(at: number): void;
  minmax_cols(src: number, rows: number, stride: number, mn: number, mx: number): number;
  minmax_span(src: number, len: number, mn: number, mx: number): number;
  quant_cols(
    src: number,
    rows: number,
    stride: number,
    cols16: number,
    inv: number,
    kk: number,
    lo: number,
    hi: number,
    flip: number,
    dst: number,
    dstStride: number,
  ): void;
  quant_span(
    src: number,
    len: number,
    inv: number,
    kk: number,
    lo: number,
    hi: number,
    flip: number,
    dst: number,
  ): void;
  q4_band(
    src: number,
    stride: number,
    nvalid: number,
    bs: number,
    kBlocks: number,
    kb0: number,
    blocks: number,
    packed: number,
    scales: number,
  ): number;
  q4_unit(args: number, slot: number): number;
  q4_rows(src: number, blocks: number, bs: number, packed: number, scales: number): number;
  run_unit(job: number, unit: number, thread: number): number;
}

/** Scratch bytes a thread's instance needs (from its set_scratch address). */
export const SCRATCH_BYTES = 1024;
/** Units a job shared with the helper thread may have (one done flag each). */
export const MAX_SHARED_UNITS = 4096;
/** Bytes of a job block: 64 bytes of parameters (run_unit's), then an i32 done flag per unit. */
export const JOB_BLOCK_BYTES = 64 + 4 * MAX_SHARED_UNITS;
/** Byte offset of job block b (0 or 1): successive shared jobs alternate between the two. */
export const jobBlock = (b: number): number => 2 * SCRATCH_BYTES + b * JOB_BLOCK_BYTES;
/** Bytes at the start of the memory: the main thread's scratch (at 0), the helper thread's, then the two job blocks. */
export const RESERVED_BYTES = 2 * SCRATCH_BYTES + 2 * JOB_BLOCK_BYTES;

/**
 * Called with the first byte a call's buffers will use before they are laid out: the helper thread (helper-thread.ts)
 * registers a guard that waits until it no longer works in memory from there on (a unit it was still finishing when
 * the call that shared it returned).
 */
let reuseGuard: (from: number) => void = () => undefined;

export function setReuseGuard(guard: (from: number) => void): void {
  reuseGuard = guard;
}
const PAGE = 65536;
/** Pages of the shared memory: 2 GB, the maximum its import in kernels.wat declares (scripts/build-wasm.ts). */
export const MAX_PAGES = 32768;

let loaded: { kernels: KernelExports; shared: boolean } | null | undefined;
let enabled = process.env.EDGE_QUANTIZE_WASM !== "0";

/**
 * The main thread's kernels, or undefined where WebAssembly SIMD is unavailable (or turned off): callers then use the
 * JS kernels. They run on a shared memory when they can: the helper thread works in the same memory, and views of a
 * shared memory stay valid when it grows (a staged weight needs that); else on a memory of their own.
 */
export function wasmKernels(): KernelExports | undefined {
  if (!enabled) return undefined;
  if (loaded === undefined) loaded = load();
  return loaded?.kernels;
}

function load(): { kernels: KernelExports; shared: boolean } | null {
  const module = sharedKernelModule();
  if (module) {
    try {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
      const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
      kernels.set_scratch(0);
      return { kernels, shared: true };
    } catch {
      // fall back to the kernels' own memory
    }
  }
  try {
    const own = new WebAssembly.Module(Buffer.from(kernelsWasmBase64, "base64"));
    return { kernels: new WebAssembly.Instance(own, {}).exports as unknown as KernelExports, shared: false };
  } catch {
    return null;
  }
}

/** The main thread's kernels when they run on the shared memory (the helper thread and staging need it), else undefined. */
export function sharedMemoryKernels(): KernelExports | undefined {
  const kernels = wasmKernels();
  return kernels && loaded?.shared ? kernels : undefined;
}

/**
 * The staged weight: `bytes` at byte `at` of the shared memory, the view handed out, and whether it is held (handed
 * out and not yet released by a quantizer's call or releaseStaged): while held, no other weight can be staged.
 */
let staged: { at: number; bytes: number; view: Float32Array; held: boolean } | undefined;

/**
 * A Float32Array of `length` floats inside the kernels' memory, for a reader to fill with a weight that the kernels
 * then read in place instead of copying it in. It stays valid (growth of the shared memory detaches nothing) and is
 * left alone by the kernels' calls until the next stageFloats call, which reuses the same bytes: a caller that needs
 * the values after that copies them. It is held from here until a quantizer's call on it returns (or releaseStaged):
 * meanwhile stageFloats returns undefined, so two readers awaiting their files at once never share the bytes.
 * Undefined also when the kernels are off, have no shared memory, or the weight and a call's buffers would not fit:
 * the caller then reads into an array of its own.
 */
export function stageFloats(length: number): Float32Array | undefined {
  if (staged?.held) return undefined;
  staged = undefined;
  const kernels = sharedMemoryKernels();
  if (!kernels || !Number.isSafeInteger(length) || length <= 0) return undefined;
  const bytes = length * 4;
  // Room after the weight for a call's buffers: its output (≤ 1 byte a float) and bands of a few MB.
  if (RESERVED_BYTES + bytes + bytes / 4 + (32 << 20) > MAX_PAGES * PAGE) return undefined;
  const layout = new KernelLayout(kernels, RESERVED_BYTES);
  layout.take(bytes);
  let buffer: ArrayBuffer | SharedArrayBuffer;
  try {
    buffer = layout.commit();
  } catch {
    return undefined; // the memory could not grow
  }
  const view = new Float32Array(buffer, RESERVED_BYTES, length);
  staged = { at: RESERVED_BYTES, bytes, view, held: true };
  return view;
}

/** Ends the hold on the staged weight when `w` is (part of) it: another weight may be staged now. */
export function releaseStaged(w: Float32Array): void {
  if (staged && stagedOffset(w) !== undefined) staged.held = false;
}

/** The byte offset in the kernels' memory of `w` when it lies in the staged weight (all of it or a part), else undefined. */
export function stagedOffset(w: Float32Array): number | undefined {
  const s = staged;
  if (!s || w.length === 0 || w.buffer !== s.view.buffer) return undefined;
  if (w.byteOffset < s.at || w.byteOffset + w.byteLength > s.at + s.bytes) return undefined;
  return w.byteOffset;
}

/** Where a call's buffers start: after both threads' scratch and the staged weight. */
function firstFree(): number {
  return staged ? Math.ceil((staged.at + staged.bytes) / 64) * 64 : RESERVED_BYTES;
}

let sharedModule: WebAssembly.Module | null | undefined;

/** The compiled variant of the kernels that imports a shared memory (for the helper thread), or undefined. */
export function sharedKernelModule(): WebAssembly.Module | undefined {
  if (!enabled) return undefined;
  if (sharedModule === undefined) {
    try {
      sharedModule = new WebAssembly.Module(Buffer.from(kernelsSharedWasmBase64, "base64"));
    } catch {
      sharedModule = null;
    }
  }
  return sharedModule ?? undefined;
}

/** Whether the kernels are turned on (EDGE_QUANTIZE_WASM=0 or setWasmKernelsEnabled(false) turn them off). */
export function wasmKernelsEnabled(): boolean {
  return enabled;
}

/** Turns the WebAssembly kernels on or off (tests and benchmarks compare both); returns the previous setting. */
export function setWasmKernelsEnabled(on: boolean): boolean {
  const before = enabled;
  enabled = on;
  return before;
}

/**
 * A typed array over memory that is not zero-filled, for results whose every element the kernels write. Freed
 * malloc memory is recycled already mapped, whereas a zero-filled new array of megabytes comes as fresh pages that
 * fault on first write (measured here: 16 MB filled in 8.8 ms that way, 2.6 ms this way, 2.3 ms into touched memory).
 */
export function uninitialized<T extends Int8Array | Uint8Array | Float32Array>(
  type: { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  const bytes = Buffer.allocUnsafeSlow(length * type.BYTES_PER_ELEMENT);
  return new type(bytes.buffer as ArrayBuffer, bytes.byteOffset, length);
}

/** Bump allocation of one call's buffers in linear memory (64-byte aligned), growing the memory to fit. */
export class KernelLayout {
  private end: number;

  /** `reserved`: the bytes before the first buffer (by default both threads' scratch and the staged weight). */
  constructor(
    private readonly kernels: KernelExports,
    reserved = firstFree(),
  ) {
    reuseGuard(reserved);
    this.end = reserved;
  }

  /** The first byte after everything taken so far (a later layout may start there, leaving these buffers alone). */
  get endOffset(): number {
    return this.end;
  }

  /** Reserves `bytes` and returns their offset. */
  take(bytes: number): number {
    const at = this.end;
    this.end = at + Math.ceil(bytes / 64) * 64;
    return at;
  }

  /** Grows the memory to hold everything taken; call before making views (growing detaches the old ones). */
  commit(): ArrayBuffer {
    const memory = this.kernels.memory;
    if (this.end > MAX_PAGES * PAGE)
      throw new RangeError(
        `quantization buffers of ${this.end} bytes exceed the kernels' ${MAX_PAGES * PAGE} bytes of memory`,
      );
    const have = memory.buffer.byteLength;
    if (this.end > have) memory.grow(Math.ceil((this.end - have) / PAGE));
    return memory.buffer;
  }
}

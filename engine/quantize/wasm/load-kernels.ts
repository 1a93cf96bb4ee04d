// Loads the WebAssembly SIMD quantization kernels (kernels.wat, bytes in kernels-wasm.generated.ts) synchronously,
// once per thread, and lays out their linear memory for a call: the kernels' scratch first, then the call's buffers.
import { kernelsSharedWasmBase64, kernelsWasmBase64 } from "./kernels-wasm.generated";

export interface KernelExports {
  memory: WebAssembly.Memory;
  set_scratch(at: number): void;
  minmax_cols(src: number, rows: number, stride: number, mn: number, mx: number): number;
  minmax_span(src: number, len: number, mn: number, mx: number): number;
  quant_cols(src: number, rows: number, stride: number, cols16: number, inv: number, kk: number, lo: number, hi: number, flip: number, dst: number, dstStride: number): void;
  quant_span(src: number, len: number, inv: number, kk: number, lo: number, hi: number, flip: number, dst: number): void;
  q4_band(src: number, stride: number, nvalid: number, bs: number, kBlocks: number, kb0: number, blocks: number, packed: number, scales: number): number;
  q4_rows(src: number, blocks: number, bs: number, packed: number, scales: number): number;
}

/** Scratch bytes a thread's instance needs (from its set_scratch address). */
export const SCRATCH_BYTES = 1024;
const PAGE = 65536;

let loaded: KernelExports | null | undefined;
let enabled = process.env.EDGE_QUANTIZE_WASM !== "0";

/** The kernels, or undefined where WebAssembly SIMD is unavailable (or turned off): callers then use the JS kernels. */
export function wasmKernels(): KernelExports | undefined {
  if (!enabled) return undefined;
  if (loaded === undefined) {
    try {
      const module = new WebAssembly.Module(Buffer.from(kernelsWasmBase64, "base64"));
      loaded = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
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

  /** `reserved`: the bytes before the first buffer (the scratch of every thread using the memory). */
  constructor(private readonly kernels: KernelExports, reserved = SCRATCH_BYTES) {
    this.end = reserved;
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
    if (this.end > 2 ** 32 - PAGE) throw new RangeError(`quantization buffers of ${this.end} bytes exceed WebAssembly's 4 GB`);
    const have = memory.buffer.byteLength;
    if (this.end > have) memory.grow(Math.ceil((this.end - have) / PAGE));
    return memory.buffer;
  }
}

// bench:quantize kernels — weight quantization throughput against a Buffer copy of the same bytes, in the same run:
// int8 symmetric per-channel (the columns of a MatMul B) and int4 symmetric block-32 (MatMulNBits) on a 4096 × 4096
// float32 weight (64 MB). The weight is where the engine's reader puts it (readFloatTensor reads a float32 weight
// from the file straight into stageWeight's array in the kernels' memory); the time is the quantizer's call on it,
// results returned in arrays of their own. Median of the repetitions after warm-up; goal ≥ 0.40 of the copy's
// bandwidth for both. Also printed: the same calls on a weight in an ordinary Float32Array (copied in by the kernels).
// Usage: node --import tsx bench/quantize-kernels.ts [--reps N] [--js] [--helper always|never]
// (--js: the JS fallback; --helper: force the int4 helper thread on or off instead of the measured choice)
import { pathToFileURL } from "node:url";
import { quantizeInt4, quantizeInt8, setWasmKernelsEnabled, stageWeight } from "../engine/quantize/kernels/arithmetic";
import { setHelperThreadMode, waitForHelperThread } from "../engine/quantize/kernels/wasm/helper-thread";

const K = 4096;
const N = 4096;
const GOAL = 0.4;

export interface KernelFigures {
  memcpyGBs: number;
  int8GBs: number;
  int4GBs: number;
  int8Ratio: number;
  int4Ratio: number;
  /** Whether the weight was staged in the kernels' memory, as the engine's reader leaves it. */
  staged: boolean;
}

/** A deterministic weight with a spread of magnitudes per column and some exact ties and zeros. */
function makeWeight(): Float32Array {
  const w = new Float32Array(K * N);
  let s = 0x9e3779b9;
  for (let i = 0; i < w.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    w[i] = ((s >>> 8) / 2 ** 24 - 0.5) * (1 + (i % 13) / 4);
  }
  for (let i = 0; i < w.length; i += 97) w[i] = 0;
  return w;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function timeMs(f: () => unknown): number {
  const start = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export interface KernelTimes {
  copyMs: number[];
  int8Ms: number[];
  int4Ms: number[];
  bytes: number;
  /** Whether the weight was staged in the kernels' memory (false: the kernels are off, or `staged` was false). */
  staged: boolean;
}

/**
 * Per-repetition times (ms) of the copy and the two kernels, interleaved so that load on the machine hits all three.
 * `staged`: the weight in stageWeight's array, as readFloatTensor leaves it (else in an ordinary Float32Array).
 */
export function timeKernels(reps = 9, warmup = 2, staged = true): KernelTimes {
  const made = makeWeight();
  const stagedWeight = staged ? stageWeight(made.length) : undefined;
  stagedWeight?.set(made);
  const w = stagedWeight ?? made;
  const src = Buffer.from(made.buffer, made.byteOffset, made.byteLength);
  const dst = Buffer.alloc(src.length, 1); // touched, so the copy does not pay for page faults
  const int8 = (): unknown => quantizeInt8(w, K, N, { channelAxis: "cols", symmetric: true, type: "int8" });
  const int4 = (): unknown => quantizeInt4(w, K, N, { blockSize: 32, symmetric: true });
  const copy = (): unknown => src.copy(dst);
  waitForHelperThread(); // it starts on first use and is used once up; here it is up from the start
  for (let i = 0; i < warmup; i++) {
    copy();
    int8();
    int4();
  }
  const copyMs: number[] = [];
  const int8Ms: number[] = [];
  const int4Ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    copyMs.push(timeMs(copy));
    int8Ms.push(timeMs(int8));
    int4Ms.push(timeMs(int4));
  }
  return { copyMs, int8Ms, int4Ms, bytes: w.byteLength, staged: stagedWeight !== undefined };
}

/** Throughput in GB/s of float32 weight bytes (medians of ≥ 7 repetitions) and the kernels' ratios to the copy. */
export async function measureKernels(reps = 9): Promise<KernelFigures> {
  const t = timeKernels(Math.max(7, reps));
  const gbs = (ms: number): number => t.bytes / (ms / 1e3) / 1e9;
  const memcpyGBs = gbs(median(t.copyMs));
  const int8GBs = gbs(median(t.int8Ms));
  const int4GBs = gbs(median(t.int4Ms));
  return {
    memcpyGBs,
    int8GBs,
    int4GBs,
    int8Ratio: int8GBs / memcpyGBs,
    int4Ratio: int4GBs / memcpyGBs,
    staged: t.staged,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const i = process.argv.indexOf("--reps");
  const reps = Math.max(7, i >= 0 ? Number(process.argv[i + 1]) : 9);
  if (process.argv.includes("--js")) setWasmKernelsEnabled(false);
  const h = process.argv.indexOf("--helper");
  if (h >= 0) setHelperThreadMode(process.argv[h + 1] === "never" ? "never" : "always");
  const js = process.argv.includes("--js");
  const helper =
    h >= 0
      ? `int4 helper thread ${process.argv[h + 1] === "never" ? "off" : "always"}`
      : "int4 helper thread by measured choice";
  console.log(
    `4096 × 4096 float32 (${((K * N * 4) / 1e6).toFixed(0)} MB), ${reps} repetitions, ${js ? "JS kernels" : helper}`,
  );
  const report = (t: KernelTimes, what: string): void => {
    const gbs = (ms: number): number => t.bytes / (ms / 1e3) / 1e9;
    const line = (name: string, ms: number[]): string =>
      `  ${name.padEnd(6)} median ${median(ms).toFixed(2)} ms = ${gbs(median(ms)).toFixed(2)} GB/s (best ${gbs(Math.min(...ms)).toFixed(2)}, ` +
      `worst ${gbs(Math.max(...ms)).toFixed(2)})`;
    console.log(what);
    console.log(line("copy", t.copyMs));
    console.log(line("int8", t.int8Ms));
    console.log(line("int4", t.int4Ms));
    const ratios = t.copyMs.map((c, r) => [c / t.int8Ms[r], c / t.int4Ms[r]]);
    console.log(
      `  per repetition (int8, int4 ratio): ${ratios.map(([a, b]) => `${a.toFixed(2)}/${b.toFixed(2)}`).join(" ")}`,
    );
  };
  const copied = timeKernels(reps, 2, false);
  report(copied, "weight in an ordinary Float32Array (the kernels copy it into their memory as they go):");
  const t = timeKernels(reps);
  report(
    t,
    t.staged
      ? "weight staged in the kernels' memory, where readFloatTensor reads it (the figures the goal counts):"
      : "weight in an ordinary Float32Array (staging unavailable):",
  );
  const int8Ratio = median(t.copyMs) / median(t.int8Ms);
  const int4Ratio = median(t.copyMs) / median(t.int4Ms);
  console.log(
    `quantize-kernels: int8 ${int8Ratio.toFixed(2)}× and int4 ${int4Ratio.toFixed(2)}× of memcpy bandwidth (goal ≥ ${GOAL.toFixed(2)})`,
  );
}

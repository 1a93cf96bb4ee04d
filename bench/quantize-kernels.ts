// bench:quantize kernels — weight quantization throughput against a Buffer copy of the same bytes, in the same run and
// under the same condition: int8 symmetric per-channel (the columns of a MatMul B) and int4 symmetric block-32
// (MatMulNBits) on a 4096 × 4096 float32 weight (64 MB). Two conditions: idle (whatever else the machine runs), and
// busy, with a child process spinning (`node -e "for(;;){}"`) to take one core, killed afterwards; they alternate for
// a few rounds and each condition's ratios are medians over its repetitions. The weight is where the engine's reader
// puts it (readFloatTensor reads a float32 weight from the file straight into stageWeight's array in the kernels'
// memory); the time is the quantizer's call on it, its results written into arrays reused call after call (as the
// engine's methods do, and as the copy's target is). Goals: ≥ 0.40 of the copy's bandwidth idle and ≥ 0.25 busy, for
// both. Run alone it also prints, idle, the same calls on a weight in an ordinary Float32Array (copied in by the
// kernels).
// Usage: node --import tsx bench/quantize-kernels.ts [--reps N] [--rounds N] [--pin CPU] [--js] [--helper always|never]
// (--pin: pin the busy child to that CPU with taskset; --js: the JS fallback; --helper: force the helper thread on or off)
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { quantizeInt4, quantizeInt8, setWasmKernelsEnabled, stageWeight } from "../engine/quantize/kernels/arithmetic";
import { setHelperThreadMode, waitForHelperThread } from "../engine/quantize/kernels/wasm/helper-thread";

const K = 4096;
const N = 4096;
export const GOAL_IDLE = 0.4;
export const GOAL_BUSY = 0.25;

export type Condition = "idle" | "busy";

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

let weight: Float32Array | undefined;

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
  const made = (weight ??= makeWeight());
  const stagedWeight = staged ? stageWeight(made.length) : undefined;
  stagedWeight?.set(made);
  const w = stagedWeight ?? made;
  const src = Buffer.from(made.buffer, made.byteOffset, made.byteLength);
  const dst = Buffer.alloc(src.length, 1); // touched, so the copy does not pay for page faults
  // Into output arrays touched once, as the engine's methods quantize weight after weight (kernelOutput).
  const int8Out = new Int8Array(K * N).fill(1);
  const int8 = (): unknown =>
    quantizeInt8(w, K, N, { channelAxis: "cols", symmetric: true, type: "int8", into: int8Out });
  const int4Into = { packed: new Uint8Array((K * N) / 2).fill(1), scales: new Float32Array((K * N) / 32).fill(1) };
  const int4 = (): unknown => quantizeInt4(w, K, N, { blockSize: 32, symmetric: true, into: int4Into });
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

/** Throughput in GB/s of float32 weight bytes (medians) and the kernels' ratios to the copy. */
export function figures(t: KernelTimes): KernelFigures {
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

/**
 * Starts a child process that spins on one core (pinned to `cpu` with taskset when given) and resolves once it has
 * run for a moment; kill it with stopBusy. The child is killed when this process exits, too.
 */
export async function startBusy(cpu?: number): Promise<ChildProcess> {
  const spin = [process.execPath, "-e", "for(;;){}"];
  const [command, ...args] = cpu === undefined ? spin : ["taskset", "-c", String(cpu), ...spin];
  const child = spawn(command, args, { stdio: "ignore" });
  const kill = (): void => void child.kill("SIGKILL");
  process.once("exit", kill);
  child.once("exit", () => process.off("exit", kill));
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("spawn", () => resolve());
  });
  await new Promise((resolve) => setTimeout(resolve, 300)); // past node's start-up, into the loop
  if (child.exitCode !== null) throw new Error(`the busy child exited at once (${child.exitCode})`);
  return child;
}

export async function stopBusy(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

/** The CPU time (s) a process has used, from /proc (undefined where there is none): shows the busy child did spin. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // after the command name, field 3 on
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s on Linux
  } catch {
    return undefined;
  }
}

export interface ConditionTimes {
  idle: KernelTimes;
  busy: KernelTimes;
  /** Wall seconds under load and the busy child's CPU seconds over them (≈ 1 when it held a core throughout). */
  busyWallS: number;
  busyCpuS: number | undefined;
}

const join = (a: KernelTimes, b: KernelTimes): KernelTimes => ({
  copyMs: [...a.copyMs, ...b.copyMs],
  int8Ms: [...a.int8Ms, ...b.int8Ms],
  int4Ms: [...a.int4Ms, ...b.int4Ms],
  bytes: a.bytes,
  staged: a.staged && b.staged,
});

/**
 * Times the kernels idle and with one core busy, alternating for `rounds` rounds of `reps` repetitions each (the
 * machine's own load drifts; alternating spreads it over both conditions).
 */
export async function timeConditions(reps = 7, rounds = 2, pin?: number, staged = true): Promise<ConditionTimes> {
  let idle: KernelTimes | undefined;
  let busy: KernelTimes | undefined;
  let busyWallS = 0;
  let busyCpuS: number | undefined = 0;
  for (let round = 0; round < rounds; round++) {
    const i = timeKernels(reps, 2, staged);
    idle = idle ? join(idle, i) : i;
    const child = await startBusy(pin);
    const cpu0 = cpuSeconds(child.pid);
    const started = performance.now();
    try {
      const b = timeKernels(reps, 2, staged);
      busy = busy ? join(busy, b) : b;
    } finally {
      busyWallS += (performance.now() - started) / 1e3;
      const cpu1 = cpuSeconds(child.pid);
      busyCpuS =
        busyCpuS !== undefined && cpu0 !== undefined && cpu1 !== undefined ? busyCpuS + cpu1 - cpu0 : undefined;
      await stopBusy(child);
    }
  }
  return { idle: idle!, busy: busy!, busyWallS, busyCpuS };
}

/** Idle and busy figures (medians of ≥ 7 repetitions a condition), for bench:quantize. */
export async function measureKernels(
  reps = 7,
  rounds = 2,
): Promise<{ idle: KernelFigures; busy: KernelFigures; busyShare: number | undefined }> {
  const t = await timeConditions(Math.max(4, reps), rounds);
  return {
    idle: figures(t.idle),
    busy: figures(t.busy),
    busyShare: t.busyCpuS === undefined ? undefined : t.busyCpuS / t.busyWallS,
  };
}

/** One line of figures: memcpy, int8 and int4 throughput and ratios. */
export function kernelLine(f: KernelFigures): string {
  return (
    `memcpy ${f.memcpyGBs.toFixed(2)} GB/s; int8 per-channel ${f.int8GBs.toFixed(2)} GB/s (${f.int8Ratio.toFixed(2)}×); ` +
    `int4 block 32 ${f.int4GBs.toFixed(2)} GB/s (${f.int4Ratio.toFixed(2)}×)`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const option = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const reps = Math.max(4, Number(option("--reps") ?? 7));
  const rounds = Math.max(1, Number(option("--rounds") ?? 2));
  const pin = option("--pin") === undefined ? undefined : Number(option("--pin"));
  const js = process.argv.includes("--js");
  if (js) setWasmKernelsEnabled(false);
  const h = option("--helper");
  if (h !== undefined) setHelperThreadMode(h === "never" ? "never" : "always");
  const helper = h !== undefined ? `helper thread ${h === "never" ? "off" : "always"}` : "helper thread by default";
  console.log(
    `4096 × 4096 float32 (${((K * N * 4) / 1e6).toFixed(0)} MB), ${rounds} round(s) of ${reps} repetitions a condition, ` +
      `${js ? "JS kernels" : helper}; busy: a spinning child process${pin === undefined ? "" : ` pinned to CPU ${pin}`}`,
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
  report(timeKernels(reps, 2, false), "idle, weight in an ordinary Float32Array (the kernels copy it in as they go):");
  const t = await timeConditions(reps, rounds, pin);
  const where = t.idle.staged
    ? "weight staged in the kernels' memory, where readFloatTensor reads it"
    : "weight in an ordinary Float32Array (staging unavailable)";
  report(t.idle, `idle, ${where}:`);
  report(t.busy, `one core busy, ${where}:`);
  if (t.busyCpuS !== undefined)
    console.log(`  the busy child used ${(t.busyCpuS / t.busyWallS).toFixed(2)} of a core while the kernels ran`);
  const idle = figures(t.idle);
  const busy = figures(t.busy);
  console.log(
    `quantize-kernels: idle int8 ${idle.int8Ratio.toFixed(2)}× and int4 ${idle.int4Ratio.toFixed(2)}× of memcpy (goal ≥ ${GOAL_IDLE.toFixed(2)}); ` +
      `one core busy int8 ${busy.int8Ratio.toFixed(2)}× and int4 ${busy.int4Ratio.toFixed(2)}× (goal ≥ ${GOAL_BUSY.toFixed(2)})`,
  );
}

// The helper thread of the 4-bit kernels: a worker_threads Worker with its own instance of the kernels on the main
// thread's shared WebAssembly memory. Bands of a staged weight are in that memory already; otherwise only the main
// thread can read the caller's Float32Array, so it copies bands into a ring of slots in the shared memory while both
// threads run q4_band on ready bands (claimed through an atomic counter);
// each band writes its own part of the output, so the bytes are those of the single-threaded path. The call stays
// synchronous (Atomics.wait). The worker starts on first use and is used once it is up; it never keeps the process alive.
import { Worker } from "node:worker_threads";
import {
  type KernelExports,
  SCRATCH_BYTES,
  sharedKernelModule,
  sharedMemoryKernels,
  wasmKernelsEnabled,
} from "./load-kernels";

/** Weights smaller than this (in elements) are done on the main thread alone. */
export const PARALLEL_MIN_ELEMENTS = 1 << 20;
/** Band slots in the ring. */
const SLOTS = 4;
/** Int32 arguments a unit has in the unit table (the q4_band arguments). */
export const UNIT_INTS = 9;
/** Int32 arguments of a unit of a staged weight (q4_unit's). */
export const STAGED_UNIT_INTS = 11;
/** A call that makes no progress for this long gives up on the helper (and the caller falls back to JS). */
const STALL_MS = 10_000;

// Control words (Int32Array over a SharedArrayBuffer).
const READY = 0;
const JOB = 1;
const DONE = 2;
const STAGED = 3;
const CLAIM = 4;
const FINISHED = 5;
const FAILED = 6;
const UNITS = 7;
const TABLE = 8;
/** 1: a staged weight, each thread copying its own units into its slot (WORKER_SLOT: the helper's); 0: copied in by the main thread. */
const KIND = 9;
const WORKER_SLOT = 10;
/** SLOT + s: the last unit finished in slot s (a slot takes unit u once unit u − SLOTS is finished). */
const SLOT = 16;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, ctrl, scratch, slots, unitInts } = workerData;
const c = new Int32Array(ctrl);
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
k.set_scratch(scratch);
Atomics.store(c, ${READY}, 1);
Atomics.notify(c, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(c, ${JOB}, seen);
  const job = Atomics.load(c, ${JOB});
  if (job === seen) continue;
  seen = job;
  const units = Atomics.load(c, ${UNITS});
  const table = Atomics.load(c, ${TABLE});
  if (Atomics.load(c, ${KIND}) === 1) {
    const slot = Atomics.load(c, ${WORKER_SLOT});
    for (;;) {
      const u = Atomics.add(c, ${CLAIM}, 1);
      if (u >= units) break;
      if (k.q4_unit(table + u * 4 * ${STAGED_UNIT_INTS}, slot) !== 1) Atomics.store(c, ${FAILED}, 1);
      Atomics.add(c, ${FINISHED}, 1);
      Atomics.notify(c, ${FINISHED});
    }
  } else for (;;) {
    const u = Atomics.add(c, ${CLAIM}, 1);
    if (u >= units) break;
    for (let s = Atomics.load(c, ${STAGED}); s <= u; s = Atomics.load(c, ${STAGED})) Atomics.wait(c, ${STAGED}, s, 50);
    const a = new Int32Array(memory.buffer, table + u * 4 * unitInts, unitInts);
    if (k.q4_band(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]) !== 1) Atomics.store(c, ${FAILED}, 1);
    Atomics.store(c, ${SLOT} + (u % slots), u);
    Atomics.notify(c, ${SLOT} + (u % slots));
    Atomics.add(c, ${FINISHED}, 1);
    Atomics.notify(c, ${FINISHED});
  }
  Atomics.store(c, ${DONE}, job);
  Atomics.notify(c, ${DONE});
}
`;

export interface HelperThread {
  /** The main thread's instance on the shared memory (scratch at 0; the worker's follows). */
  kernels: KernelExports;
  slots: number;
  /**
   * Runs the `units` q4_band calls whose arguments are at byte `table` of the shared memory, unit i in slot i % slots;
   * `stage(i)` makes unit i's band ready (copies it into its slot, or nothing when it is read in place). False when a
   * band was not finite or the helper stalled.
   */
  run(table: number, units: number, stage: (i: number) => void): boolean;
  /**
   * Runs the `units` q4_unit calls (a staged weight) whose arguments are at byte `table`: both threads claim units
   * and copy each into a slot of their own (`mainSlot`, `workerSlot`). False as for run.
   */
  runStaged(table: number, units: number, mainSlot: number, workerSlot: number): boolean;
}

interface State {
  worker: Worker;
  ctrl: Int32Array;
  helper: HelperThread;
  ready: boolean;
  broken: boolean;
}

let state: State | null | undefined;

function start(): State | null {
  const module = sharedKernelModule();
  const kernels = sharedMemoryKernels();
  if (!module || !kernels) return null;
  try {
    const memory = kernels.memory;
    const ctrl = new Int32Array(new SharedArrayBuffer(64 * 4));
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module, memory, ctrl: ctrl.buffer, scratch: SCRATCH_BYTES, slots: SLOTS, unitInts: UNIT_INTS },
    });
    worker.unref();
    const s: State = { worker, ctrl, ready: false, broken: false, helper: undefined as unknown as HelperThread };
    worker.on("error", () => (s.broken = true));
    worker.on("exit", () => (s.broken = true));
    s.helper = {
      kernels,
      slots: SLOTS,
      run: (table, units, stage) => run(s, table, units, stage),
      runStaged: (table, units, mainSlot, workerSlot) => runStaged(s, table, units, mainSlot, workerSlot),
    };
    return s;
  } catch {
    return null;
  }
}

/** The helper thread if it is up (starting it on first use without waiting), else undefined. */
export function helperThread(): HelperThread | undefined {
  if (!wasmKernelsEnabled() || process.env.EDGE_QUANTIZE_THREADS === "0") return undefined;
  if (state === undefined) state = start();
  if (!state || state.broken) return undefined;
  if (!state.ready) state.ready = Atomics.load(state.ctrl, READY) === 1;
  return state.ready ? state.helper : undefined;
}

/**
 * Whether to split the next call with the helper thread: it pays on an idle machine and costs on a busy one (the
 * other core taken, every hand-over waits for a time slice), and both give the same bytes, so the choice follows
 * the measured time per element of each way (each tried first, the slower one tried again every 16th call). A staged
 * weight (read in place) and a copied one differ in cost, so each kind of input has its own figures.
 */
export type InputKind = "staged" | "copied";
const perElementNs: Record<InputKind, { single: number; helper: number; choices: number }> = {
  staged: { single: NaN, helper: NaN, choices: 0 },
  copied: { single: NaN, helper: NaN, choices: 0 },
};

let mode: "auto" | "always" | "never" = "auto";

/** "always" or "never" overrides the measured choice (tests and benchmarks); returns the previous mode. */
export function setHelperThreadMode(next: "auto" | "always" | "never"): "auto" | "always" | "never" {
  const before = mode;
  mode = next;
  return before;
}

export function preferHelper(kind: InputKind): boolean {
  if (mode !== "auto") return mode === "always";
  const f = perElementNs[kind];
  f.choices++;
  if (Number.isNaN(f.helper)) return true;
  if (Number.isNaN(f.single)) return false;
  const helperFaster = f.helper <= f.single;
  return f.choices % 16 === 0 ? !helperFaster : helperFaster;
}

/** Records how long a call took (ms) for `elements` weights of a kind of input, with or without the helper. */
export function recordSplit(kind: InputKind, withHelper: boolean, ms: number, elements: number): void {
  const f = perElementNs[kind];
  const key = withHelper ? "helper" : "single";
  const ns = (ms * 1e6) / elements;
  f[key] = Number.isNaN(f[key]) ? ns : 0.6 * f[key] + 0.4 * ns;
}

/** Starts the helper thread and waits (up to timeoutMs) until it is up: for benchmarks and tests. */
export function waitForHelperThread(timeoutMs = 5000): boolean {
  helperThread();
  if (!state || state.broken) return false;
  Atomics.wait(state.ctrl, READY, 0, timeoutMs);
  return helperThread() !== undefined;
}

/** Starts a job: resets the counters, then wakes the worker. Returns the job's number. */
function startJob(c: Int32Array, table: number, units: number, kind: number, workerSlot: number): number {
  Atomics.store(c, STAGED, 0);
  Atomics.store(c, CLAIM, 0);
  Atomics.store(c, FINISHED, 0);
  Atomics.store(c, FAILED, 0);
  Atomics.store(c, UNITS, units);
  Atomics.store(c, TABLE, table);
  Atomics.store(c, KIND, kind);
  Atomics.store(c, WORKER_SLOT, workerSlot);
  for (let slot = 0; slot < SLOTS; slot++) Atomics.store(c, SLOT + slot, slot - SLOTS);
  const job = Atomics.add(c, JOB, 1) + 1;
  Atomics.notify(c, JOB);
  return job;
}

/** Waits until every unit is finished and the worker is back waiting for a job; false when a unit failed or it stalled. */
function finishJob(s: State, job: number, units: number, since: number): boolean {
  const c = s.ctrl;
  let lastProgress = since;
  const stalled = (): boolean => {
    if (performance.now() - lastProgress < STALL_MS) return false;
    s.broken = true; // the worker may still write into the shared memory: never use it again
    return true;
  };
  for (let done = Atomics.load(c, FINISHED); done < units; done = Atomics.load(c, FINISHED)) {
    if (Atomics.wait(c, FINISHED, done, 50) !== "timed-out") lastProgress = performance.now();
    if (stalled()) return false;
  }
  // The worker must be back waiting for a job before the next call resets the counters.
  for (let d = Atomics.load(c, DONE); d !== job; d = Atomics.load(c, DONE)) {
    Atomics.wait(c, DONE, d, 50);
    if (stalled()) return false;
  }
  return Atomics.load(c, FAILED) === 0;
}

function runStaged(s: State, table: number, units: number, mainSlot: number, workerSlot: number): boolean {
  const c = s.ctrl;
  const job = startJob(c, table, units, 1, workerSlot);
  for (;;) {
    const u = Atomics.add(c, CLAIM, 1);
    if (u >= units) break;
    if (s.helper.kernels.q4_unit(table + u * 4 * STAGED_UNIT_INTS, mainSlot) !== 1) Atomics.store(c, FAILED, 1);
    Atomics.add(c, FINISHED, 1);
  }
  return finishJob(s, job, units, performance.now());
}

function run(s: State, table: number, units: number, stage: (i: number) => void): boolean {
  const c = s.ctrl;
  const k = s.helper.kernels;
  const job = startJob(c, table, units, 0, 0);
  let lastProgress = performance.now();
  const stalled = (): boolean => {
    if (performance.now() - lastProgress < STALL_MS) return false;
    s.broken = true; // the worker may still write into the shared memory: never use it again
    return true;
  };
  /** Runs one staged, unclaimed unit on this thread; false when there is none. */
  const runOne = (): boolean => {
    for (;;) {
      const u = Atomics.load(c, CLAIM);
      if (u >= units || u >= Atomics.load(c, STAGED)) return false;
      if (Atomics.compareExchange(c, CLAIM, u, u + 1) !== u) continue;
      const a = new Int32Array(k.memory.buffer, table + u * 4 * UNIT_INTS, UNIT_INTS);
      if (k.q4_band(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]) !== 1) Atomics.store(c, FAILED, 1);
      Atomics.store(c, SLOT + (u % SLOTS), u);
      Atomics.add(c, FINISHED, 1);
      return true;
    }
  };
  for (let u = 0; u < units; u++) {
    const slot = SLOT + (u % SLOTS);
    for (let last = Atomics.load(c, slot); last !== u - SLOTS; last = Atomics.load(c, slot)) {
      if (runOne()) continue;
      if (Atomics.wait(c, slot, last, 50) !== "timed-out") lastProgress = performance.now();
      if (stalled()) return false;
    }
    stage(u);
    Atomics.store(c, STAGED, u + 1);
    Atomics.notify(c, STAGED);
    lastProgress = performance.now();
  }
  while (runOne());
  return finishJob(s, job, units, lastProgress);
}

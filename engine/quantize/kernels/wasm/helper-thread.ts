// The helper thread of the kernels: a worker_threads Worker with its own instance of the kernels on the main
// thread's shared WebAssembly memory. Two ways to split a call with it:
// - share(): the units of a job (4-bit bands of a staged weight, bands of rows of an 8-bit weight's range and
//   quantization passes) are claimed one at a time through an atomic counter by both threads, the calling thread
//   included. The caller never waits for the helper: once no unit is left to claim, it does itself any unit the
//   helper has claimed but not finished (every unit writes only its own outputs, so a unit done twice writes the
//   same bytes) and returns. On a machine whose other core is busy the helper may sit descheduled in the middle of
//   a unit for a time slice or more; the call then costs the caller one unit more, not the wait. A later call waits
//   for that unit only before it reuses the memory the helper was writing (setReuseGuard), and successive jobs
//   alternate between two job blocks, so a job can start while the helper finishes a unit of the one before.
// - run(): a weight not in the shared memory is copied in band by band by the main thread into a ring of slots while
//   both threads quantize ready bands; it waits for the helper's bands (used only when measuring says it pays).
// The calls stay synchronous (Atomics.wait, never a spin). The worker starts on first use and is used once it is up;
// it never keeps the process alive.
import { Worker } from "node:worker_threads";
import {
  jobBlock,
  type KernelExports,
  MAX_SHARED_UNITS,
  SCRATCH_BYTES,
  setReuseGuard,
  sharedKernelModule,
  sharedMemoryKernels,
  wasmKernelsEnabled,
} from "./load-kernels";

/** Weights smaller than this (in elements) are done on the main thread alone. */
export const PARALLEL_MIN_ELEMENTS = 1 << 20;
/** Band slots in the ring of run(). */
const SLOTS = 4;
/** Int32 arguments a unit has in the unit table of run() (the q4_band arguments). */
export const UNIT_INTS = 9;
/** Int32 arguments of a unit of a staged weight (q4_unit's). */
export const STAGED_UNIT_INTS = 11;
/** A call that makes no progress for this long gives up on the helper (and the caller falls back to JS). */
const STALL_MS = 10_000;

// Control words (Int32Array over a SharedArrayBuffer).
const READY = 0;
/** The number of the latest job; the worker waits on it. */
const JOB = 1;
/** The number of the last job the worker left. */
const DONE = 2;
/** The job the worker is in (0: none); it stores it before looking at the job and checks JOB again. */
const ACTIVE = 3;
// run()'s words.
const STAGED = 4;
const CLAIM = 5;
const FINISHED = 6;
const FAILED = 7;
const UNITS = 8;
const TABLE = 9;
/** Per job block b (job number & 1), from BLOCKS + 4b: its kind (1: shared, 0: run()), claim counter, failure, units. */
const BLOCKS = 12;
const B_KIND = 0;
const B_CLAIM = 1;
const B_FAILED = 2;
const B_UNITS = 3;
/**
 * Tests: 1: the next shared job waits until the worker has claimed a unit, and the worker then stops on it (2) as if
 * descheduled in the middle of it, until this is set back to 0.
 */
const PAUSE = 11;
/** SLOT + s: the last unit finished in slot s of run()'s ring (a slot takes unit u once unit u − SLOTS is finished). */
const SLOT = 24;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, ctrl, scratch, slots, unitInts, blocks } = workerData;
const c = new Int32Array(ctrl);
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
k.set_scratch(scratch);
Atomics.store(c, ${READY}, 1);
Atomics.notify(c, ${READY});
function shared(b, at) {
  const units = Atomics.load(c, b + ${B_UNITS});
  const flags = new Int32Array(memory.buffer, at + 64, units);
  for (;;) {
    const u = Atomics.add(c, b + ${B_CLAIM}, 1);
    if (u >= units) return;
    if (Atomics.compareExchange(c, ${PAUSE}, 1, 2) === 1) Atomics.notify(c, ${PAUSE});
    while (Atomics.load(c, ${PAUSE}) === 2) Atomics.wait(c, ${PAUSE}, 2);
    if (k.run_unit(at, u, 1) !== 1) Atomics.store(c, b + ${B_FAILED}, 1);
    Atomics.store(flags, u, 1);
  }
}
function copied() {
  const units = Atomics.load(c, ${UNITS});
  const table = Atomics.load(c, ${TABLE});
  for (;;) {
    const u = Atomics.add(c, ${CLAIM}, 1);
    if (u >= units) return;
    for (let s = Atomics.load(c, ${STAGED}); s <= u; s = Atomics.load(c, ${STAGED})) Atomics.wait(c, ${STAGED}, s, 50);
    const a = new Int32Array(memory.buffer, table + u * 4 * unitInts, unitInts);
    if (k.q4_band(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]) !== 1) Atomics.store(c, ${FAILED}, 1);
    Atomics.store(c, ${SLOT} + (u % slots), u);
    Atomics.notify(c, ${SLOT} + (u % slots));
    Atomics.add(c, ${FINISHED}, 1);
    Atomics.notify(c, ${FINISHED});
  }
}
let seen = 0;
for (;;) {
  Atomics.wait(c, ${JOB}, seen);
  const job = Atomics.load(c, ${JOB});
  if (job === seen) continue;
  seen = job;
  Atomics.store(c, ${ACTIVE}, job);
  // A job already followed by another is left alone: its caller has done (or is doing) every unit.
  if (Atomics.load(c, ${JOB}) === job) {
    const b = ${BLOCKS} + (job & 1) * 4;
    if (Atomics.load(c, b + ${B_KIND}) === 1) shared(b, blocks[job & 1]);
    else copied();
  }
  Atomics.store(c, ${ACTIVE}, 0);
  Atomics.store(c, ${DONE}, job);
  Atomics.notify(c, ${ACTIVE});
  Atomics.notify(c, ${DONE});
}
`;

export interface HelperThread {
  /** The main thread's instance on the shared memory (scratch at 0; the worker's follows). */
  kernels: KernelExports;
  slots: number;
  /**
   * Runs the `units` q4_band calls whose arguments are at byte `table` of the shared memory, unit i in slot i % slots;
   * `stage(i)` makes unit i's band ready (copies it into its slot). False when a band was not finite or the helper
   * stalled.
   */
  run(table: number, units: number, stage: (i: number) => void): boolean;
  /**
   * Runs the `units` run_unit calls of a job whose 16 parameter words are `params` (kernels.wat run_unit: thread 0 is
   * this thread, 1 the helper) with the helper, as described at the top of this file; `end` is the first byte after
   * the buffers the units write (the caller's layout), which the helper may still write after the call returns.
   * False when a unit found a value that is not finite. At most MAX_SHARED_UNITS units.
   */
  share(params: readonly number[], units: number, end: number): boolean;
}

interface State {
  worker: Worker;
  ctrl: Int32Array;
  helper: HelperThread;
  ready: boolean;
  broken: boolean;
  /** The end of the memory a shared job's units write, while the helper may still be in one (0: nowhere). */
  sharedEnd: number;
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
      workerData: {
        module,
        memory,
        ctrl: ctrl.buffer,
        scratch: SCRATCH_BYTES,
        slots: SLOTS,
        unitInts: UNIT_INTS,
        blocks: [jobBlock(0), jobBlock(1)],
      },
    });
    worker.unref();
    const s: State = {
      worker,
      ctrl,
      ready: false,
      broken: false,
      sharedEnd: 0,
      helper: undefined as unknown as HelperThread,
    };
    worker.on("error", () => (s.broken = true));
    worker.on("exit", () => (s.broken = true));
    s.helper = {
      kernels,
      slots: SLOTS,
      run: (table, units, stage) => run(s, table, units, stage),
      share: (params, units, end) => share(s, params, units, end),
    };
    // A helper given up on (it stalled or exited) is not waited for again, as run() never waited for it either.
    setReuseGuard((from) => {
      if (!s.broken && from < s.sharedEnd) waitIdle(s);
    });
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
 * Whether to split the next call with the helper thread. A shared job (a weight in the kernels' memory) costs the
 * caller at most one unit when the helper does not come, so it is always split (unless turned off). A copied weight
 * goes through run(), which waits for the helper's bands: that pays on an idle machine and costs on a busy one, so
 * the choice follows the measured time per element of each way (each tried first, the slower one tried again every
 * 16th call).
 */
export type InputKind = "staged" | "copied";
const perElementNs = { single: NaN, helper: NaN, choices: 0 };

let mode: "auto" | "always" | "never" = "auto";

/** "always" or "never" overrides the choice (tests and benchmarks); returns the previous mode. */
export function setHelperThreadMode(next: "auto" | "always" | "never"): "auto" | "always" | "never" {
  const before = mode;
  mode = next;
  return before;
}

export function preferHelper(kind: InputKind): boolean {
  if (mode !== "auto") return mode === "always";
  if (kind === "staged") return true;
  const f = perElementNs;
  f.choices++;
  if (Number.isNaN(f.helper)) return true;
  if (Number.isNaN(f.single)) return false;
  const helperFaster = f.helper <= f.single;
  return f.choices % 16 === 0 ? !helperFaster : helperFaster;
}

/** Records how long a call of run() or its single-threaded twin took (ms) for `elements` weights of a copied input. */
export function recordSplit(withHelper: boolean, ms: number, elements: number): void {
  const f = perElementNs;
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

/**
 * Tests: `true` makes the next shared job wait until the helper has claimed a unit, and the helper sit on that unit
 * (as when it is descheduled in the middle of one); `false` lets it go on. Returns whether the helper is running.
 */
export function pauseHelperForTests(paused: boolean): boolean {
  if (!state || state.broken) return false;
  Atomics.store(state.ctrl, PAUSE, paused ? 1 : 0);
  Atomics.notify(state.ctrl, PAUSE);
  return true;
}

/** Tests: whether the helper is in a job now (e.g. sitting on a unit its caller has already done and returned from). */
export function helperInJobForTests(): boolean {
  return !!state && Atomics.load(state.ctrl, ACTIVE) !== 0;
}

/**
 * Waits while `busy()` holds, on control word `word` (which the worker notifies when it changes); false when that
 * took longer than STALL_MS (the helper is then never used again: it may still write into the shared memory).
 */
function waitWhile(s: State, word: number, busy: () => boolean): boolean {
  const since = performance.now();
  for (let v = Atomics.load(s.ctrl, word); busy(); v = Atomics.load(s.ctrl, word)) {
    Atomics.wait(s.ctrl, word, v, 50);
    if (performance.now() - since > STALL_MS) {
      s.broken = true;
      return false;
    }
  }
  return true;
}

/** Waits until the worker is in no job (it may be finishing a unit of a shared job that its caller has returned from). */
function waitIdle(s: State): void {
  if (waitWhile(s, ACTIVE, () => Atomics.load(s.ctrl, ACTIVE) !== 0)) s.sharedEnd = 0;
}

/** Publishes job `job` (its block's words written by the caller) and wakes the worker. */
function publish(c: Int32Array, job: number): void {
  Atomics.store(c, JOB, job);
  Atomics.notify(c, JOB);
}

function share(s: State, params: readonly number[], units: number, end: number): boolean {
  if (units > MAX_SHARED_UNITS) throw new RangeError(`a shared job of ${units} units (at most ${MAX_SHARED_UNITS})`);
  const c = s.ctrl;
  const k = s.helper.kernels;
  const job = Atomics.load(c, JOB) + 1;
  // The job two back used the same block: wait until the worker has left it (it rarely has not).
  if (!waitWhile(s, ACTIVE, () => job > 2 && Atomics.load(c, ACTIVE) === job - 2)) return false;
  const at = jobBlock(job & 1);
  const memory = new Int32Array(k.memory.buffer);
  memory.set(params, at >> 2);
  const flags = (at + 64) >> 2;
  memory.fill(0, flags, flags + units);
  const b = BLOCKS + (job & 1) * 4;
  Atomics.store(c, b + B_KIND, 1);
  Atomics.store(c, b + B_UNITS, units);
  Atomics.store(c, b + B_CLAIM, 0);
  Atomics.store(c, b + B_FAILED, 0);
  s.sharedEnd = Math.max(s.sharedEnd, end);
  publish(c, job);
  if (!waitWhile(s, PAUSE, () => Atomics.load(c, PAUSE) === 1)) return false; // tests only
  let ok = true;
  for (;;) {
    const u = Atomics.add(c, b + B_CLAIM, 1);
    if (u >= units) break;
    ok = k.run_unit(at, u, 0) === 1 && ok;
    Atomics.store(memory, flags + u, 1);
  }
  // What the helper has claimed and not finished (at most its current unit), this thread does too.
  for (let u = 0; u < units; u++) {
    if (Atomics.load(memory, flags + u) !== 0) continue;
    ok = k.run_unit(at, u, 0) === 1 && ok;
    Atomics.store(memory, flags + u, 1);
  }
  return ok && Atomics.load(c, b + B_FAILED) === 0;
}

function run(s: State, table: number, units: number, stage: (i: number) => void): boolean {
  const c = s.ctrl;
  const k = s.helper.kernels;
  waitIdle(s);
  if (s.broken) return false;
  Atomics.store(c, STAGED, 0);
  Atomics.store(c, CLAIM, 0);
  Atomics.store(c, FINISHED, 0);
  Atomics.store(c, FAILED, 0);
  Atomics.store(c, UNITS, units);
  Atomics.store(c, TABLE, table);
  for (let slot = 0; slot < SLOTS; slot++) Atomics.store(c, SLOT + slot, slot - SLOTS);
  const job = Atomics.load(c, JOB) + 1;
  Atomics.store(c, BLOCKS + (job & 1) * 4 + B_KIND, 0);
  publish(c, job);
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
  // Every band finished, and the worker out of the job before the next call resets the counters.
  if (!waitWhile(s, FINISHED, () => Atomics.load(c, FINISHED) < units)) return false;
  if (!waitWhile(s, DONE, () => Atomics.load(c, DONE) < job)) return false;
  return Atomics.load(c, FAILED) === 0;
}

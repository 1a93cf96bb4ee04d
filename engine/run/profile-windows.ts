// Which measured iterations a run profiles. onnxruntime-node profiles a session from its creation to endProfiling
// (once: startProfiling is a no-op), so live kernels come from windows of iterations replayed on profiled sessions
// of their own (live-profile.ts); this pure module decides where the windows go and how long they are.
//
// Adaptive (the default): the first measured iteration is a window of one (kernels on screen at once, and its cost
// measured); each later window is sized from the last one's cost per iteration (its replays, endProfiling, the read
// of its trace and the emitting, together: what its first iteration waits for) so that it takes about
// WINDOW_LATENCY_BUDGET_MS, and its trace stays under WINDOW_MAX_KERNELS; a window's first iteration's kernels are
// then streamed well within 1 s of its end; the next window starts once the measured iterations have run at least
// as long as the last window cost (≥ MIN_GAP_MS): profiling at most doubles a run's wall time, and the
// timeline gets new kernels about every second. All ("all", the recipe's `run.profile_iterations: all`): the same
// sizing with no gaps, so every measured iteration is profiled. Fixed (RunPlan.profileWindows): windows of `iterations`
// every `every` measured iterations from iteration 0 (tests, reproducible runs).

/** From a window's first replay to its kernels emitted (replays, flush, read, emit): a third of the live target. */
export const WINDOW_LATENCY_BUDGET_MS = 350;
/** Most kernels per window (bounds the time to read its trace). */
export const WINDOW_MAX_KERNELS = 4000;
/** Least measured time between windows. */
export const MIN_GAP_MS = 500;

/** Which measured iterations a run profiles: fixed windows, every iteration ("all"), or adaptive (undefined). */
export type ProfileWindows = FixedWindows | "all";

export interface FixedWindows {
  /** Profiled iterations per window (≥ 1). */
  iterations: number;
  /** A window starts every this many measured iterations (≥ iterations). */
  every: number;
}

/** What the last window cost, for sizing the next. */
export interface WindowCost {
  iterations: number;
  /** From its first replay to its kernels emitted (replays, endProfiling, the read, the events). */
  latencyMs: number;
  /** Everything it took: runs, endProfiling, the read, the next session's creation. */
  totalMs: number;
  kernels: number;
}

export class WindowSchedule {
  private windowEnd = -1;
  private nextStartMs = 0;
  private nextSize = 1;

  private readonly fixed?: FixedWindows;
  private readonly gaps: boolean;

  constructor(windows?: ProfileWindows) {
    this.gaps = windows !== "all";
    const fixed = windows === "all" ? undefined : windows;
    if (fixed && !(Number.isInteger(fixed.iterations) && fixed.iterations >= 1 && fixed.every >= fixed.iterations))
      throw new RangeError(`profile windows need 1 ≤ iterations ≤ every, got ${JSON.stringify(fixed)}`);
    this.fixed = fixed;
  }

  /**
   * Whether measured iteration `i` is profiled, given the measured time so far (`measuredMs`, profiling left out);
   * when it starts a window, the window's size (it ends early if the run does). Iterations are asked in order.
   */
  profiles(i: number, measuredMs: number): { starts: boolean; size: number } | undefined {
    if (this.fixed) {
      const at = i % this.fixed.every;
      return at < this.fixed.iterations ? { starts: at === 0, size: this.fixed.iterations } : undefined;
    }
    if (i <= this.windowEnd) return { starts: false, size: 0 };
    if (measuredMs < this.nextStartMs) return undefined;
    this.windowEnd = i + this.nextSize - 1;
    return { starts: true, size: this.nextSize };
  }

  /** A window ended (at `measuredMs`): size the next one from what it cost. */
  ended(cost: WindowCost, measuredMs: number): void {
    if (this.fixed) return;
    this.windowEnd = -1;
    const msPerIteration = cost.latencyMs / Math.max(1, cost.iterations);
    const kernelsPerIteration = cost.kernels / Math.max(1, cost.iterations);
    const byTime = Math.floor(WINDOW_LATENCY_BUDGET_MS / Math.max(msPerIteration, 1e-3));
    const byKernels = Math.floor(WINDOW_MAX_KERNELS / Math.max(kernelsPerIteration, 1));
    this.nextSize = Math.max(1, Math.min(byTime, byKernels));
    this.nextStartMs = this.gaps ? measuredMs + Math.max(MIN_GAP_MS, cost.totalMs) : 0;
  }
}

/** Sorted distinct iteration numbers as inclusive ranges: [0, 1, 2, 5] → [[0, 2], [5, 5]]. */
export function iterationRanges(iterations: readonly number[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const i of iterations) {
    const last = ranges.at(-1);
    if (last && i === last[1] + 1) last[1] = i;
    else if (!last || i > last[1]) ranges.push([i, i]);
  }
  return ranges;
}

// The runs going on now, as a live profile viewer sees them: the run task's pseudoterminal hands each engine event
// to an observer (observe()), which follows the run's folder (LiveRunState) and groups the kernels the engine streams
// per iteration (LiveKernelGrouper). A batch is passed on as soon as it is complete, or after a quiet moment
// (FLUSH_MS) so the last kernels of a window are not held back. Batches are kept until the run ends, so a viewer
// opened during the run draws every iteration so far. Each measured iteration's end is kept on the host's clock
// (performance.now()), so a viewer can time how long its kernels took to be drawn. Owned by ProfileFeatures (so by Ctx).
import { performance } from "node:perf_hooks";
import * as vscode from "vscode";
import type { RunObserver } from "../run/run-pseudoterminal";
import { LiveKernelGrouper, LiveRunState, type LiveBatch, type LiveRunInfo } from "./live-kernels";

export type { RunObserver };

/** The quiet time after which an iteration's kernels are passed on even without a following event. */
const FLUSH_MS = 25;

/** One run going on (or just ended), as viewers follow it. */
export class LiveRun {
  readonly batches: LiveBatch[] = [];
  /**
   * When each measured iteration ended, on the host's clock (ms, performance.now()): the engine's event time plus
   * the smallest offset seen between an event's arrival and its `timeMs` (the pipe's delay, at its shortest).
   */
  readonly iterationEndMs = new Map<number, number>();
  ended: { ok: boolean } | undefined;
  private readonly batched = new vscode.EventEmitter<LiveBatch>();
  private readonly finished = new vscode.EventEmitter<{ ok: boolean }>();
  readonly onDidReceiveBatch = this.batched.event;
  readonly onDidEnd = this.finished.event;

  constructor(
    readonly info: LiveRunInfo,
    readonly recipe: vscode.Uri,
  ) {}

  get kernelCount(): number {
    return this.batches.reduce((n, b) => n + b.kernels.length, 0);
  }

  /** @internal */ push(batch: LiveBatch): void {
    this.batches.push(batch);
    this.batched.fire(batch);
  }

  /** @internal */ end(ok: boolean): void {
    this.ended = { ok };
    this.finished.fire(this.ended);
    this.batched.dispose();
    this.finished.dispose();
  }
}

export class LiveRuns implements vscode.Disposable {
  private readonly runs = new Map<string, LiveRun>();
  private readonly started = new vscode.EventEmitter<LiveRun>();
  private readonly streaming = new vscode.EventEmitter<LiveRun>();
  /** Fires when a run started (its folder is known). */
  readonly onDidStart = this.started.event;
  /** Fires with a run's first batch of live kernels (it profiles and streams). */
  readonly onDidStartStreaming = this.streaming.event;

  /** The run writing into `runDir`, while it runs. */
  get(runDir: string): LiveRun | undefined {
    return this.runs.get(runDir);
  }

  /** The runs going on, newest first. */
  list(): LiveRun[] {
    return [...this.runs.values()].reverse();
  }

  /** An observer of one run's events; `cwd` resolves the run folder the engine names. */
  observe(recipe: vscode.Uri, cwd: string): RunObserver {
    const state = new LiveRunState(cwd);
    const grouper = new LiveKernelGrouper();
    let run: LiveRun | undefined;
    let timer: NodeJS.Timeout | undefined;
    let clockOffsetMs = Infinity;
    const pass = (batches: LiveBatch[]) => {
      if (!run) return;
      for (const batch of batches) {
        run.push(batch);
        if (run.batches.length === 1) this.streaming.fire(run);
      }
    };
    const stopTimer = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    };
    return {
      event: (event) => {
        clockOffsetMs = Math.min(clockOffsetMs, performance.now() - event.timeMs);
        if (run && event.type === "iteration" && !event.warmup)
          run.iterationEndMs.set(event.index, event.timeMs + clockOffsetMs);
        if (state.add(event) && event.type === "run/start" && state.info) {
          run = new LiveRun(state.info, recipe);
          this.runs.set(run.info.runDir, run);
          this.started.fire(run);
        }
        pass(grouper.add(event));
        stopTimer();
        if (grouper.pending) timer = setTimeout(() => pass(grouper.flush()), FLUSH_MS);
      },
      end: ({ exitCode, cancelled }) => {
        stopTimer();
        pass(grouper.flush());
        if (!run) return;
        if (this.runs.get(run.info.runDir) === run) this.runs.delete(run.info.runDir);
        run.end(exitCode === 0 && !cancelled);
      },
    };
  }

  dispose(): void {
    this.runs.clear();
    this.started.dispose();
    this.streaming.dispose();
  }
}

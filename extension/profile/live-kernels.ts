// A running task's engine events, reduced to what a live profile viewer needs (pure: no VS Code, no timers). The
// run folder and id come from `run/start`; the kernels the engine streams as profiled iterations complete (`kernel`
// events carrying `iteration`) are grouped per iteration, one batch each (DidReceiveLiveKernelsNotification). A batch
// is complete when a kernel of another iteration arrives, when any other event arrives (the engine emits one
// iteration's kernels together), or when the caller flushes after a quiet moment. Kernels without `iteration` are
// the whole profile announced after the run: the final profile.json replaces the live data, so they are not kept.
import { isAbsolute, join, resolve } from "node:path";
import type { EngineEvent, KernelEvent } from "../../common/events";
import { PROFILE_FILE } from "../../common/profile-summary";

export interface LiveBatch {
  iteration: number;
  kernels: KernelEvent[];
}

/** Groups a run's live kernels per iteration. */
export class LiveKernelGrouper {
  private iteration: number | undefined;
  private kernels: KernelEvent[] = [];

  /** Takes one engine event; returns the batches it completed (none, or the one before it). */
  add(event: EngineEvent): LiveBatch[] {
    if (event.type !== "kernel") return this.flush();
    if (typeof event.iteration !== "number" || !Number.isFinite(event.iteration)) return [];
    const done = this.iteration !== undefined && this.iteration !== event.iteration ? this.flush() : [];
    this.iteration = event.iteration;
    this.kernels.push(event);
    return done;
  }

  /** The batch being gathered, if any, as complete. */
  flush(): LiveBatch[] {
    if (this.iteration === undefined || this.kernels.length === 0) return [];
    const batch = { iteration: this.iteration, kernels: this.kernels };
    this.iteration = undefined;
    this.kernels = [];
    return [batch];
  }

  get pending(): boolean {
    return this.kernels.length > 0;
  }
}

/** What is known of a running run from its events. */
export interface LiveRunInfo {
  /** Absolute path of the run folder (`run/start`'s outDir). */
  runDir: string;
  runId: string;
  /** Where its profile will be: the `profile.json` artifact once announced, else `<runDir>/profile.json`. */
  profilePath: string;
  /** Models the run wrote so far (`model` artifacts): the last one is where kernels' nodes are. */
  producedModels: string[];
}

/** Follows one run's events: its folder, its profile's path, its produced models. */
export class LiveRunState {
  info: LiveRunInfo | undefined;
  private profileAnnounced = false;

  constructor(private readonly cwd: string) {}

  /** Takes one event; returns true when it told something new about the run (its start, its profile, a model). */
  add(event: EngineEvent): boolean {
    if (event.type === "run/start") {
      const runDir = resolve(this.cwd, event.outDir);
      this.info = { runDir, runId: event.runId, profilePath: join(runDir, PROFILE_FILE), producedModels: [] };
      return true;
    }
    if (event.type !== "artifact" || !this.info) return false;
    const path = isAbsolute(event.path) ? event.path : resolve(this.info.runDir, event.path);
    if (event.kind === "profile.json" && !this.profileAnnounced) {
      this.profileAnnounced = true;
      this.info.profilePath = path;
      return true;
    }
    if (event.kind === "model" && !this.info.producedModels.includes(path)) {
      this.info.producedModels.push(path);
      return true;
    }
    return false;
  }
}

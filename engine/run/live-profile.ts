// Live kernels: the profile of a run, streamed while it runs. onnxruntime-node profiles a session from its creation
// until endProfiling, once, and writes the trace only then; so the measured iterations run on an unprofiled session
// (their timings stay faithful) and the iterations the schedule picks (profile-windows.ts) are replayed, right after
// they are measured and with the same feeds, on a profiled session of their own window. A window ends with
// endProfiling; its trace is read with the streaming parser, its events shifted onto the run's time line (each
// session's trace counts from its own creation), appended to the run's merged trace, and its kernels emitted as
// `kernel` events carrying their iteration. The next window's session is created (and, when the plan warms up, run
// once: that run is left out of the trace) as soon as a window ends, so a window's latency is its runs, the flush
// and the read. At the end the merged trace is committed to outDir/profile.json (a rename: atomic) and summarized:
// it holds exactly the windows whose kernels were streamed. A stop mid-window drops that window (its kernels were
// not streamed); a failing window ends profiling for the run (`incomplete` says why), never the run.
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { PROFILE_FILE } from "../../common/profile-summary";
import type { TraceEvent } from "../../common/trace/trace-event";
import type { EventSink } from "../events";
import { commitTempFile } from "../fs/atomic";
import { trackTempPath } from "../fs/temp-paths";
import type { Ort, OrtSession, OrtSessionOptions } from "./ort";
import { KernelCollector, kernelList, summarizeKernels } from "./profile";
import {
  type ProfileCapture,
  type RunProfile,
  discardProfileCapture,
  emitKernelEvents,
  prepareProfileCapture,
  readTraceFile,
} from "./profile-capture";
import { type ProfileWindows, WindowSchedule, iterationRanges } from "./profile-windows";

type Feed = Parameters<OrtSession["run"]>[0];

export interface LiveProfileOptions {
  ort: Ort;
  modelPath: string;
  /** The measured session's options plus profiling (given the window's file prefix). */
  sessionOptions: (profilePrefix: string) => OrtSessionOptions;
  outDir: string;
  sink: EventSink;
  /** Most `kernel` events over the run; profiling stops at the window that reaches it. */
  maxKernelEvents: number;
  /** Untraced runs on each new window session before its first profiled run (the plan's warm-up, at most 1). */
  warmRuns: number;
  /** Any feed, for the warm runs. */
  warmFeed: Feed;
  windows?: ProfileWindows;
}

interface Window {
  size: number;
  iterations: number[];
  startMs: number;
}

export class LiveProfile {
  /** Time spent profiling between measured iterations (replays, flushes, reads, session creation), ms. */
  spentMs = 0;
  private readonly schedule: WindowSchedule;
  private session?: OrtSession;
  private sessionCount = 0;
  private sessionCreatedMs = 0;
  private originMs?: number;
  private window?: Window;
  private lastEndUs = 0;
  private readonly collector = new KernelCollector();
  private readonly profiled: number[] = [];
  private windowCount = 0;
  private emitted = 0;
  private written = 0;
  private stopped = false;
  private incomplete?: string;
  private closed = false;

  private constructor(
    private readonly options: LiveProfileOptions,
    private readonly capture: ProfileCapture,
    private readonly out: fs.FileHandle,
    private readonly outPath: string,
  ) {
    this.schedule = new WindowSchedule(options.windows);
  }

  /** Prepares the capture folder and the merged trace, and creates the first window's session. */
  static async open(options: LiveProfileOptions): Promise<LiveProfile> {
    const capture = await prepareProfileCapture(options.outDir);
    const outPath = trackTempPath(join(capture.dir, "merged.json"));
    const out = await fs.open(outPath, "w");
    const live = new LiveProfile(options, capture, out, outPath);
    try {
      await out.write("[");
      await live.nextSession();
    } catch (e) {
      await live.discard();
      throw e;
    }
    return live;
  }

  /**
   * After measured iteration `i` (`measuredMs` of measured time so far; `last` when no iteration follows): replays
   * it on the window's session when the schedule profiles it, and ends the window when it is full or the run ends.
   */
  async afterIteration(i: number, feed: Feed, measuredMs: number, last: boolean): Promise<void> {
    if (this.stopped) return;
    const pick = this.schedule.profiles(i, measuredMs);
    if (!pick) return;
    const t0 = performance.now();
    try {
      if (pick.starts || !this.window) this.window = { size: pick.size, iterations: [], startMs: t0 };
      const w = this.window;
      if (!this.session) await this.nextSession();
      await this.session!.run(feed);
      w.iterations.push(i);
      if (w.iterations.length >= w.size || last) await this.endWindow(measuredMs, !last);
    } catch (e) {
      await this.stop(`profiling iteration ${i} failed (${messageOf(e)}); the profile covers the windows before`);
    } finally {
      this.spentMs += performance.now() - t0;
    }
  }

  /**
   * Ends profiling: a window in progress is ended (dropped when `aborted`: a stop keeps what was streamed), the
   * merged trace is committed to outDir/profile.json and summarized.
   */
  async finish(aborted: boolean): Promise<RunProfile> {
    try {
      if (this.window && !this.stopped) {
        if (aborted) this.window = undefined;
        else
          await this.endWindow(0, false).catch((e: unknown) =>
            this.stop(`the last window could not be read (${messageOf(e)})`),
          );
      }
      await this.releaseSession();
      await this.out.write(this.written > 0 ? "\n]\n" : "]\n");
      await this.out.sync();
      await this.out.close();
      this.closed = true;
      const target = join(this.options.outDir, PROFILE_FILE);
      await commitTempFile(this.outPath, target);
      this.options.sink.emit({ type: "artifact", kind: "profile.json", path: target });
      if (this.incomplete)
        this.options.sink.emit({ type: "log", level: "warning", message: `profile incomplete: ${this.incomplete}` });
      return {
        path: target,
        summary: summarizeKernels(this.collector.finish(), { skipRuns: 0 }),
        kernelEventsEmitted: this.emitted,
        incomplete: this.incomplete,
        iterations: iterationRanges(this.profiled),
        windows: this.windowCount,
        overheadMs: this.spentMs,
      };
    } finally {
      await this.discard();
    }
  }

  /** Releases the session and removes the capture folder (the merged trace too, unless committed). */
  async discard(): Promise<void> {
    await this.releaseSession();
    if (!this.closed) {
      this.closed = true;
      await this.out.close().catch(() => undefined);
    }
    await discardProfileCapture(this.capture);
  }

  private async nextSession(): Promise<void> {
    const { ort, modelPath, sessionOptions, warmRuns, warmFeed } = this.options;
    const prefix = join(this.capture.dir, `w${++this.sessionCount}`);
    const createdMs = performance.now();
    this.session = await ort.InferenceSession.create(modelPath, sessionOptions(prefix));
    this.sessionCreatedMs = createdMs;
    this.originMs ??= createdMs;
    for (let r = 0; r < warmRuns; r++) await this.session.run(warmFeed);
  }

  private async releaseSession(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await s.release().catch(() => undefined);
  }

  private async stop(why: string): Promise<void> {
    this.stopped = true;
    this.window = undefined;
    this.incomplete ??= why;
    await this.releaseSession();
  }

  /** endProfiling → read the window's trace → merge it → emit its kernels; then the next window's session. */
  private async endWindow(measuredMs: number, another: boolean): Promise<void> {
    const w = this.window!;
    this.window = undefined;
    const session = this.session!;
    (session.endProfiling as () => unknown)();
    const prefix = `w${this.sessionCount}_`;
    const files = (await fs.readdir(this.capture.dir)).filter((f) => f.startsWith(prefix) && f.endsWith(".json"));
    if (files.length === 0) throw new Error(`onnxruntime wrote no profile for window ${this.windowCount + 1}`);
    const events: TraceEvent[] = [];
    const read = await readTraceFile(join(this.capture.dir, files.sort().at(-1)!), (e) => events.push(e));
    if (read.truncated)
      this.incomplete ??= `a window's trace ends before it is closed (iterations ${w.iterations[0]}–)`;
    await this.releaseSession();
    const kept = this.onRunTimeLine(leaveOutWarmRuns(events, this.options.warmRuns));
    const windowKernels = new KernelCollector();
    for (const e of kept) {
      windowKernels.add(e);
      this.collector.add(e);
    }
    const kernels = kernelList(windowKernels.finish());
    const room = this.options.maxKernelEvents - this.emitted;
    const streamed = kernels.slice(0, Math.max(0, room));
    emitKernelEvents(
      this.options.sink,
      streamed.map((k) => ({ ...k, iteration: k.run >= 0 ? w.iterations[k.run] : undefined })),
    );
    this.emitted += streamed.length;
    // The kernels go out first (the live latency); the window joins the merged trace right after.
    if (kept.length > 0) {
      await this.out.write((this.written > 0 ? ",\n" : "\n") + kept.map((e) => JSON.stringify(e)).join(",\n"));
      this.written += kept.length;
    }
    this.windowCount++;
    this.profiled.push(...w.iterations);
    if (this.emitted >= this.options.maxKernelEvents) {
      this.stopped = true;
      this.options.sink.emit({
        type: "log",
        level: "warning",
        message: `profiling stopped at ${this.options.maxKernelEvents} kernel events (maxKernelEvents)${kernels.length > streamed.length ? "; profile.json holds the last window whole" : ""}`,
      });
      return;
    }
    const emittedMs = performance.now();
    if (another) await this.nextSession();
    this.schedule.ended(
      {
        iterations: w.iterations.length,
        latencyMs: emittedMs - w.startMs,
        totalMs: performance.now() - w.startMs,
        kernels: kernels.length,
      },
      measuredMs,
    );
  }

  /** Shifts a window's events (µs from its session's creation) onto the run's time line, in time order. */
  private onRunTimeLine(events: TraceEvent[]): TraceEvent[] {
    const offsetUs = Math.max(Math.round((this.sessionCreatedMs - this.originMs!) * 1000), this.lastEndUs);
    for (const e of events) {
      if (typeof e.ts !== "number") continue;
      e.ts += offsetUs;
      this.lastEndUs = Math.max(this.lastEndUs, e.ts + (typeof e.dur === "number" ? e.dur : 0));
    }
    return events
      .map((e, i) => ({ e, i }))
      .sort((a, b) => (a.e.ts ?? -Infinity) - (b.e.ts ?? -Infinity) || a.i - b.i)
      .map((x) => x.e);
  }
}

/** The events of a trace without its first `runs` model_runs (the warm runs) and what happened inside them. */
function leaveOutWarmRuns(events: TraceEvent[], runs: number): TraceEvent[] {
  if (runs <= 0) return events;
  const spans = events
    .filter((e) => e.cat === "Session" && e.name === "model_run" && typeof e.ts === "number")
    .map((e) => [e.ts!, e.ts! + (typeof e.dur === "number" ? e.dur : 0)] as const)
    .sort((a, b) => a[0] - b[0])
    .slice(0, runs);
  return events.filter((e) => typeof e.ts !== "number" || !spans.some(([s, end]) => e.ts! >= s && e.ts! <= end));
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

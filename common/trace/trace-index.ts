// Builds the profile viewer's TraceModel (trace-model.ts) from the streaming parser's events, one at a time: tracks
// per pid/tid (named by `M` events), slices from X events and from B/E pairs matched per track, instants, counter
// series, and onnxruntime's meaning of them (Session events, model_run inferences, Node kernels with their op type and
// provider). Columns are typed arrays grown by doubling and trimmed at the end; strings are interned. `finish` sorts
// the slices by track and start (nearly sorted traces, like onnxruntime's, by a bounded insertion sort), computes the
// nesting depth per track with a stack, and assigns every slice to the model_run it falls in.
// Live kernels (KernelEvent, from a run's JSON-lines stream) are added with `addLiveKernels`; trace-live.ts appends
// them to a model incrementally. Pure TypeScript: runs in the viewer's Web Worker, the extension host and the CLI.
import type { KernelEvent } from "../events";
import type { TraceEvent } from "./trace-event";
import type { TraceCounter, TraceModel, TraceReadNotes, TraceRun, TraceTrack } from "./trace-model";
import { INSTANT_SCOPE, SLICE_KIND } from "./trace-model";
import { SliceColumns, sortSlices } from "./slice-columns";

/** The args keys an index reads (the parser's `args` option): op type, provider, and M events' names. */
export const INDEX_ARGS = { keys: ["op_name", "provider", "name"], wholeForPhases: ["C"] } as const;

export const KERNEL_SUFFIX = "_kernel_time";

/** What the parser's result says about the read (the builder counts the rest). */
export type ParserNotes = Pick<TraceReadNotes, "truncated" | "error" | "byteLength">;

interface TrackState {
  track: TraceTrack;
  /** Open B events: slice indices. */
  open: number[];
}

/** The pid and tid a live kernel's track has (the live timeline has one track). */
export const LIVE_PID = "live";
export const LIVE_TID = "kernels";

export class TraceIndexBuilder {
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly tracks: TrackState[] = [];
  private readonly trackIds = new Map<string, number>();
  private readonly processNames = new Map<number | string, string>();
  private readonly threadNames = new Map<string, string>();
  private lastPid: unknown = undefined;
  private lastTid: unknown = undefined;
  private lastTrack = -1;
  private readonly slices = new SliceColumns();
  // Raw event names → the interned name id and kind facts (kernel names lose their suffix once).
  private readonly rawNames = new Map<string, number>();
  private instantCount = 0;
  private instantTime = new Float64Array(256);
  private instantName = new Int32Array(256);
  private instantTrack = new Int32Array(256);
  private instantScope = new Uint8Array(256);
  private readonly counters = new Map<string, { c: TraceCounter; times: number[]; values: number[] }>();
  private readonly phaseCounts: Record<string, number> = {};
  private eventCount = 0;
  private skipped = 0;
  private unmatchedEnds = 0;
  private startUs = Infinity;
  private endUs = -Infinity;

  // The last string interned at a few call sites: most events repeat their category and provider.
  private lastCat = "";
  private lastCatId = -1;
  private lastProvider = "";
  private lastProviderId = -1;

  intern(text: string): number {
    let id = this.stringIds.get(text);
    if (id === undefined) {
      id = this.strings.length;
      // A copy: a slice of the parser's chunk would keep the whole chunk alive.
      const own = text.length > 12 ? (" " + text).slice(1) : text;
      this.strings.push(own);
      this.stringIds.set(own, id);
    }
    return id;
  }

  private trackOf(pid: unknown, tid: unknown): number {
    if (pid === this.lastPid && tid === this.lastTid) return this.lastTrack;
    const p = typeof pid === "number" || typeof pid === "string" ? pid : 0;
    const t = typeof tid === "number" || typeof tid === "string" ? tid : 0;
    const key = `${typeof p}:${p}\u0000${typeof t}:${t}`;
    let id = this.trackIds.get(key);
    if (id === undefined) {
      id = this.tracks.length;
      this.tracks.push({
        track: { id, pid: p, tid: t, processName: "", threadName: "", depthCount: 0, first: 0, count: 0 },
        open: [],
      });
      this.trackIds.set(key, id);
    }
    this.lastPid = pid;
    this.lastTid = tid;
    this.lastTrack = id;
    return id;
  }

  private time(t: number): void {
    if (t < this.startUs) this.startUs = t;
    if (t > this.endUs) this.endUs = t;
  }

  /** One parsed event and its byte offset in the file (-1 when unknown). */
  add(e: TraceEvent, byteOffset: number): void {
    this.eventCount++;
    const ph = typeof e.ph === "string" ? e.ph : "?";
    this.phaseCounts[ph] = (this.phaseCounts[ph] ?? 0) + 1;
    const ts = typeof e.ts === "number" ? e.ts : Number(e.ts);
    switch (ph) {
      case "X": {
        if (!Number.isFinite(ts)) return void this.skipped++;
        const dur = typeof e.dur === "number" && e.dur > 0 ? e.dur : 0;
        this.addSlice(e, ts, dur, byteOffset);
        this.time(ts);
        this.time(ts + dur);
        return;
      }
      case "B": {
        if (!Number.isFinite(ts)) return void this.skipped++;
        const i = this.addSlice(e, ts, -1, byteOffset);
        this.tracks[this.slices.track[i]].open.push(i);
        this.time(ts);
        return;
      }
      case "E": {
        if (!Number.isFinite(ts)) return void this.skipped++;
        const open = this.tracks[this.trackOf(e.pid, e.tid)]?.open;
        const i = open.pop();
        if (i === undefined) return void this.unmatchedEnds++;
        this.slices.durationUs[i] = Math.max(0, ts - this.slices.startUs[i]);
        this.time(ts);
        return;
      }
      case "i":
      case "I":
      case "n": {
        if (!Number.isFinite(ts)) return void this.skipped++;
        const scope = e.s === "g" ? INSTANT_SCOPE.global : e.s === "p" ? INSTANT_SCOPE.process : INSTANT_SCOPE.thread;
        this.addInstant(typeof e.name === "string" ? e.name : "", ts, this.trackOf(e.pid, e.tid), scope);
        this.time(ts);
        return;
      }
      case "C":
        if (!Number.isFinite(ts)) return void this.skipped++;
        this.addCounter(e, ts);
        this.time(ts);
        return;
      case "M":
        this.addMetadata(e);
        return;
      default:
        this.skipped++;
    }
  }

  private addSlice(e: TraceEvent, ts: number, dur: number, byteOffset: number): number {
    const raw = typeof e.name === "string" ? e.name : "";
    const cat = typeof e.cat === "string" ? e.cat : undefined;
    let kind: number = SLICE_KIND.other;
    let name: number;
    let opType = -1;
    let provider = -1;
    if (cat === "Node" && raw.endsWith(KERNEL_SUFFIX)) {
      kind = SLICE_KIND.kernel;
      let id = this.rawNames.get(raw);
      if (id === undefined) this.rawNames.set(raw, (id = this.intern(raw.slice(0, -KERNEL_SUFFIX.length))));
      name = id;
      const args = e.args;
      if (args) {
        if (typeof args.op_name === "string") opType = this.intern(args.op_name);
        if (typeof args.provider === "string") {
          if (args.provider !== this.lastProvider || this.lastProviderId < 0)
            this.lastProviderId = this.intern((this.lastProvider = args.provider));
          provider = this.lastProviderId;
        }
      }
    } else {
      name = this.intern(raw);
      if (cat === "Session") kind = raw === "model_run" ? SLICE_KIND.run : SLICE_KIND.session;
    }
    return this.slices.push(
      ts,
      dur,
      name,
      cat === undefined ? -1 : cat === this.lastCat && this.lastCatId >= 0 ? this.lastCatId : this.catId(cat),
      this.trackOf(e.pid, e.tid),
      kind,
      opType,
      provider,
      byteOffset,
    );
  }

  private catId(cat: string): number {
    this.lastCat = cat;
    return (this.lastCatId = this.intern(cat));
  }

  private addInstant(name: string, ts: number, track: number, scope: number): void {
    if (this.instantCount === this.instantTime.length) {
      const n = this.instantCount * 2;
      this.instantTime = grow(this.instantTime, new Float64Array(n));
      this.instantName = grow(this.instantName, new Int32Array(n));
      this.instantTrack = grow(this.instantTrack, new Int32Array(n));
      this.instantScope = grow(this.instantScope, new Uint8Array(n));
    }
    const k = this.instantCount++;
    this.instantTime[k] = ts;
    this.instantName[k] = this.intern(name);
    this.instantTrack[k] = track;
    this.instantScope[k] = scope;
  }

  private addCounter(e: TraceEvent, ts: number): void {
    const name = typeof e.name === "string" ? e.name : "";
    const pid = typeof e.pid === "number" || typeof e.pid === "string" ? e.pid : 0;
    const args = e.args ?? {};
    for (const series of Object.keys(args)) {
      const value = args[series];
      if (typeof value !== "number") continue;
      const key = `${typeof pid}:${pid}\u0000${name}\u0000${series}`;
      let entry = this.counters.get(key);
      if (!entry) {
        const c = { name, pid, series, timeUs: new Float64Array(0), value: new Float64Array(0) };
        this.counters.set(key, (entry = { c, times: [], values: [] }));
      }
      entry.times.push(ts);
      entry.values.push(value);
    }
  }

  private addMetadata(e: TraceEvent): void {
    const name = e.args?.name;
    if (typeof name !== "string") return;
    if (e.name === "process_name" && (typeof e.pid === "number" || typeof e.pid === "string"))
      this.processNames.set(e.pid, name);
    else if (e.name === "thread_name") {
      const id = this.trackOf(e.pid, e.tid);
      this.threadNames.set(String(id), name);
    }
  }

  /**
   * Kernels streamed by a live run (`kernel` events), as kernel slices on the live track, each iteration's kernels
   * under a synthesized model_run slice spanning them (named "iteration N").
   */
  addLiveKernels(kernels: readonly KernelEvent[]): void {
    const track = this.trackOf(LIVE_PID, LIVE_TID);
    const spans = new Map<number, { start: number; end: number }>();
    for (const k of kernels) {
      const name = this.intern(k.node);
      const opType = this.intern(k.opType);
      const provider = k.provider === undefined ? -1 : this.intern(k.provider);
      this.slices.push(k.startUs, k.durationUs, name, -1, track, SLICE_KIND.kernel, opType, provider, -1);
      this.time(k.startUs);
      this.time(k.startUs + k.durationUs);
      this.eventCount++;
      if (k.iteration === undefined) continue;
      const span = spans.get(k.iteration);
      if (!span) spans.set(k.iteration, { start: k.startUs, end: k.startUs + k.durationUs });
      else {
        span.start = Math.min(span.start, k.startUs);
        span.end = Math.max(span.end, k.startUs + k.durationUs);
      }
    }
    for (const [iteration, span] of spans) {
      const name = this.intern(`iteration ${iteration}`);
      this.slices.push(span.start, span.end - span.start, name, -1, track, SLICE_KIND.run, -1, -1, -1);
    }
  }

  /** The model: `notes` from the parser's result (truncated, error, bytes read). The builder is spent after it. */
  finish(notes: ParserNotes = { truncated: false, byteLength: 0 }): TraceModel {
    const endUs = Number.isFinite(this.endUs) ? this.endUs : 0;
    const startUs = Number.isFinite(this.startUs) ? this.startUs : 0;
    // Begins without an end are closed at the trace's end.
    let unmatchedBegins = 0;
    for (const t of this.tracks) {
      for (const i of t.open) this.slices.durationUs[i] = Math.max(0, endUs - this.slices.startUs[i]);
      unmatchedBegins += t.open.length;
      t.open = [];
    }
    const slices = sortSlices(this.slices);
    const tracks = this.tracks.map((t) => t.track);
    for (const t of tracks) {
      t.processName = this.processNames.get(t.pid) ?? `pid ${t.pid}`;
      t.threadName = this.threadNames.get(String(t.id)) ?? `tid ${t.tid}`;
    }
    // Tracks' ranges and nesting depths: a stack of open ends per track over the start-sorted slices.
    const stack: number[] = [];
    for (let i = 0; i < slices.count; i++) {
      const t = tracks[slices.track[i]];
      if (t.count === 0) {
        t.first = i;
        stack.length = 0;
      }
      t.count++;
      const start = slices.startUs[i];
      while (stack.length > 0 && stack[stack.length - 1] <= start) stack.pop();
      const depth = Math.min(stack.length, 0xffff);
      slices.depth[i] = depth;
      if (depth + 1 > t.depthCount) t.depthCount = depth + 1;
      stack.push(start + slices.durationUs[i]);
    }
    const runs = assignRuns(slices);
    const counters = [...this.counters.values()].map(({ c, times, values }) => {
      const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b] || a - b);
      c.timeUs = Float64Array.from(order, (i) => times[i]);
      c.value = Float64Array.from(order, (i) => values[i]);
      return c;
    });
    const n = this.instantCount;
    return {
      strings: this.strings,
      tracks,
      slices,
      instants: {
        count: n,
        timeUs: this.instantTime.slice(0, n),
        name: this.instantName.slice(0, n),
        track: this.instantTrack.slice(0, n),
        scope: this.instantScope.slice(0, n),
      },
      counters,
      runs,
      startUs,
      endUs,
      notes: {
        phaseCounts: { ...this.phaseCounts },
        skipped: this.skipped,
        unmatchedBegins,
        unmatchedEnds: this.unmatchedEnds,
        truncated: notes.truncated,
        ...(notes.error ? { error: notes.error } : {}),
        byteLength: notes.byteLength,
        eventCount: this.eventCount,
      },
    };
  }
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, b: T): T {
  b.set(a);
  return b;
}

/**
 * model_run slices in start order, and for every slice the run it falls in: the first run (by start) that has not
 * ended before the slice starts, if it started by then. Kernel totals per run.
 */
function assignRuns(slices: TraceModel["slices"]): TraceRun[] {
  const runSlices: number[] = [];
  for (let i = 0; i < slices.count; i++) if (slices.kind[i] === SLICE_KIND.run) runSlices.push(i);
  runSlices.sort((a, b) => slices.startUs[a] - slices.startUs[b] || a - b);
  const runs: TraceRun[] = runSlices.map((i) => ({
    slice: i,
    startUs: slices.startUs[i],
    durationUs: slices.durationUs[i],
    kernelUs: 0,
    kernels: 0,
  }));
  const maxEnds = new Float64Array(runs.length);
  let max = -Infinity;
  runs.forEach((r, k) => (maxEnds[k] = max = Math.max(max, r.startUs + r.durationUs)));
  for (let i = 0; i < slices.count; i++) {
    const t = slices.startUs[i];
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (maxEnds[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    const r = lo < runs.length && runs[lo].startUs <= t ? lo : -1;
    slices.run[i] = r;
    if (r >= 0 && slices.kind[i] === SLICE_KIND.kernel) {
      runs[r].kernelUs += slices.durationUs[i];
      runs[r].kernels++;
    }
  }
  return runs;
}

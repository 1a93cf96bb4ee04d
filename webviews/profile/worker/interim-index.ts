// INTERIM (deleted once dev/profile-trace lands common/trace/trace-index.ts): a small TraceModel builder so the
// viewer can be built and tested before the TRACE helper's `TraceIndexBuilder` is on main. Same surface:
// add(event, byteOffset), addLiveKernels(iteration, kernels), finish(). Not tuned: the real one replaces it.
import type { KernelEvent } from "../../../common/events";
import type { TraceEvent } from "../../../common/trace/trace-event";
import { SLICE_KIND, type TraceCounter, type TraceModel, type TraceTrack } from "../../../common/trace/trace-model";

interface RawSlice {
  start: number;
  dur: number;
  name: number;
  cat: number;
  track: number;
  kind: number;
  op: number;
  provider: number;
  offset: number;
}

const KERNEL_SUFFIX = "_kernel_time";

export class InterimIndexBuilder {
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly trackIds = new Map<string, number>();
  private readonly tracks: { pid: number | string; tid: number | string }[] = [];
  private readonly processNames = new Map<string, string>();
  private readonly threadNames = new Map<string, string>();
  private readonly slices: RawSlice[] = [];
  private readonly open = new Map<number, { event: TraceEvent; offset: number }[]>();
  private readonly instants: { time: number; name: number; track: number }[] = [];
  private readonly counters = new Map<
    string,
    { name: string; pid: number | string; series: string; t: number[]; v: number[] }
  >();
  private readonly phaseCounts: Record<string, number> = {};
  private skipped = 0;
  private unmatchedEnds = 0;
  private eventCount = 0;

  intern(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  private track(pid: number | string = 0, tid: number | string = 0): number {
    const key = `${pid}:${tid}`;
    let id = this.trackIds.get(key);
    if (id === undefined) {
      id = this.tracks.length;
      this.tracks.push({ pid, tid });
      this.trackIds.set(key, id);
    }
    return id;
  }

  add(e: TraceEvent, byteOffset: number): void {
    this.eventCount++;
    const ph = typeof e.ph === "string" ? e.ph : "?";
    this.phaseCounts[ph] = (this.phaseCounts[ph] ?? 0) + 1;
    const ts = typeof e.ts === "number" ? e.ts : 0;
    if (ph === "X") this.slice(e, ts, typeof e.dur === "number" ? e.dur : 0, byteOffset);
    else if (ph === "B") {
      const t = this.track(e.pid, e.tid);
      const stack = this.open.get(t) ?? [];
      stack.push({ event: e, offset: byteOffset });
      this.open.set(t, stack);
    } else if (ph === "E") {
      const begin = this.open.get(this.track(e.pid, e.tid))?.pop();
      if (!begin) this.unmatchedEnds++;
      else {
        const bts = typeof begin.event.ts === "number" ? begin.event.ts : 0;
        this.slice(begin.event, bts, ts - bts, begin.offset);
      }
    } else if (ph === "i" || ph === "I")
      this.instants.push({ time: ts, name: this.intern(String(e.name ?? "")), track: this.track(e.pid, e.tid) });
    else if (ph === "C") {
      for (const [series, value] of Object.entries(e.args ?? {})) {
        if (typeof value !== "number") continue;
        const key = `${String(e.pid)}|${String(e.name)}|${series}`;
        let c = this.counters.get(key);
        if (!c) this.counters.set(key, (c = { name: String(e.name ?? ""), pid: e.pid ?? 0, series, t: [], v: [] }));
        c.t.push(ts);
        c.v.push(value);
      }
    } else if (ph === "M") {
      const name = (e.args as { name?: unknown } | undefined)?.name;
      if (typeof name !== "string") return;
      if (e.name === "process_name") this.processNames.set(String(e.pid), name);
      if (e.name === "thread_name") this.threadNames.set(`${String(e.pid)}:${String(e.tid)}`, name);
    } else this.skipped++;
  }

  private slice(e: TraceEvent, start: number, dur: number, offset: number): void {
    let name = String(e.name ?? "");
    const args = e.args ?? {};
    let kind: number = SLICE_KIND.other;
    let op = -1;
    let provider = -1;
    if (e.cat === "Session") kind = name === "model_run" ? SLICE_KIND.run : SLICE_KIND.session;
    else if (e.cat === "Node" && name.endsWith(KERNEL_SUFFIX)) {
      kind = SLICE_KIND.kernel;
      name = name.slice(0, -KERNEL_SUFFIX.length);
      if (typeof args.op_name === "string") op = this.intern(args.op_name);
      if (typeof args.provider === "string") provider = this.intern(args.provider);
    }
    this.slices.push({
      start,
      dur: Math.max(0, dur),
      name: this.intern(name),
      cat: typeof e.cat === "string" ? this.intern(e.cat) : -1,
      track: this.track(e.pid, e.tid),
      kind,
      op,
      provider,
      offset,
    });
  }

  /** One live iteration: a model_run slice around its kernels on the "live" track. */
  addLiveKernels(iteration: number, kernels: readonly KernelEvent[]): void {
    if (kernels.length === 0) return;
    const track = this.track("live", "kernels");
    this.processNames.set("live", "live run");
    this.threadNames.set("live:kernels", "kernels");
    let start = Infinity;
    let end = -Infinity;
    for (const k of kernels) {
      start = Math.min(start, k.startUs);
      end = Math.max(end, k.startUs + k.durationUs);
      this.slices.push({
        start: k.startUs,
        dur: k.durationUs,
        name: this.intern(k.node),
        cat: this.intern("Node"),
        track,
        kind: SLICE_KIND.kernel,
        op: this.intern(k.opType),
        provider: k.provider === undefined ? -1 : this.intern(k.provider),
        offset: -1,
      });
    }
    this.slices.push({
      start,
      dur: end - start,
      name: this.intern("model_run"),
      cat: this.intern("Session"),
      track,
      kind: SLICE_KIND.run,
      op: -1,
      provider: -1,
      offset: -1,
    });
    this.phaseCounts.live = (this.phaseCounts.live ?? 0) + kernels.length;
    void iteration;
  }

  finish(byteLength = 0, truncated = false, error?: TraceModel["notes"]["error"]): TraceModel {
    let unmatchedBegins = 0;
    for (const stack of this.open.values()) unmatchedBegins += stack.length;
    const order = this.slices.slice().sort((a, b) => a.track - b.track || a.start - b.start || b.dur - a.dur);
    const n = order.length;
    const s = {
      count: n,
      startUs: new Float64Array(n),
      durationUs: new Float64Array(n),
      name: new Int32Array(n),
      category: new Int32Array(n),
      track: new Int32Array(n),
      depth: new Uint16Array(n),
      kind: new Uint8Array(n),
      opType: new Int32Array(n),
      provider: new Int32Array(n),
      run: new Int32Array(n).fill(-1),
      byteOffset: new Float64Array(n),
    };
    const tracks: TraceTrack[] = this.tracks.map((t, id) => ({
      id,
      pid: t.pid,
      tid: t.tid,
      processName: this.processNames.get(String(t.pid)) ?? `pid ${String(t.pid)}`,
      threadName: this.threadNames.get(`${String(t.pid)}:${String(t.tid)}`) ?? `tid ${String(t.tid)}`,
      depthCount: 0,
      first: 0,
      count: 0,
    }));
    const runs: TraceModel["runs"] = [];
    const ends: number[] = [];
    let startUs = Infinity;
    let endUs = -Infinity;
    for (let i = 0; i < n; i++) {
      const r = order[i];
      const track = tracks[r.track];
      if (track.count === 0) {
        track.first = i;
        ends.length = 0;
      }
      track.count++;
      while (ends.length > 0 && ends[ends.length - 1] <= r.start) ends.pop();
      const depth = ends.length;
      ends.push(r.start + r.dur);
      track.depthCount = Math.max(track.depthCount, depth + 1);
      s.startUs[i] = r.start;
      s.durationUs[i] = r.dur;
      s.name[i] = r.name;
      s.category[i] = r.cat;
      s.track[i] = r.track;
      s.depth[i] = depth;
      s.kind[i] = r.kind;
      s.opType[i] = r.op;
      s.provider[i] = r.provider;
      s.byteOffset[i] = r.offset;
      startUs = Math.min(startUs, r.start);
      endUs = Math.max(endUs, r.start + r.dur);
      if (r.kind === SLICE_KIND.run)
        runs.push({ slice: i, startUs: r.start, durationUs: r.dur, kernelUs: 0, kernels: 0 });
    }
    runs.sort((a, b) => a.startUs - b.startUs);
    for (let k = 0; k < runs.length; k++) s.run[runs[k].slice] = k;
    // Kernels belong to the run (on any track) whose span holds their start.
    for (let i = 0; i < n; i++) {
      if (s.kind[i] !== SLICE_KIND.kernel) continue;
      const t = s.startUs[i];
      let lo = 0;
      let hi = runs.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (runs[mid].startUs <= t) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found >= 0 && t <= runs[found].startUs + runs[found].durationUs) {
        s.run[i] = found;
        runs[found].kernelUs += s.durationUs[i];
        runs[found].kernels++;
      }
    }
    for (const x of this.instants) {
      startUs = Math.min(startUs, x.time);
      endUs = Math.max(endUs, x.time);
    }
    const counters: TraceCounter[] = [...this.counters.values()].map((c) => ({
      name: c.name,
      pid: c.pid,
      series: c.series,
      timeUs: Float64Array.from(c.t),
      value: Float64Array.from(c.v),
    }));
    return {
      strings: this.strings,
      tracks,
      slices: s,
      instants: {
        count: this.instants.length,
        timeUs: Float64Array.from(this.instants, (x) => x.time),
        name: Int32Array.from(this.instants, (x) => x.name),
        track: Int32Array.from(this.instants, (x) => x.track),
      },
      counters,
      runs,
      startUs: Number.isFinite(startUs) ? startUs : 0,
      endUs: Number.isFinite(endUs) ? endUs : 0,
      notes: {
        phaseCounts: this.phaseCounts,
        skipped: this.skipped,
        unmatchedBegins,
        unmatchedEnds: this.unmatchedEnds,
        truncated,
        error,
        byteLength,
        eventCount: this.eventCount,
      },
    };
  }
}

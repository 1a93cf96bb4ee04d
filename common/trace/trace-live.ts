// The live timeline's model: kernels streamed by a running `edge run` (KernelEvent, one batch per profiled
// iteration) appended to a TraceModel as they come, in O(batch) each: one track, each iteration a model_run-kind slice
// ("iteration N") spanning its kernels, the kernels nested under it. A batch that starts before the last one (out of
// order) rebuilds the model from every kernel so far through TraceIndexBuilder. Each append returns a fresh
// TraceModel object over the same grown columns (views), so caches keyed by model (trace-window.ts) stay right.
import type { KernelEvent } from "../events";
import { LIVE_PID, LIVE_TID, TraceIndexBuilder } from "./trace-index";
import type { TraceModel, TraceRun } from "./trace-model";
import { SLICE_KIND } from "./trace-model";
import { SliceColumns } from "./slice-columns";

export class LiveTimeline {
  private readonly all: KernelEvent[] = [];
  private readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly columns = new SliceColumns();
  private depth = new Uint16Array(1024);
  private run = new Int32Array(1024);
  private runs: TraceRun[] = [];
  private depthCount = 0;
  private lastStartUs = -Infinity;
  private startUs = Infinity;
  private endUs = -Infinity;
  private rebuilt: TraceModel | undefined;

  private intern(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      this.ids.set(text, (id = this.strings.length));
      this.strings.push(text);
    }
    return id;
  }

  /** Adds one batch (an iteration's kernels); returns the model with everything so far. */
  append(kernels: readonly KernelEvent[]): TraceModel {
    this.all.push(...kernels);
    const batch = [...kernels].sort((a, b) => a.startUs - b.startUs || b.durationUs - a.durationUs);
    if (this.rebuilt || (batch.length > 0 && batch[0].startUs < this.lastStartUs)) return this.rebuild();
    // Per iteration in the batch (normally one): its span, then its kernels.
    const byIteration = new Map<number | undefined, KernelEvent[]>();
    for (const k of batch) {
      const list = byIteration.get(k.iteration);
      if (list) list.push(k);
      else byIteration.set(k.iteration, [k]);
    }
    for (const [iteration, list] of byIteration) {
      let runIndex = -1;
      let stackBase = 0;
      if (iteration !== undefined) {
        const start = list[0].startUs;
        const end = Math.max(...list.map((k) => k.startUs + k.durationUs));
        runIndex = this.runs.length;
        const slice = this.push(
          start,
          end - start,
          this.intern(`iteration ${iteration}`),
          SLICE_KIND.run,
          -1,
          -1,
          0,
          runIndex,
        );
        this.runs.push({ slice, startUs: start, durationUs: end - start, kernelUs: 0, kernels: 0 });
        stackBase = 1;
      }
      const stack: number[] = [];
      for (const k of list) {
        while (stack.length > 0 && stack[stack.length - 1] <= k.startUs) stack.pop();
        const provider = k.provider === undefined ? -1 : this.intern(k.provider);
        const depth = stackBase + stack.length;
        this.push(
          k.startUs,
          k.durationUs,
          this.intern(k.node),
          SLICE_KIND.kernel,
          this.intern(k.opType),
          provider,
          depth,
          runIndex,
        );
        stack.push(k.startUs + k.durationUs);
        if (runIndex >= 0) {
          this.runs[runIndex].kernelUs += k.durationUs;
          this.runs[runIndex].kernels++;
        }
      }
    }
    return this.model();
  }

  private push(
    start: number,
    dur: number,
    name: number,
    kind: number,
    op: number,
    provider: number,
    depth: number,
    run: number,
  ): number {
    const i = this.columns.push(start, dur, name, -1, 0, kind, op, provider, -1);
    if (i === this.depth.length) {
      const d = new Uint16Array(i * 2);
      d.set(this.depth);
      this.depth = d;
      const r = new Int32Array(i * 2);
      r.set(this.run);
      this.run = r;
    }
    this.depth[i] = depth;
    this.run[i] = run;
    if (depth + 1 > this.depthCount) this.depthCount = depth + 1;
    this.lastStartUs = Math.max(this.lastStartUs, start);
    this.startUs = Math.min(this.startUs, start);
    this.endUs = Math.max(this.endUs, start + dur);
    return i;
  }

  private model(): TraceModel {
    const c = this.columns;
    const n = c.count;
    return {
      strings: this.strings,
      tracks: [
        {
          id: 0,
          pid: LIVE_PID,
          tid: LIVE_TID,
          processName: "live run",
          threadName: "kernels",
          depthCount: this.depthCount,
          first: 0,
          count: n,
        },
      ],
      slices: {
        count: n,
        startUs: c.startUs.subarray(0, n),
        durationUs: c.durationUs.subarray(0, n),
        name: c.name.subarray(0, n),
        category: c.category.subarray(0, n),
        track: c.track.subarray(0, n),
        depth: this.depth.subarray(0, n),
        kind: c.kind.subarray(0, n),
        opType: c.opType.subarray(0, n),
        provider: c.provider.subarray(0, n),
        run: this.run.subarray(0, n),
        byteOffset: c.byteOffset.subarray(0, n),
      },
      instants: { count: 0, timeUs: new Float64Array(0), name: new Int32Array(0), track: new Int32Array(0) },
      counters: [],
      runs: [...this.runs],
      startUs: Number.isFinite(this.startUs) ? this.startUs : 0,
      endUs: Number.isFinite(this.endUs) ? this.endUs : 0,
      notes: {
        phaseCounts: { X: n },
        skipped: 0,
        unmatchedBegins: 0,
        unmatchedEnds: 0,
        truncated: false,
        byteLength: 0,
        eventCount: n,
      },
    };
  }

  /** Every kernel so far, indexed again (after an out-of-order batch; later batches rebuild too). */
  private rebuild(): TraceModel {
    const builder = new TraceIndexBuilder();
    builder.addLiveKernels(this.all);
    this.rebuilt = builder.finish();
    return this.rebuilt;
  }
}

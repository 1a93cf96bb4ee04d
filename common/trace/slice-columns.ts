// The trace index's slice columns while it is being built (typed arrays grown by doubling), and their final order:
// by track, then start, then longer first (a parent before its children), then file order. Traces are nearly in that
// order already (onnxruntime writes each run's model_run event after its kernels, a few hundred places late), so an
// insertion sort with a budget of moves does it in one pass; a trace too far out of order falls back to a full sort.
import type { TraceSlices } from "./trace-model";

export class SliceColumns {
  count = 0;
  startUs = new Float64Array(1024);
  durationUs = new Float64Array(1024);
  name = new Int32Array(1024);
  category = new Int32Array(1024);
  track = new Int32Array(1024);
  kind = new Uint8Array(1024);
  opType = new Int32Array(1024);
  provider = new Int32Array(1024);
  byteOffset = new Float64Array(1024);

  push(
    startUs: number,
    durationUs: number,
    name: number,
    category: number,
    track: number,
    kind: number,
    opType: number,
    provider: number,
    byteOffset: number,
  ): number {
    if (this.count === this.startUs.length) this.grow(this.count * 2);
    const i = this.count++;
    this.startUs[i] = startUs;
    this.durationUs[i] = durationUs;
    this.name[i] = name;
    this.category[i] = category;
    this.track[i] = track;
    this.kind[i] = kind;
    this.opType[i] = opType;
    this.provider[i] = provider;
    this.byteOffset[i] = byteOffset;
    return i;
  }

  private grow(size: number): void {
    const to = <T extends Float64Array | Int32Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
    this.startUs = to(this.startUs, new Float64Array(size));
    this.durationUs = to(this.durationUs, new Float64Array(size));
    this.name = to(this.name, new Int32Array(size));
    this.category = to(this.category, new Int32Array(size));
    this.track = to(this.track, new Int32Array(size));
    this.kind = to(this.kind, new Uint8Array(size));
    this.opType = to(this.opType, new Int32Array(size));
    this.provider = to(this.provider, new Int32Array(size));
    this.byteOffset = to(this.byteOffset, new Float64Array(size));
  }
}

/** Slice order: a before b (negative), by track, start, longer first, then index. */
function compare(c: SliceColumns, a: number, b: number): number {
  return c.track[a] - c.track[b] || c.startUs[a] - c.startUs[b] || c.durationUs[b] - c.durationUs[a] || a - b;
}

/** The permutation that sorts the columns; insertion sort while it stays within a budget of moves. */
export function sliceOrder(c: SliceColumns): Int32Array {
  const n = c.count;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let budget = 64 * n + 1024;
  for (let i = 1; i < n; i++) {
    const x = order[i];
    if (compare(c, order[i - 1], x) <= 0) continue;
    let j = i - 1;
    while (j >= 0 && compare(c, order[j], x) > 0) {
      order[j + 1] = order[j];
      j--;
      if (--budget < 0) break;
    }
    order[j + 1] = x;
    if (budget < 0) {
      const all = Array.from(order);
      all.sort((a, b) => compare(c, a, b));
      order.set(all);
      return order;
    }
  }
  return order;
}

/** The columns in slice order, trimmed to their count (depth and run are left for the builder to fill). */
export function sortSlices(c: SliceColumns): TraceSlices {
  const n = c.count;
  const order = sliceOrder(c);
  const by = <T extends Float64Array | Int32Array | Uint8Array>(src: T, dst: T): T => {
    for (let i = 0; i < n; i++) dst[i] = src[order[i]];
    return dst;
  };
  return {
    count: n,
    startUs: by(c.startUs, new Float64Array(n)),
    durationUs: by(c.durationUs, new Float64Array(n)),
    name: by(c.name, new Int32Array(n)),
    category: by(c.category, new Int32Array(n)),
    track: by(c.track, new Int32Array(n)),
    depth: new Uint16Array(n),
    kind: by(c.kind, new Uint8Array(n)),
    opType: by(c.opType, new Int32Array(n)),
    provider: by(c.provider, new Int32Array(n)),
    run: new Int32Array(n),
    byteOffset: by(c.byteOffset, new Float64Array(n)),
  };
}

// What calibration keeps of each tensor while the samples stream through: its running min and max, and for the
// percentile and entropy methods a histogram of |x| with a fixed number of bins whose range doubles (merging
// neighbouring bins, so counts stay exact) when a later sample goes past it. One sample's values are folded in and
// dropped; nothing grows with the number of samples.
import { entropyThreshold } from "./entropy";
import type { CalibrationMethod } from "../types";

/** A float range [lo, hi] a tensor is quantized over. */
export interface TensorRange {
  lo: number;
  hi: number;
}

export const HISTOGRAM_BINS = 2048;

/** Counts of |x| in `bins` equal bins over [0, top]; `top` grows by doubling. */
export class AbsHistogram {
  readonly counts: Float64Array;
  /** Upper edge of the last bin (0 until a non-zero value arrives). */
  top = 0;

  constructor(readonly bins = HISTOGRAM_BINS) {
    if (bins < 2 || bins % 2 !== 0) throw new RangeError(`a histogram needs an even number of bins, not ${bins}`);
    this.counts = new Float64Array(bins);
  }

  get width(): number {
    return this.top / this.bins;
  }

  /** Adds finite values whose largest magnitude is `maxAbs`. */
  add(values: ArrayLike<number>, maxAbs: number): void {
    if (maxAbs > this.top) this.grow(maxAbs);
    const last = this.bins - 1;
    if (this.top === 0) {
      // every finite value is 0 here
      for (let i = 0; i < values.length; i++) if (values[i] === 0) this.counts[0]++;
      return;
    }
    const perUnit = this.bins / this.top;
    const counts = this.counts;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      const bin = Math.floor((v < 0 ? -v : v) * perUnit);
      counts[bin > last ? last : bin]++;
    }
  }

  /** Doubles the range until it covers `maxAbs`, merging bin pairs (exact: no count moves across a bin edge). */
  private grow(maxAbs: number): void {
    if (this.top === 0) {
      this.top = maxAbs;
      return;
    }
    const half = this.bins / 2;
    while (this.top < maxAbs) {
      for (let i = 0; i < half; i++) this.counts[i] = this.counts[2 * i] + this.counts[2 * i + 1];
      this.counts.fill(0, half);
      this.top *= 2;
    }
  }

  total(): number {
    let sum = 0;
    for (const c of this.counts) sum += c;
    return sum;
  }

  /** The smallest bin edge below which at least `percent` % of the values lie. */
  percentile(percent: number): number {
    const target = (this.total() * percent) / 100;
    let cumulative = 0;
    for (let i = 0; i < this.bins; i++) {
      cumulative += this.counts[i];
      if (cumulative >= target) return (i + 1) * this.width;
    }
    return this.top;
  }
}

export interface CollectorOptions {
  method: CalibrationMethod;
  /** percentile: the share of |x| kept, in percent (default 99.999). */
  percentile?: number;
  /** entropy: the number of quantized levels of |x| the threshold search compares against (128 for 8 bits). */
  quantizedBins?: number;
  bins?: number;
}

/** Collects one tensor's statistics over the calibration samples and gives its range at the end. */
export class RangeCollector {
  min = Infinity;
  max = -Infinity;
  /** Values seen (finite ones). */
  count = 0;
  /** Non-finite values skipped. */
  nonFinite = 0;
  private readonly histogram?: AbsHistogram;

  constructor(readonly options: CollectorOptions) {
    if (options.method !== "minmax") this.histogram = new AbsHistogram(options.bins);
  }

  add(values: ArrayLike<number>): void {
    let mn = Infinity;
    let mx = -Infinity;
    let bad = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < mn) mn = v;
      if (v > mx) mx = v;
      if (v !== v || v === Infinity || v === -Infinity) bad++;
    }
    if (bad > 0) {
      // rare: recompute the bounds over the finite values only
      mn = Infinity;
      mx = -Infinity;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!Number.isFinite(v)) continue;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      this.nonFinite += bad;
    }
    const finite = values.length - bad;
    if (finite === 0) return;
    this.count += finite;
    if (mn < this.min) this.min = mn;
    if (mx > this.max) this.max = mx;
    this.histogram?.add(values, Math.max(-mn, mx));
  }

  /** The range to quantize over, or undefined when no value was seen. */
  range(): TensorRange | undefined {
    if (this.count === 0) return undefined;
    const h = this.histogram;
    if (!h || h.top === 0) return { lo: this.min, hi: this.max };
    const threshold =
      this.options.method === "percentile"
        ? h.percentile(this.options.percentile ?? 99.999)
        : entropyThreshold(h.counts, h.top, this.options.quantizedBins ?? 128);
    return {
      lo: Math.max(this.min, -threshold),
      hi: Math.min(this.max, threshold),
    };
  }
}

/** The min and max of each channel (axis 1 of N, C, …) over all samples. */
export class ChannelRanges {
  lo?: Float64Array;
  hi?: Float64Array;

  /** Folds in one sample of shape `dims`; false when it has no channel axis or its channel count changed. */
  add(values: ArrayLike<number>, dims: readonly number[]): boolean {
    if (dims.length < 2 || values.length === 0) return false;
    const channels = dims[1];
    const inner = dims.slice(2).reduce((a, b) => a * b, 1);
    this.lo ??= new Float64Array(channels).fill(Infinity);
    this.hi ??= new Float64Array(channels).fill(-Infinity);
    if (this.lo.length !== channels) return false;
    for (let start = 0; start < values.length; start += inner) {
      const c = Math.floor(start / inner) % channels;
      for (let i = start; i < start + inner; i++) {
        const v = values[i];
        if (v < this.lo[c]) this.lo[c] = v;
        if (v > this.hi[c]) this.hi[c] = v;
      }
    }
    return true;
  }

  ranges(): TensorRange[] | undefined {
    if (!this.lo || !this.hi) return undefined;
    return [...this.lo].map((lo, c) => ({ lo, hi: this.hi![c] }));
  }
}

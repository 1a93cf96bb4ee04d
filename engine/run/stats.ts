// Latency statistics of the measured iterations.
//
// Percentiles use linear interpolation between closest ranks (Hyndman & Fan type 7, numpy's and Excel's
// PERCENTILE.INC default): sort the n values x[0..n-1]; for p in [0, 1] let h = (n - 1) * p; the percentile is
// x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]). So p50 of [1, 2, 3, 4] is 2.5, and p0/p100 are
// the min and max. The standard deviation is the sample one (divides by n - 1; 0 for a single value).
// The result types are the reports' (common/measurements.ts).
import type { LatencyStats, Throughput } from "../../common/measurements";

export type { LatencyStats, Throughput } from "../../common/measurements";

/** Percentile `p` (0..1) of values already sorted ascending; linear interpolation between closest ranks. */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError("percentile of no values");
  if (p <= 0) return sorted[0];
  if (p >= 1) return sorted[sorted.length - 1];
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function percentile(values: readonly number[], p: number): number {
  return percentileSorted(
    [...values].sort((a, b) => a - b),
    p,
  );
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (n - 1 in the denominator); 0 for fewer than two values. */
export function sampleStdev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let sq = 0;
  for (const v of values) sq += (v - m) * (v - m);
  return Math.sqrt(sq / (values.length - 1));
}

/** Statistics of latencies in ms; null when there are none (an aborted or failed run before any iteration). */
export function latencyStats(latenciesMs: readonly number[]): LatencyStats | null {
  if (latenciesMs.length === 0) return null;
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    meanMs: mean(sorted),
    stdevMs: sampleStdev(sorted),
    minMs: sorted[0],
    maxMs: sorted[sorted.length - 1],
    p50Ms: percentileSorted(sorted, 0.5),
    p90Ms: percentileSorted(sorted, 0.9),
    p95Ms: percentileSorted(sorted, 0.95),
    p99Ms: percentileSorted(sorted, 0.99),
  };
}

export function throughput(stats: LatencyStats | null, iterations: number, wallClockMs: number): Throughput {
  return {
    fromMeanIps: stats && stats.meanMs > 0 ? 1000 / stats.meanMs : null,
    wallClockIps: iterations > 0 && wallClockMs > 0 ? (iterations * 1000) / wallClockMs : null,
    wallClockMs,
  };
}

// Latency statistics against values computed by hand (and numpy's default percentile, type 7).
import { test } from "node:test";
import assert from "node:assert/strict";
import { latencyStats, mean, percentile, sampleStdev, throughput } from "../../engine/run/stats";

const close = (actual: number, expected: number, eps = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= eps, `${actual} ≉ ${expected}`);

void test("percentiles interpolate linearly between closest ranks", () => {
  // sorted 1,2,3,4: h = 3p
  close(percentile([4, 1, 3, 2], 0.5), 2.5);
  close(percentile([4, 1, 3, 2], 0.9), 3.7); // h = 2.7 → 3 + 0.7 * 1
  close(percentile([4, 1, 3, 2], 0.95), 3.85);
  close(percentile([4, 1, 3, 2], 0), 1);
  close(percentile([4, 1, 3, 2], 1), 4);
  close(percentile([7], 0.99), 7);
  // numpy.percentile(range(1, 101), 99) == 99.01
  close(
    percentile(
      Array.from({ length: 100 }, (_, i) => i + 1),
      0.99,
    ),
    99.01,
  );
  assert.throws(() => percentile([], 0.5), RangeError);
});

void test("mean and sample standard deviation", () => {
  close(mean([2, 4, 4, 4, 5, 5, 7, 9]), 5);
  // sum of squared deviations 32, n - 1 = 7
  close(sampleStdev([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7));
  assert.equal(sampleStdev([3]), 0);
});

void test("latencyStats and throughput", () => {
  const s = latencyStats([10, 20, 30, 40, 50])!;
  assert.equal(s.count, 5);
  close(s.meanMs, 30);
  close(s.stdevMs, Math.sqrt(1000 / 4));
  assert.equal(s.minMs, 10);
  assert.equal(s.maxMs, 50);
  close(s.p50Ms, 30);
  close(s.p90Ms, 46); // h = 3.6
  close(s.p95Ms, 48);
  close(s.p99Ms, 49.6);
  const t = throughput(s, 5, 200);
  close(t.fromMeanIps!, 1000 / 30);
  close(t.wallClockIps!, 25);
  assert.equal(latencyStats([]), null);
  assert.deepEqual(throughput(null, 0, 0), { fromMeanIps: null, wallClockIps: null, wallClockMs: 0 });
});

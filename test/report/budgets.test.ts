// Budget verdicts: pass and fail on each measured budget, min vs max limits, and budgets that cannot be checked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkBudgets, describeVerdict } from "../../engine/report/budgets";
import { fakeResult } from "./helpers";

void test("measured budgets pass or fail against their limits", () => {
  const verdicts = checkBudgets(
    { latency_p50_ms: 30, latency_p95_ms: 40, latency_p99_ms: 50, latency_mean_ms: 31, latency_max_ms: 49, latency_p90_ms: 46, throughput_min_ips: 40, size_mb: 5, peak_memory_mb: 150 },
    fakeResult(),
  );
  const byName = Object.fromEntries(verdicts.map((v) => [v.name, v]));
  assert.deepEqual(byName.latency_p50_ms, { name: "latency_p50_ms", limit: 30, actual: 30, unit: "ms", pass: true }, "equal to the limit passes");
  assert.equal(byName.latency_p95_ms.pass, false); // 48
  assert.equal(byName.latency_p99_ms.pass, true); // 49.6
  assert.equal(byName.latency_mean_ms.pass, true); // 30
  assert.equal(byName.latency_max_ms.pass, false); // 50
  assert.equal(byName.latency_p90_ms.pass, true); // 46
  assert.deepEqual([byName.throughput_min_ips.actual, byName.throughput_min_ips.pass], [1000 / 30, false], "throughput is a minimum");
  assert.deepEqual([byName.size_mb.actual, byName.size_mb.unit, byName.size_mb.pass], [5.5, "MB", false], "MB are 10^6 bytes");
  assert.deepEqual([byName.peak_memory_mb.actual, byName.peak_memory_mb.pass], [150, true]);
  assert.equal(describeVerdict(byName.latency_p95_ms), "latency_p95_ms: 48.00 ms > 40.00 ms");
  assert.equal(describeVerdict(byName.throughput_min_ips), "throughput_min_ips: 33.33 inferences/s < 40.00 inferences/s");
});

void test("budgets that cannot be checked get pass null and a reason", () => {
  const verdicts = checkBudgets({ perplexity_increase_pct: 3, cosine_min: 0.99, frobnicate_ms: 1, latency_p95_ms: 10 }, fakeResult([]));
  assert.deepEqual(
    verdicts.map((v) => [v.name, v.pass, v.actual, v.reason]),
    [
      ["perplexity_increase_pct", null, null, "needs `evaluate`, which edge run does not do yet"],
      ["cosine_min", null, null, "needs `evaluate`, which edge run does not do yet"],
      ["frobnicate_ms", null, null, "unknown budget"],
      ["latency_p95_ms", null, null, "no measured iterations"],
    ],
  );
  assert.deepEqual(checkBudgets(undefined, fakeResult()), []);
});

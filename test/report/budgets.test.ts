// Budget verdicts: pass and fail on each measured budget, min vs max limits, and budgets that cannot be checked.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CompareResult } from "../../engine/evaluate/types";
import { checkBudgets, describeVerdict } from "../../engine/report/budgets";
import { fakeResult } from "./helpers";

void test("measured budgets pass or fail against their limits", () => {
  const verdicts = checkBudgets(
    {
      latency_p50_ms: 30,
      latency_p95_ms: 40,
      latency_p99_ms: 50,
      latency_mean_ms: 31,
      latency_max_ms: 49,
      latency_p90_ms: 46,
      throughput_min_ips: 40,
      size_mb: 5,
      peak_memory_mb: 150,
    },
    fakeResult(),
  );
  const byName = Object.fromEntries(verdicts.map((v) => [v.name, v]));
  assert.deepEqual(
    byName.latency_p50_ms,
    { name: "latency_p50_ms", limit: 30, actual: 30, unit: "ms", pass: true },
    "equal to the limit passes",
  );
  assert.equal(byName.latency_p95_ms.pass, false); // 48
  assert.equal(byName.latency_p99_ms.pass, true); // 49.6
  assert.equal(byName.latency_mean_ms.pass, true); // 30
  assert.equal(byName.latency_max_ms.pass, false); // 50
  assert.equal(byName.latency_p90_ms.pass, true); // 46
  assert.deepEqual(
    [byName.throughput_min_ips.actual, byName.throughput_min_ips.pass],
    [1000 / 30, false],
    "throughput is a minimum",
  );
  assert.deepEqual(
    [byName.size_mb.actual, byName.size_mb.unit, byName.size_mb.pass],
    [5.5, "MB", false],
    "MB are 10^6 bytes",
  );
  assert.deepEqual([byName.peak_memory_mb.actual, byName.peak_memory_mb.pass], [150, true]);
  assert.equal(describeVerdict(byName.latency_p95_ms), "latency_p95_ms: 48.00 ms > 40.00 ms");
  assert.equal(
    describeVerdict(byName.throughput_min_ips),
    "throughput_min_ips: 33.33 inferences/s < 40.00 inferences/s",
  );
});

void test("budgets that cannot be checked get pass null and a reason", () => {
  const verdicts = checkBudgets(
    { perplexity_increase_pct: 3, cosine_min: 0.99, frobnicate_ms: 1, latency_p95_ms: 10 },
    fakeResult([]),
  );
  assert.deepEqual(
    verdicts.map((v) => [v.name, v.pass, v.actual, v.reason]),
    [
      [
        "perplexity_increase_pct",
        null,
        null,
        "needs the recipe's `evaluate:` step (comparison with the original model)",
      ],
      ["cosine_min", null, null, "needs the recipe's `evaluate:` step (comparison with the original model)"],
      ["frobnicate_ms", null, null, "unknown budget"],
      ["latency_p95_ms", null, null, "no measured iterations"],
    ],
  );
  assert.deepEqual(checkBudgets(undefined, fakeResult()), []);
});

void test("accuracy budgets are checked against the evaluation: lowest cosine and top-1 over outputs, largest error, perplexity increase", () => {
  const output = (name: string, cosine: number, maxAbsError: number, top1Agreement: number | null) => ({
    name,
    shape: [1],
    elements: 1,
    cosine,
    maxAbsError,
    meanAbsError: 0,
    top1Agreement,
    positions: 1,
    nonFinite: 0,
  });
  const size = { path: "m.onnx", sizeBytes: 1, files: [] };
  const evaluation: CompareResult = {
    original: size,
    optimized: size,
    sizeRatio: 1,
    samples: 1,
    inputSource: "text",
    outputs: [output("logits", 0.995, 0.2, 0.91), output("present.0.key", 0.97, 0.5, null)],
    missingOutputs: [],
    perplexity: {
      windows: 1,
      predictedTokens: 127,
      sequenceLength: 128,
      original: { meanNll: 1, perplexity: 2.7 },
      optimized: { meanNll: 1.01, perplexity: 2.75 },
      increasePct: 1.85,
    },
    warnings: [],
  };
  const verdicts = checkBudgets(
    { perplexity_increase_pct: 2, cosine_min: 0.98, max_abs_max: 0.6, top1_min_pct: 95, top5_min_pct: 99 },
    fakeResult(),
    { comparison: evaluation, metrics: ["perplexity", "cosine", "max_abs", "top1", "top5"] },
  );
  assert.deepEqual(
    verdicts.map((v) => [v.name, v.actual, v.pass]),
    [
      ["perplexity_increase_pct", 1.85, true],
      ["cosine_min", 0.97, false],
      ["max_abs_max", 0.5, true],
      ["top1_min_pct", 91, false],
      ["top5_min_pct", null, null],
    ],
  );
  assert.equal(describeVerdict(verdicts[1]), "cosine_min: 0.970 < 0.980");
});

void test("an accuracy budget whose metric the recipe did not ask for is not checked, and says so", () => {
  const size = { path: "m.onnx", sizeBytes: 1, files: [] };
  const comparison: CompareResult = {
    original: size,
    optimized: size,
    sizeRatio: 1,
    samples: 1,
    inputSource: "synthetic",
    outputs: [],
    missingOutputs: [],
    warnings: [],
  };
  const [v] = checkBudgets({ top1_min_pct: 90 }, fakeResult(), { comparison, metrics: ["cosine"] });
  assert.deepEqual([v.pass, v.actual, v.reason], [null, null, "`evaluate.metrics` does not include `top1`"]);
});

// Calibration statistics and the calibration run: min/max of known data, the |x| histogram (exact merging when its
// range grows), percentile clipping of an outlier, the entropy threshold of known distributions against an
// independently computed reference (the MSE-optimal clip found by brute force here), and calibrate() on built
// models run in onnxruntime-node: a main-graph tensor and tensors inside If branches (taken or never taken).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { decodeModel } from "../../engine/onnx/read-model";
import { readModel } from "../../engine/onnx/read-model";
import { writeModel } from "../../engine/onnx/write-model";
import { calibrate } from "../../engine/quantize/calibrate/run";
import { entropyThreshold } from "../../engine/quantize/calibrate/entropy";
import { AbsHistogram, ChannelRanges, RangeCollector } from "../../engine/quantize/calibrate/histogram";
import { bytesOf, DT, graph, model, node, tensor, valueInfo } from "../onnx/model-builder";
import { randn } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "edge-calibrate-"));
after(() => rmSync(dir, { recursive: true, force: true }));

void test("minmax keeps the running min and max over samples and ignores values that are not finite", () => {
  const c = new RangeCollector({ method: "minmax" });
  c.add(Float32Array.of(1, -2, 3));
  c.add(Float32Array.of(0.5, 7, NaN, -Infinity));
  assert.deepEqual(c.range(), { lo: -2, hi: 7 });
  assert.equal(c.nonFinite, 2);
  assert.equal(new RangeCollector({ method: "minmax" }).range(), undefined);
});

void test("per-channel ranges follow axis 1 over batches and samples; a sample with another channel count is refused", () => {
  const c = new ChannelRanges();
  // [N=2, C=3, 2]: channel 0 holds 1, 2 and 7, 8; channel 1: -1, 0 and 9, 10; channel 2: 5, 6 and -3, 4
  assert.ok(c.add(Float32Array.of(1, 2, -1, 0, 5, 6, 7, 8, 9, 10, -3, 4), [2, 3, 2]));
  assert.ok(c.add(Float32Array.of(0, -5, 1), [1, 3]));
  assert.deepEqual(c.ranges(), [
    { lo: 0, hi: 8 },
    { lo: -5, hi: 10 },
    { lo: -3, hi: 6 },
  ]);
  assert.equal(c.add(Float32Array.of(1, 2), [1, 2]), false);
  assert.equal(new ChannelRanges().ranges(), undefined);
});

void test("the |x| histogram doubles its range by merging bins, keeping every count", () => {
  const h = new AbsHistogram(8);
  h.add(Float32Array.of(0.1, 0.9, -0.5), 0.9);
  assert.equal(h.top, 0.9);
  h.add(Float32Array.of(3), 3); // 0.9 → 1.8 → 3.6
  assert.ok(Math.abs(h.top - 3.6) < 1e-12);
  assert.equal(h.total(), 4);
  // bins are 0.45 wide now: 0.1 stays in bin 0, 0.5 in bin 1 (old bins 4 and 7 merged twice: 4 → 2 → 1, 7 → 3 → 1)
  assert.equal(h.counts[0], 1);
  assert.equal(h.counts[1], 2);
  assert.equal(
    h.counts.reduce((a, b) => a + b, 0),
    4,
  );
  assert.equal(h.counts[6], 1, "3 lies in [2.7, 3.15)");
});

void test("percentile clips a single outlier that minmax keeps", () => {
  const values = new Float32Array(100_001);
  for (let i = 0; i < 100_000; i++) values[i] = (i / 100_000) * 2 - 1;
  values[100_000] = 1000;
  const minmax = new RangeCollector({ method: "minmax" });
  const percentile = new RangeCollector({
    method: "percentile",
    percentile: 99.99,
  });
  for (let part = 0; part < 4; part++) {
    const chunk = values.subarray(part * 25_001, (part + 1) * 25_001);
    minmax.add(chunk);
    percentile.add(chunk);
  }
  assert.equal(minmax.range()!.hi, 1000);
  const clipped = percentile.range()!;
  assert.equal(clipped.lo, -1);
  assert.ok(clipped.hi >= 0.99 && clipped.hi <= 1.5, `percentile range top ${clipped.hi} should be about 1`);
});

/** The clip threshold minimizing the mean squared error of symmetric quantization to `levels` magnitudes. */
function mseOptimalClip(values: Float32Array, levels: number): number {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  let best = Infinity;
  let bestT = max;
  for (let t = max / 64; t <= max; t += max / 512) {
    const scale = t / (levels - 1);
    let err = 0;
    for (const v of values) {
      const q = Math.max(-t, Math.min(t, Math.round(v / scale) * scale));
      err += (q - v) ** 2;
    }
    if (err < best) {
      best = err;
      bestT = t;
    }
  }
  return bestT;
}

void test("the entropy threshold of a Gaussian lies a few sigma out, near the MSE-optimal clip, and ignores an outlier", () => {
  const values = randn(200_000, 11);
  let sum2 = 0;
  let max = 0;
  for (const v of values) {
    sum2 += v * v;
    max = Math.max(max, Math.abs(v));
  }
  const sigma = Math.sqrt(sum2 / values.length);
  const c = new RangeCollector({ method: "entropy" });
  c.add(values);
  const t = c.range()!.hi;
  const reference = mseOptimalClip(values.subarray(0, 40_000), 128);
  assert.ok(t / sigma > 2 && t / sigma < 6, `threshold ${t.toFixed(3)} is ${(t / sigma).toFixed(2)} σ`);
  assert.ok(t <= max, "the threshold does not pass the largest value");
  assert.ok(t / reference > 0.5 && t / reference < 2, `entropy ${t.toFixed(3)} vs MSE-optimal ${reference.toFixed(3)}`);
  // One huge value moves minmax to 1000; entropy clips it away. (The histogram's range grew to cover 1000, so its
  // bins are coarse and the smallest candidate is 128 of 2048 bins: the threshold is far below 1000, not 4σ.)
  const withOutlier = new RangeCollector({ method: "entropy" });
  withOutlier.add(values);
  withOutlier.add(Float32Array.of(1000));
  assert.ok(withOutlier.range()!.hi < 150, `threshold with an outlier: ${withOutlier.range()!.hi}`);
});

void test("the entropy threshold of a uniform distribution keeps nearly all of it", () => {
  const counts = new Float64Array(2048).fill(100);
  const t = entropyThreshold(counts, 1, 128);
  assert.ok(t > 0.85 && t <= 1, `uniform threshold ${t}`);
});

void test("calibrate runs the float model with intermediate tensors exposed and returns their ranges", async () => {
  // x → Mul 2 → h → Relu → r (output); also a tensor inside an If branch.
  const branch = (scale: number, out: string, mid: string) =>
    graph({
      nodes: [node("Mul", ["r", "k" + scale], [mid]), node("Neg", [mid], [out])],
      outputs: [valueInfo(out, DT.FLOAT, null)],
      initializers: [tensor("k" + scale, [], [scale])],
    });
  const m = model(
    graph({
      nodes: [
        node("Mul", ["x", "two"], ["h"]),
        node("Relu", ["h"], ["r"]),
        node("If", ["flag"], ["b"], {
          then_branch: branch(3, "t_out", "t_mid"),
          else_branch: branch(5, "e_out", "e_mid"),
        }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [2, 3]), valueInfo("flag", DT.BOOL, [])],
      outputs: [valueInfo("r", DT.FLOAT, [2, 3]), valueInfo("b", DT.FLOAT, [2, 3])],
      initializers: [tensor("two", [], [2])],
    }),
    { opset: 17 },
  );
  const path = join(dir, "calib.onnx");
  await writeModel(decodeModel(bytesOf(m), "calib"), path);
  const onnx = await readModel(path);
  const x = (values: number[]) => ({
    dtype: "float32" as const,
    shape: [2, 3],
    data: Float32Array.from(values),
  });
  const flag = { dtype: "bool" as const, shape: [], data: Uint8Array.of(1) };
  const samples = [
    { x: x([1, -2, 3, 0.5, 0, -1]), flag },
    { x: x([-4, 1, 1, 1, 1, 1.5]), flag },
  ];
  const result = await calibrate(onnx, ["h", "r", "t_mid", "e_mid"], {
    method: "minmax",
    samples,
    channels: new Set(["h"]),
    float32: () => true,
  });
  assert.deepEqual(result.ranges.get("h"), { lo: -8, hi: 6 });
  assert.deepEqual(
    result.channelRanges.get("h"),
    [
      { lo: -8, hi: 2 },
      { lo: -4, hi: 2 },
      { lo: -2, hi: 6 },
    ],
    "per-channel ranges of h = 2x along axis 1",
  );
  assert.ok(!result.channelRanges.has("r"), "only the tensors asked for");
  assert.deepEqual(result.ranges.get("r"), { lo: 0, hi: 6 });
  assert.deepEqual(result.ranges.get("t_mid"), { lo: 0, hi: 18 }, "the taken branch's tensor is seen through the If");
  assert.ok(result.missing.includes("e_mid"), "the branch never taken has no range");
  assert.deepEqual(result.extremes.get("h"), result.ranges.get("h"), "minmax: the extremes are the range");
  const clipped = await calibrate(onnx, ["h"], { method: "percentile", percentile: 50, samples, float32: () => true });
  assert.ok(clipped.ranges.get("h")!.hi < 6, "percentile 50 clips h");
  assert.deepEqual(
    clipped.extremes.get("h"),
    { lo: -8, hi: 6 },
    "the extremes keep what percentile clips (what 16-bit tensors use)",
  );
  assert.equal(onnx.proto.graph!.output.length, 2, "the model's own proto is not modified");
  await assert.rejects(
    calibrate(onnx, ["h"], {
      method: "minmax",
      samples: [{ x: x([1, 2, 3, 4, 5, 6]) }],
      float32: () => true,
    }),
    /lacks input "flag"/,
  );
});

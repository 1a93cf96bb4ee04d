// The report app's pure parts: formatting (common/units.ts with a dash for missing values), deltas, and the chart's
// layout (no browser needed).
import assert from "node:assert/strict";
import { test } from "node:test";
import { layoutChart, niceCeil } from "../../webviews/report/chart";
import { bytesOrDash, deltaClass, formatDelta, msOrDash, rateOrDash } from "../../webviews/report/format";

void test("formatting: 4 significant digits, kB/MB of 10^3/10^6 bytes, missing values as a dash", () => {
  assert.equal(msOrDash(4.2006), "4.201 ms");
  assert.equal(msOrDash(123.45), "123.5 ms");
  assert.equal(msOrDash(null), "—");
  assert.equal(bytesOrDash(578966), "579.0 kB");
  assert.equal(bytesOrDash(124_448_768), "124.4 MB");
  assert.equal(bytesOrDash(2_000_000_000), "2.00 GB");
  assert.equal(bytesOrDash(undefined), "—");
  assert.equal(rateOrDash(123.45), "123.5 /s");
  assert.equal(rateOrDash(null), "—");
});

void test("deltas: signed percentages of B against A, lower latency is better", () => {
  assert.equal(formatDelta(4, 3), "−25.0%");
  assert.equal(formatDelta(4, 5), "+25.0%");
  assert.equal(formatDelta(4, 4), "±0.0%");
  assert.equal(formatDelta(0, 4), "—");
  assert.equal(deltaClass(4, 3), "better");
  assert.equal(deltaClass(4, 5), "worse");
  assert.equal(deltaClass(100, 100.5), "same");
  assert.equal(deltaClass(200, 250, false), "better");
});

void test("chart layout: one point per iteration inside the plot, y axis from 0 to a round maximum", () => {
  assert.equal(niceCeil(4.7), 5);
  assert.equal(niceCeil(110), 200);
  const layout = layoutChart([
    { label: "a", valuesMs: [1, 2, 4] },
    { label: "b", valuesMs: [3] },
  ]);
  assert.equal(layout.yMaxMs, 5);
  const [a, b] = layout.series;
  assert.equal(a.points.length, 3);
  assert.equal(b.points.length, 1);
  assert.equal(a.points[0].x, layout.plot.left);
  assert.equal(a.points[2].x, layout.plot.right);
  assert.ok(a.points.every((p) => p.y >= layout.plot.top && p.y <= layout.plot.bottom));
  assert.ok(a.points[2].y < a.points[0].y, "larger latency is higher up");
});

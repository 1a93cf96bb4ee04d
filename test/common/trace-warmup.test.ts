// Warm-up runs in the trace tables (common/trace/trace-tables.ts): the default the profile viewer starts from (the
// run's report, a profile the engine wrote, a trace from another tool), the clamp `edge profile --warmup` applies too,
// the tables and iterations over the run range left, and a compare whose two traces have their own warm-ups.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TraceEvent } from "../../common/trace/trace-event";
import { TraceIndexBuilder } from "../../common/trace/trace-index";
import type { TraceModel } from "../../common/trace/trace-model";
import {
  clampSkipRuns,
  compareTraces,
  iterationTable,
  kernelTables,
  warmupDefault,
} from "../../common/trace/trace-tables";

/** `runs` model_runs of two kernels each; run 0 is a slow warm-up (`warmUs` per kernel), the others 10 µs. */
function trace(runs: number, warmUs = 1000): TraceModel {
  const b = new TraceIndexBuilder();
  let t = 0;
  let offset = 0;
  for (let r = 0; r < runs; r++) {
    const start = t;
    for (const [n, op] of [
      ["conv", "Conv"],
      ["relu", "Relu"],
    ]) {
      const dur = r === 0 ? warmUs : 10;
      const e: TraceEvent = {
        ph: "X",
        cat: "Node",
        name: `${n}_kernel_time`,
        ts: t,
        dur,
        pid: 1,
        tid: 1,
        args: { op_name: op, provider: "CPUExecutionProvider" },
      };
      b.add(e, offset++);
      t += dur;
    }
    b.add({ ph: "X", cat: "Session", name: "model_run", ts: start, dur: t - start, pid: 1, tid: 1 }, offset++);
    t += 5;
  }
  return b.finish();
}

void test("the default warm-up: the report's count, none in an engine's profile, one in another tool's long trace", () => {
  assert.deepEqual(warmupDefault(10, { reportWarmupRuns: 2 }), { runs: 2, reason: "report" });
  assert.deepEqual(warmupDefault(1, { reportWarmupRuns: 4 }), { runs: 1, reason: "report" }, "clamped to the runs");
  assert.deepEqual(warmupDefault(10, { engineWritten: true }), { runs: 0, reason: "engine" });
  assert.deepEqual(warmupDefault(10), { runs: 1, reason: "other-tool" });
  assert.deepEqual(warmupDefault(3), { runs: 0, reason: "few-runs" });
  assert.deepEqual(warmupDefault(0), { runs: 0, reason: "few-runs" });
});

void test("skip counts are clamped to whole numbers from 0 to the trace's runs", () => {
  assert.equal(clampSkipRuns(3, 20), 3);
  assert.equal(clampSkipRuns(30, 20), 20);
  assert.equal(clampSkipRuns(-2, 20), 0);
  assert.equal(clampSkipRuns(2.7, 20), 2);
  assert.equal(clampSkipRuns(Number.NaN, 20), 0);
});

void test("tables and iterations over the runs left: warm-ups out of the totals, marked in the iterations", () => {
  const model = trace(6);
  const all = kernelTables(model);
  const measured = kernelTables(model, { skipRuns: 1 });
  assert.equal(all.nodes.find((r) => r.key === "conv")!.totalUs, 1000 + 5 * 10);
  assert.equal(measured.nodes.find((r) => r.key === "conv")!.totalUs, 5 * 10);
  assert.equal(measured.runsMeasured, 5);
  const it = iterationTable(model, { skipRuns: 2 });
  assert.deepEqual(
    it.rows.map((r) => r.warmup),
    [true, true, false, false, false, false],
  );
  assert.equal(it.p95Us, 20);
  // More than the trace has: every run is a warm-up, nothing is measured (as `edge profile --warmup 99`).
  const none = kernelTables(model, { skipRuns: 99 });
  assert.deepEqual([none.runsMeasured, none.kernelUs, none.nodes.length], [0, 0, 0]);
});

void test("compare with a warm-up per trace: each side leaves out its own", () => {
  const before = trace(5, 500);
  const after = trace(4, 2000);
  const same = compareTraces(before, after, { skipRuns: 1 });
  const own = compareTraces(before, after, { skipRuns: 1 }, { skipRuns: 0 });
  assert.equal(same.nodes.find((r) => r.key === "conv")!.afterUs, 10);
  assert.equal(own.nodes.find((r) => r.key === "conv")!.afterUs, (2000 + 3 * 10) / 4);
  assert.equal(own.nodes.find((r) => r.key === "conv")!.beforeUs, 10);
  assert.deepEqual([own.before.runs, own.after.runs], [4, 4]);
});

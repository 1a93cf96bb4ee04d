// The trace model's queries: level-of-detail windows (every slice in the window drawn or inside a merged box, merged
// boxes only of slices too small to see, one per column), the range summary, per iteration latencies with outliers,
// the compare of two models, node ⇄ kernel links, and the live timeline against indexing the same kernels at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { KernelEvent } from "../../common/events";
import type { TraceEvent } from "../../common/trace/trace-event";
import { TraceIndexBuilder } from "../../common/trace/trace-index";
import { LiveTimeline } from "../../common/trace/trace-live";
import { SLICE_KIND, type TraceModel } from "../../common/trace/trace-model";
import {
  compareTraces,
  iterationTable,
  kernelTables,
  kernelsOfNode,
  nodeOfKernel,
} from "../../common/trace/trace-tables";
import { queryWindow, rangeSummary } from "../../common/trace/trace-window";

function build(events: TraceEvent[]): TraceModel {
  const b = new TraceIndexBuilder();
  events.forEach((e, i) => b.add(e, i));
  return b.finish();
}

const kernel = (name: string, op: string, ts: number, dur: number): TraceEvent => ({
  ph: "X",
  cat: "Node",
  name: `${name}_kernel_time`,
  ts,
  dur,
  pid: 1,
  tid: 1,
  args: { op_name: op, provider: "CPUExecutionProvider" },
});
const run = (ts: number, dur: number): TraceEvent => ({
  ph: "X",
  cat: "Session",
  name: "model_run",
  ts,
  dur,
  pid: 1,
  tid: 1,
});

/** Runs of `nodes` kernels; node n's duration in run r from `us(r, n)`. */
function ortLike(
  runs: number,
  nodes: number,
  us: (r: number, n: number) => number,
  ops = ["Conv", "Relu"],
): TraceModel {
  const events: TraceEvent[] = [];
  let t = 0;
  for (let r = 0; r < runs; r++) {
    const start = t;
    for (let n = 0; n < nodes; n++) {
      events.push(kernel(`node${n}`, ops[n % ops.length], t, us(r, n)));
      t += us(r, n);
    }
    events.push(run(start, t - start));
    t += 10;
  }
  return build(events);
}

void test("a window draws every slice once: big ones alone, small ones merged per column", () => {
  // Irregular slices: many tiny ones, some big, nested two deep.
  const events: TraceEvent[] = [];
  let t = 0;
  for (let k = 0; k < 3000; k++) {
    const dur = k % 97 === 0 ? 500 : 1 + (k % 5);
    events.push({ ph: "X", name: `s${k}`, ts: t, dur, pid: 1, tid: 1 });
    if (k % 13 === 0) events.push({ ph: "X", name: `c${k}`, ts: t, dur: dur / 2, pid: 1, tid: 1 });
    t += dur + (k % 3);
  }
  const model = build(events);
  for (const [start, end, min] of [
    [0, t, 50],
    [1000, 5000, 3],
    [2500, 2600, 0.5],
    [0, t, 100000],
  ]) {
    const w = queryWindow(model, 0, start, end, min);
    const covered = new Set<number>();
    const { startUs, durationUs, depth } = model.slices;
    for (let b = 0; b < w.count; b++) {
      if (w.slice[b] >= 0) {
        covered.add(w.slice[b]);
        continue;
      }
      assert.ok(w.members[b] > 1);
      // The members: the slices of that depth starting inside the box, all too small, in one column.
      const members = [];
      for (let i = 0; i < model.slices.count; i++)
        if (depth[i] === w.depth[b] && startUs[i] >= w.startUs[b] && startUs[i] < w.endUs[b] && startUs[i] < end)
          members.push(i);
      const inBox = members.filter((i) => !covered.has(i)).slice(0, w.members[b]);
      for (const i of inBox) {
        assert.ok(durationUs[i] < min, "only slices too small to see are merged");
        assert.equal(Math.floor((startUs[i] - start) / min), Math.floor((w.startUs[b] - start) / min), "one column");
        covered.add(i);
      }
    }
    for (let i = 0; i < model.slices.count; i++) {
      const overlaps = startUs[i] <= end && startUs[i] + durationUs[i] > start;
      if (overlaps) assert.ok(covered.has(i), `slice ${i} drawn in [${start}, ${end}] at ${min}`);
    }
    if (min === 100000)
      assert.ok(w.count <= 2 * model.tracks[0].depthCount, "full zoom-out: a box per column and depth");
  }
});

void test("tables leave the warm-up runs out; percentiles and shares", () => {
  const model = ortLike(5, 4, (r, n) => (r === 0 ? 1000 : 10 * (n + 1) + r));
  const t = kernelTables(model, { skipRuns: 1 });
  assert.equal(t.runsMeasured, 4);
  const node3 = t.nodes.find((r) => r.key === "node3")!;
  assert.deepEqual([node3.count, node3.totalUs, node3.p50Us, node3.p95Us], [4, 41 + 42 + 43 + 44, 42, 44]);
  assert.equal(node3.opType, "Relu");
  assert.equal(node3.provider, "CPUExecutionProvider");
  const conv = t.opTypes.find((r) => r.key === "Conv")!;
  assert.equal(conv.nodes, 2);
  assert.equal(conv.count, 8);
  assert.ok(Math.abs(t.opTypes.reduce((s, r) => s + r.share, 0) - 1) < 1e-12);
  assert.equal(kernelTables(model).nodes.find((r) => r.key === "node3")!.count, 5);
});

void test("iterations: latencies with outliers beyond the fences, warm-ups not judged", () => {
  const model = ortLike(12, 2, (r) => (r === 0 ? 900 : r === 7 ? 300 : 100 + (r % 3)));
  const it = iterationTable(model, { skipRuns: 1 });
  assert.equal(it.rows.length, 12);
  assert.deepEqual(
    it.rows.filter((r) => r.outlier).map((r) => r.run),
    [7],
  );
  assert.ok(it.rows[0].warmup && !it.rows[0].outlier);
  assert.equal(it.outliers, 1);
});

void test("compare per op type and node, sorted by what changed most", () => {
  const before = ortLike(3, 3, (_r, n) => [100, 50, 10][n]);
  const after = ortLike(2, 3, (_r, n) => [20, 45, 10][n], ["Conv", "Relu", "Add"]);
  const c = compareTraces(before, after);
  assert.deepEqual(
    c.nodes.map((r) => [r.key, r.beforeUs, r.afterUs, r.speedup]),
    [
      ["node0", 100, 20, 5],
      ["node1", 50, 45, 50 / 45],
      ["node2", 10, 10, 1],
    ],
  );
  const add = c.opTypes.find((r) => r.key === "Add")!;
  assert.deepEqual([add.beforeUs, add.afterUs, add.speedup], [0, 10, 0]);
  assert.equal(c.opTypes[0].key, "Conv");
});

void test("node ⇄ kernels, and the range summary", () => {
  const model = ortLike(3, 3, () => 10);
  const ks = kernelsOfNode(model, "node1");
  assert.equal(ks.length, 3);
  for (const k of ks) assert.equal(nodeOfKernel(model, k), "node1");
  assert.equal(nodeOfKernel(model, model.runs[0].slice), undefined);
  // Run 1 starts at 40: its node0 (40..50) and half of node1 (50..55), and the run itself.
  const r = rangeSummary(model, 40, 55);
  assert.deepEqual(
    r.rows.map((x) => [x.label, x.kernel, x.count, x.totalUs]),
    [
      ["model_run", false, 1, 15],
      ["Conv", true, 1, 10],
      ["Relu", true, 1, 5],
    ],
  );
  assert.equal(r.kernelUs, 15);
});

void test("the live timeline appends iterations and matches indexing the same kernels at once", () => {
  const live = new LiveTimeline();
  const all: KernelEvent[] = [];
  let model: TraceModel | undefined;
  for (let it = 0; it < 4; it++) {
    const batch: KernelEvent[] = [0, 1, 2].map((n) => ({
      type: "kernel",
      timeMs: 0,
      node: `n${n}`,
      opType: n === 1 ? "Relu" : "Conv",
      startUs: it * 100 + n * 20,
      durationUs: 15,
      iteration: it,
    }));
    all.push(...batch);
    model = live.append(batch);
    assert.equal(model.runs.length, it + 1);
  }
  const b = new TraceIndexBuilder();
  b.addLiveKernels(all);
  const once = b.finish();
  const rows = (m: TraceModel) =>
    Array.from({ length: m.slices.count }, (_, i) => [
      m.strings[m.slices.name[i]],
      m.slices.startUs[i],
      m.slices.depth[i],
      m.slices.kind[i],
      m.slices.run[i],
    ]);
  assert.deepEqual(rows(model!), rows(once));
  assert.deepEqual(kernelTables(model!, { skipRuns: 1 }), kernelTables(once, { skipRuns: 1 }));
  assert.equal(model!.slices.kind[0], SLICE_KIND.run);
  // A batch out of order still gives the same model as indexing everything at once.
  const late: KernelEvent = { type: "kernel", timeMs: 0, node: "n9", opType: "Add", startUs: 5, durationUs: 1 };
  const b2 = new TraceIndexBuilder();
  b2.addLiveKernels([...all, late]);
  assert.deepEqual(rows(live.append([late])), rows(b2.finish()));
});

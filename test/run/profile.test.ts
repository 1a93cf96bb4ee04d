// Profile parsing on a hand-written trace: kernels are assigned to runs, warm-up runs are left out, totals and
// shares add up, and the streamed kernels are the last run's.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type TraceEvent,
  kernelList,
  kernelRecords,
  kernelsToStream,
  parseTrace,
  summarizeProfile,
} from "../../engine/run/profile";
import { isEdgeError } from "../../engine/errors";

function run(start: number, scale: number): TraceEvent[] {
  const k = (name: string, op: string, ts: number, dur: number): TraceEvent => ({
    cat: "Node",
    ph: "X",
    name: `${name}_kernel_time`,
    ts: start + ts,
    dur: dur * scale,
    args: { op_name: op, provider: "CPUExecutionProvider" },
  });
  return [
    { cat: "Session", ph: "X", name: "model_run", ts: start, dur: 50 },
    k("/conv1/Conv", "Conv", 1, 20),
    { cat: "Node", ph: "X", name: "/conv1/Conv_fence_before", ts: start + 1, dur: 0, args: { op_name: "Conv" } },
    k("/relu/Relu", "Relu", 22, 5),
    k("/conv2/Conv", "Conv", 28, 10),
  ];
}

const trace: TraceEvent[] = [
  { cat: "Session", ph: "X", name: "session_initialization", ts: 0, dur: 90 },
  ...run(100, 10), // warm-up: ten times slower, must not count
  ...run(200, 1),
  ...run(300, 1),
];

void test("kernels are assigned to the model_run they fall in", () => {
  const records = kernelRecords(trace);
  const { runCount } = records;
  const kernels = kernelList(records);
  assert.equal(runCount, 3);
  assert.equal(kernels.length, 9);
  assert.deepEqual(
    kernels.map((k) => k.run),
    [0, 0, 0, 1, 1, 1, 2, 2, 2],
  );
  assert.deepEqual(kernels[0], {
    node: "/conv1/Conv",
    opType: "Conv",
    provider: "CPUExecutionProvider",
    startUs: 101,
    durationUs: 200,
    run: 0,
  });
});

void test("summary skips warm-up runs and adds up", () => {
  const s = summarizeProfile(trace, { skipRuns: 1 });
  assert.equal(s.runsInTrace, 3);
  assert.equal(s.runsSummarized, 2);
  assert.equal(s.kernelTimeUs, 70);
  assert.equal(s.kernelTimePerRunUs, 35);
  assert.equal(s.nodeCount, 3);
  assert.deepEqual(
    s.opTypes.map((o) => [o.opType, o.nodes, o.calls, o.totalUs, o.meanUsPerRun]),
    [
      ["Conv", 2, 4, 60, 30],
      ["Relu", 1, 2, 10, 5],
    ],
  );
  assert.ok(Math.abs(s.opTypes[0].share - 60 / 70) < 1e-12);
  assert.deepEqual(
    s.topNodes.map((n) => [n.node, n.calls, n.totalUs, n.meanUs]),
    [
      ["/conv1/Conv", 2, 40, 20],
      ["/conv2/Conv", 2, 20, 10],
      ["/relu/Relu", 2, 10, 5],
    ],
  );
  assert.equal(summarizeProfile(trace, { skipRuns: 1, topNodes: 1 }).topNodes.length, 1);
  // skipping more runs than there are leaves nothing, without dividing by zero
  assert.deepEqual(
    [summarizeProfile(trace, { skipRuns: 5 }).kernelTimePerRunUs, summarizeProfile(trace, { skipRuns: 5 }).opTypes],
    [0, []],
  );
});

void test("streamed kernels are the last run's, capped", () => {
  const records = kernelRecords(trace);
  assert.deepEqual(
    kernelsToStream(records, 100).map((k) => [k.node, k.startUs]),
    [
      ["/conv1/Conv", 301],
      ["/relu/Relu", 322],
      ["/conv2/Conv", 328],
    ],
  );
  assert.equal(kernelsToStream(records, 2).length, 2);
  assert.equal(kernelsToStream(records, 0).length, 0);
});

void test("parseTrace accepts an array or {traceEvents}, and names the file when it is neither", () => {
  assert.equal(parseTrace(JSON.stringify(trace)).length, trace.length);
  assert.equal(parseTrace(JSON.stringify({ traceEvents: trace })).length, trace.length);
  assert.throws(
    () => parseTrace("{}", "p.json"),
    (e: unknown) => isEdgeError(e) && e.code === "run/failed" && e.where.file === "p.json",
  );
  assert.throws(() => parseTrace("[", "p.json"), /not valid JSON/);
});

void test("kernels are assigned by time, whatever the order of events (onnxruntime writes model_run after its kernels)", () => {
  const ortOrder = [trace[0], ...[0, 1, 2].flatMap((r) => [...trace.slice(2 + r * 5, 6 + r * 5), trace[1 + r * 5]])];
  assert.deepEqual(ortOrder.map((e) => e.name).slice(0, 6), [
    "session_initialization",
    "/conv1/Conv_kernel_time",
    "/conv1/Conv_fence_before",
    "/relu/Relu_kernel_time",
    "/conv2/Conv_kernel_time",
    "model_run",
  ]);
  for (const events of [ortOrder, [...trace].reverse()]) {
    assert.deepEqual(summarizeProfile(events, { skipRuns: 1 }), summarizeProfile(trace, { skipRuns: 1 }));
    assert.deepEqual(kernelList(kernelRecords(events)), kernelList(kernelRecords(trace)));
    assert.deepEqual(kernelsToStream(kernelRecords(events), 100), kernelsToStream(kernelRecords(trace), 100));
  }
});

void test("a trace without model_run events: every kernel counts as one run, the last ones are streamed", () => {
  const kernelsOnly = trace.filter((e) => e.name !== "model_run");
  const s = summarizeProfile(kernelsOnly, { skipRuns: 1 });
  assert.deepEqual([s.runsInTrace, s.runsSummarized, s.kernelTimeUs], [0, 1, 350 + 70]);
  assert.deepEqual(
    kernelsToStream(kernelRecords(kernelsOnly), 2).map((k) => [k.node, k.startUs, k.run]),
    [
      ["/relu/Relu", 322, -1],
      ["/conv2/Conv", 328, -1],
    ],
  );
  // kernels outside every run do not count when the trace has runs
  const outside = [
    ...trace,
    { cat: "Node", ph: "X", name: "/late/Add_kernel_time", ts: 1000, dur: 999, args: { op_name: "Add" } },
  ];
  assert.equal(summarizeProfile(outside, { skipRuns: 1 }).kernelTimeUs, 70);
  assert.equal(kernelList(kernelRecords(outside)).at(-1)!.run, -1);
});

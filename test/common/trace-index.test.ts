// The trace index (common/trace/trace-index.ts) over the streaming parser with its fast event reader: the same
// events as JSON.parse (args reduced to the index's keys) however the text is cut, byte offsets that point at each
// event, onnxruntime's runs, kernels and nesting, B/E matching, instants, counters, metadata names, and a
// Chromium-style trace whose flow and async events are counted and skipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TraceParser } from "../../common/trace/trace-parser";
import type { TraceEvent } from "../../common/trace/trace-event";
import { INDEX_ARGS, TraceIndexBuilder } from "../../common/trace/trace-index";
import { SLICE_KIND, type TraceModel } from "../../common/trace/trace-model";
import { kernelTables } from "../../common/trace/trace-tables";
import {
  expectedNodeTotals,
  ortEventCount,
  ortNodeName,
  ortOpType,
  ortTraceChunks,
  type OrtTraceShape,
} from "./ort-trace";

function index(chunks: (string | Uint8Array)[]): { model: TraceModel; events: [TraceEvent, number][] } {
  const builder = new TraceIndexBuilder();
  const events: [TraceEvent, number][] = [];
  const parser = new TraceParser({
    onEvent: (e, offset) => {
      events.push([e, offset]);
      builder.add(e, offset);
    },
    args: INDEX_ARGS,
  });
  for (const c of chunks) parser.write(c);
  return { model: builder.finish(parser.end()), events };
}

const picked = (e: TraceEvent): TraceEvent => {
  if (!e.args || e.ph === "C") return e;
  const args: Record<string, unknown> = {};
  for (const k of INDEX_ARGS.keys) if (k in e.args) args[k] = e.args[k];
  return { ...e, args };
};

// Escapes, non-ASCII text, nesting in args, numbers of every form, keys the reader does not know, a key with an escape.
const tricky: TraceEvent[] = [
  { ph: "M", name: "process_name", pid: 1, args: { name: 'ort "main" ]}', other: [1, { x: "}" }] } },
  { ph: "M", name: "thread_name", pid: 1, tid: 2, args: { name: "intra-op ☃" } },
  {
    cat: "Node",
    ph: "X",
    name: "/décodeur/MatMul_€_kernel_time",
    ts: 1.5e3,
    dur: 12,
    pid: 1,
    tid: 2,
    args: { op_name: "MatMul", provider: "CPU", shape: [[1, 2]], s: 'a\\"b' },
  },
  { ph: "B", name: "a\\\\b\\", ts: 1600, pid: 1, tid: 2, args: { nested: { op_name: "not this" } } },
  { ph: "E", name: "tab\there \u0001", ts: 1700, pid: 1, tid: 2 },
  { ph: "C", name: "memory", ts: -1800.25, pid: 1, args: { bytes: 123456789012345678, ratio: 1.5e-7 } },
  { ph: "i", name: "marker", ts: 0, s: "g", pid: 1, tid: 2, extra: null, flag: true, off: false },
  { ph: "X", 'we"ird': 1, ts: 5, dur: 0, pid: 1, tid: 2 },
  { ph: "X", name: "big", ts: 12345678901234567, dur: 1e3, pid: "p", tid: "t" },
  // args before ph: read after the event's phase is known.
  {
    args: { junk: [1, { a: "]" }], op_name: "Conv" },
    cat: "Node",
    name: "late_kernel_time",
    ph: "X",
    ts: 7,
    dur: 1,
    pid: 3,
    tid: 3,
  },
];
const trickyText = `[\n${tricky.map((e) => JSON.stringify(e)).join(",\n")}\n]\n`;

void test("the fast reader gives JSON.parse's events (args reduced to the index's keys) and each event's byte offset", () => {
  const bytes = Buffer.from(trickyText, "utf8");
  for (let cut = 0; cut < bytes.length; cut += 7) {
    const { events } = index([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(
      events.map(([e]) => e),
      tricky.map(picked),
      `cut at byte ${cut}`,
    );
    for (const [e, offset] of events) {
      const end = bytes.indexOf("\n", offset);
      assert.deepEqual(
        picked(
          JSON.parse(
            bytes
              .subarray(offset, end < 0 ? undefined : end)
              .toString()
              .replace(/,$/, ""),
          ),
        ),
        e,
      );
    }
  }
});

void test("tracks, names from M events, B/E pairs, instants and counters", () => {
  const text = JSON.stringify({
    traceEvents: [
      ...tricky,
      { ph: "E", ts: 10, pid: 9, tid: 9 },
      { ph: "B", name: "open", ts: 20, pid: 1, tid: 2 },
      { ph: "C", name: "memory", ts: -1900, pid: 1, args: { bytes: 5, ratio: 1 } },
    ],
  });
  const { model } = index([text]);
  const t = model.tracks.find((x) => x.pid === 1 && x.tid === 2)!;
  assert.equal(t.processName, 'ort "main" ]}');
  assert.equal(t.threadName, "intra-op ☃");
  assert.equal(model.notes.unmatchedEnds, 1);
  assert.equal(model.notes.unmatchedBegins, 1);
  const names = (track: number) =>
    Array.from({ length: model.slices.count }, (_, i) => i)
      .filter((i) => model.slices.track[i] === track)
      .map((i) => [
        model.strings[model.slices.name[i]],
        model.slices.startUs[i],
        model.slices.durationUs[i],
        model.slices.depth[i],
      ]);
  // The B/E pair spans 1600..1700; "open" is closed at the trace's end; the kernel is a kernel without its suffix.
  assert.deepEqual(
    names(t.id),
    [
      ["", 5, 0, 0],
      ["/décodeur/MatMul_€", 1500, 12, 1],
      ["a\\\\b\\", 1600, 100, 1],
      ["open", 20, model.endUs - 20, 0],
    ].sort((a, b) => (a[1] as number) - (b[1] as number)),
  );
  const kernel = Array.from({ length: model.slices.count }, (_, i) => i).find(
    (i) => model.slices.kind[i] === SLICE_KIND.kernel,
  )!;
  assert.equal(model.strings[model.slices.opType[kernel]], "MatMul");
  assert.equal(model.strings[model.slices.provider[kernel]], "CPU");
  assert.equal(model.instants.count, 1);
  assert.equal(model.strings[model.instants.name[0]], "marker");
  const series = model.counters.map((c) => [c.name, c.series, Array.from(c.timeUs), Array.from(c.value)]);
  assert.deepEqual(series, [
    ["memory", "bytes", [-1900, -1800.25], [5, 123456789012345678]],
    ["memory", "ratio", [-1900, -1800.25], [1, 1.5e-7]],
  ]);
  assert.equal(model.startUs, -1900);
  assert.equal(model.endUs, 12345678901234567 + 1000);
});

void test("an onnxruntime trace: runs, kernels under them at depth 2, run index per kernel, totals per node", () => {
  const shape: OrtTraceShape = { runs: 6, nodes: 9, form: "object", chunkChars: 333 };
  const { model } = index([...ortTraceChunks(shape)]);
  assert.equal(model.notes.eventCount, ortEventCount(shape));
  assert.equal(model.runs.length, 6);
  assert.equal(model.tracks.length, 1);
  assert.equal(model.tracks[0].depthCount, 3);
  const { kind, depth, run, name, opType } = model.slices;
  for (let i = 0; i < model.slices.count; i++) {
    if (kind[i] === SLICE_KIND.run) assert.equal(depth[i], 0);
    if (kind[i] === SLICE_KIND.kernel) {
      assert.equal(depth[i], 2, "model_run > SequentialExecutor::Execute > kernel");
      assert.ok(run[i] >= 0 && model.runs[run[i]].startUs <= model.slices.startUs[i]);
      const node = Array.from({ length: 9 }, (_, n) => n).find((n) => ortNodeName(n).text === model.strings[name[i]])!;
      assert.equal(model.strings[opType[i]], ortOpType(node));
    }
    if (i > 0) assert.ok(model.slices.startUs[i - 1] <= model.slices.startUs[i], "slices in start order");
  }
  for (const r of model.runs) assert.equal(r.kernels, 9);
  const tables = kernelTables(model, { skipRuns: 2 });
  const expected = expectedNodeTotals(shape, 2);
  assert.equal(tables.nodes.length, 9);
  for (const row of tables.nodes) {
    assert.deepEqual({ calls: row.count, totalUs: row.totalUs }, expected.get(row.key), row.key);
  }
});

void test("a Chromium-style trace: flow, async and object events counted and skipped, the rest indexed", () => {
  const events = [
    { ph: "M", name: "process_name", pid: 7, tid: 0, args: { name: "Browser" } },
    { ph: "X", cat: "toplevel", name: "RunTask", ts: 100, dur: 50, pid: 7, tid: 1, args: { src: { file: "a.cc" } } },
    { ph: "s", cat: "flow", name: "f", id: "0x1", ts: 110, pid: 7, tid: 1 },
    { ph: "f", cat: "flow", name: "f", id: "0x1", ts: 130, pid: 7, tid: 3, bp: "e" },
    { ph: "b", cat: "loading", name: "Load", id2: { local: "0x2" }, ts: 105, pid: 7, tid: 1 },
    { ph: "e", cat: "loading", name: "Load", id2: { local: "0x2" }, ts: 140, pid: 7, tid: 1 },
    { ph: "O", name: "obj", id: "0x3", ts: 120, pid: 7, tid: 1, args: { snapshot: {} } },
    { ph: "X", cat: "toplevel", name: "Inner", ts: 110, dur: 10, pid: 7, tid: 1 },
    { ph: "C", name: "heap", ts: 100, pid: 7, args: { used: 10 } },
    { ph: "R", name: "mark", ts: 101, pid: 7, tid: 1 },
  ];
  const { model } = index([JSON.stringify({ traceEvents: events, metadata: { "trace-config": "{}" } })]);
  assert.equal(model.notes.skipped, 6);
  assert.deepEqual(model.notes.phaseCounts, { M: 1, X: 2, s: 1, f: 1, b: 1, e: 1, O: 1, C: 1, R: 1 });
  assert.equal(model.slices.count, 2);
  assert.deepEqual(Array.from(model.slices.depth), [0, 1]);
  assert.equal(model.tracks[0].processName, "Browser");
  assert.equal(model.counters.length, 1);
  assert.equal(model.runs.length, 0);
});

void test("a trace out of order is sorted, with depths from a stack per track", () => {
  const n = 2000;
  const events: TraceEvent[] = [];
  // Parents after their children and in reverse: the insertion sort runs out of budget and the full sort takes over.
  for (let k = n - 1; k >= 0; k--) {
    events.push({ ph: "X", name: "child", ts: k * 10 + 1, dur: 2, pid: 1, tid: 1 });
    events.push({ ph: "X", name: "parent", ts: k * 10, dur: 5, pid: 1, tid: 1 });
  }
  const { model } = index([JSON.stringify(events)]);
  for (let i = 0; i < model.slices.count; i++) {
    assert.equal(model.strings[model.slices.name[i]], i % 2 === 0 ? "parent" : "child");
    assert.equal(model.slices.depth[i], i % 2);
  }
});

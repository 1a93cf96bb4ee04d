// The profile viewer's pure parts: the time camera, the level-of-detail window rules, the track layout, slice
// colours, table sorting and filtering, args formatting, the saved state, and the worker's views (boxes with colours
// and labels, tables) over a model common/trace builds from a generated onnxruntime trace.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TraceParser } from "../../common/trace/trace-parser";
import { SLICE_KIND } from "../../common/trace/trace-model";
import { argRows, formatTypeShapes } from "../../webviews/profile/model/event-args";
import { filterRows, nextSort, sortRows } from "../../webviews/profile/model/table-sort";
import { baseName, traceName } from "../../webviews/profile/model/trace-label";
import { readViewState } from "../../webviews/profile/model/view-state";
import { colourIndex, mix, textOn } from "../../webviews/profile/view/slice-colours";
import * as cam from "../../webviews/profile/view/time-camera";
import { layoutTracks, markRowAt, rowAt, AXIS_PX, HEADER_PX, ROW_PX } from "../../webviews/profile/view/track-layout";
import {
  GLOBAL_TRACK,
  counterSummaries,
  counterWindow,
  indexInstants,
  instantWindow,
} from "../../webviews/profile/worker/marks-window";
import { covers, paddedRequest } from "../../webviews/profile/view/window-cache";
import { INDEX_ARGS, TraceIndexBuilder } from "../../common/trace/trace-index";
import { compareOf, sliceInfo, tablesOf, windowRects } from "../../webviews/profile/worker/trace-views";
import { ortEventCount, ortTraceChunks, type OrtTraceShape } from "../common/ort-trace";

const bounds = { startUs: 0, endUs: 1000 };

void test("time camera: zoom keeps the time under the pointer, clamps to 1 µs and to the whole trace", () => {
  const w = cam.fullWindow(bounds);
  assert.deepEqual(w, { startUs: -20, endUs: 1020 });
  const z = cam.zoomAt(w, 1040, 260, 2, bounds);
  assert.ok(Math.abs(cam.usAt(z, 1040, 260) - cam.usAt(w, 1040, 260)) < 1e-9, "the pointer's time stays");
  assert.equal(cam.span(z), 520);
  let deep = w;
  for (let i = 0; i < 100; i++) deep = cam.zoomAt(deep, 1000, 500, 2, bounds);
  assert.equal(cam.span(deep), cam.MIN_SPAN_US);
  assert.deepEqual(cam.zoomAt(w, 1000, 500, 0.01, bounds), w, "never wider than the whole trace");
  const p = cam.panBy({ startUs: 100, endUs: 200 }, 0.5, bounds);
  assert.deepEqual(p, { startUs: 150, endUs: 250 });
  assert.deepEqual(
    cam.panBy({ startUs: 900, endUs: 1000 }, 5, bounds),
    { startUs: 920, endUs: 1020 },
    "stops at the end",
  );
  assert.equal(cam.xOf({ startUs: 0, endUs: 100 }, 200, 25), 50);
});

void test("time camera: follow the live edge, reveal a range, ticks", () => {
  const f = cam.followEnd({ startUs: 0, endUs: 100 }, bounds);
  assert.ok(cam.atEnd(f, bounds) && cam.span(f) === 100);
  assert.equal(cam.atEnd({ startUs: 0, endUs: 100 }, bounds), false);
  const r = cam.revealRange({ startUs: 0, endUs: 100 }, 500, 510, bounds);
  assert.ok(r.startUs <= 500 && r.endUs >= 510);
  assert.deepEqual(cam.revealRange({ startUs: 0, endUs: 100 }, 10, 20, bounds), { startUs: 0, endUs: 100 }, "in view");
  assert.equal(cam.tickStepUs({ startUs: 0, endUs: 1000 }, 1000, 100), 100);
  assert.equal(cam.tickStepUs({ startUs: 0, endUs: 3000 }, 1000, 100), 500);
  assert.equal(cam.tickLabel(1500, 500), "1500 µs");
  assert.equal(cam.tickLabel(1500, 1000), "1.5 ms");
});

void test("level of detail: a fetched window serves views inside it at a fitting resolution", () => {
  const view = { startUs: 100, endUs: 200 };
  const req = paddedRequest(view, 1000, bounds);
  assert.deepEqual(req, { startUs: 0, endUs: 300, usPerPx: 0.1 });
  assert.ok(covers(req, view, 1000));
  assert.ok(covers(req, { startUs: 150, endUs: 250 }, 1000), "a pan inside the padding");
  assert.ok(!covers(req, { startUs: 250, endUs: 350 }, 1000), "out of it");
  assert.ok(!covers(req, { startUs: 100, endUs: 120 }, 1000), "zoomed in 5×: too coarse");
  assert.ok(!covers(req, { startUs: 0, endUs: 300 }, 100), "zoomed out far: too fine");
  assert.ok(!covers(undefined, view, 1000));
});

const shape: OrtTraceShape = { runs: 5, nodes: 40, form: "object" };
function model() {
  const b = new TraceIndexBuilder();
  const p = new TraceParser({ onEvent: (e, offset) => b.add(e, offset), args: INDEX_ARGS });
  for (const chunk of ortTraceChunks({ ...shape, chunkChars: 10_000 })) p.write(chunk);
  return b.finish(p.end());
}

void test("worker views: ORT kernels under each model_run, their facts, tables and compare", () => {
  const m = model();
  assert.equal(m.slices.count, ortEventCount(shape));
  assert.equal(m.runs.length, shape.runs);
  assert.equal(m.tracks[0].depthCount, 3, "model_run > SequentialExecutor::Execute > kernels");
  let kernels = 0;
  for (let i = 0; i < m.slices.count; i++)
    if (m.slices.kind[i] === SLICE_KIND.kernel) {
      kernels++;
      assert.equal(m.slices.depth[i], 2);
      assert.ok(m.slices.run[i] >= 0);
    }
  assert.equal(kernels, shape.runs * shape.nodes);
  const k = [...Array(m.slices.count).keys()].find((i) => m.slices.kind[i] === SLICE_KIND.kernel)!;
  const info = sliceInfo(m, k)!;
  assert.ok(info.opType && info.provider === "CPUExecutionProvider" && info.byteOffset > 0 && info.run >= 0);
  assert.equal(sliceInfo(m, -1), undefined);
  const t = tablesOf(m);
  assert.equal(t.ops.length, 7);
  assert.equal(t.nodes.length, shape.nodes);
  assert.ok(Math.abs(t.ops.reduce((a, r) => a + r.share, 0) - 1) < 1e-9);
  assert.equal(t.iterations.length, shape.runs);
  const c = compareOf(m, m);
  assert.ok(c.ops.every((r) => r.speedup === 1));
});

void test("window boxes: tiny slices merge at a coarse resolution, stay apart zoomed in; colours by op type", () => {
  const m = model();
  const coarse = windowRects(m, 0, m.startUs, m.endUs, (m.endUs - m.startUs) / 200);
  const fine = windowRects(m, 0, m.startUs, m.endUs, 0.01);
  assert.equal(fine.count, m.slices.count, "every slice its own rectangle");
  assert.ok(coarse.count < fine.count / 4, `${coarse.count} rectangles at 200 px`);
  let merged = 0;
  for (let i = 0; i < coarse.count; i++) if (coarse.slice[i] < 0) merged += coarse.merged[i];
  assert.ok(merged >= shape.runs * shape.nodes * 0.9, "kernels merged");
  assert.ok(coarse.names.every((n, i) => coarse.slice[i] < 0 === (n === "")));
});

void test("slice colours are stable per key; mixes and text colour", () => {
  assert.equal(colourIndex("Conv", 10), colourIndex("Conv", 10));
  assert.ok(new Set(["Conv", "Relu", "MatMul", "Add", "Gather", "Softmax"].map((k) => colourIndex(k, 10))).size >= 4);
  assert.equal(mix("#000000", "#ffffff", 0.5), "#808080");
  assert.equal(textOn("#ffffff"), "#000000");
  assert.equal(textOn("#101010"), "#ffffff");
});

void test("tables: sort either way by numbers or text, filter by words, next sort", () => {
  const rows = [
    { key: "b", opType: "Conv", totalUs: 3 },
    { key: "a", opType: "MatMul", totalUs: 10 },
    { key: "c", opType: "Conv", provider: "QNN", totalUs: 1 },
  ];
  assert.deepEqual(
    sortRows(rows, { column: "totalUs", descending: true }).map((r) => r.key),
    ["a", "b", "c"],
  );
  assert.deepEqual(
    sortRows(rows, { column: "key", descending: false }).map((r) => r.key),
    ["a", "b", "c"],
  );
  assert.deepEqual(
    sortRows(rows, { column: "provider", descending: true }).map((r) => r.key),
    ["c", "b", "a"],
  );
  assert.deepEqual(
    filterRows(rows, "conv qnn").map((r) => r.key),
    ["c"],
  );
  assert.equal(filterRows(rows, "  ").length, 3);
  assert.deepEqual(nextSort({ column: "totalUs", descending: true }, "totalUs"), {
    column: "totalUs",
    descending: false,
  });
  assert.deepEqual(nextSort(undefined, "key"), { column: "key", descending: false });
  assert.deepEqual(nextSort(undefined, "meanUs"), { column: "meanUs", descending: true });
});

void test("args: shapes and sizes from an event's text; anything else is not args", () => {
  assert.equal(formatTypeShapes([{ float: [1, 3] }, { int64: [2] }]), "float[1,3], int64[2]");
  const rows = argRows(
    JSON.stringify({
      args: { op_name: "Conv", input_type_shape: [{ float: [1, 3] }], output_size: "147456", foo: "x" },
    }),
  )!;
  assert.deepEqual(rows, [
    ["inputs", "float[1,3]"],
    ["output", "147.5 kB"],
    ["foo", "x"],
  ]);
  assert.equal(argRows("not json"), undefined);
  assert.deepEqual(argRows("{}"), []);
});

void test("track layout: headers and depth rows; row under a y", () => {
  const l = layoutTracks([
    { id: 0, pid: 1, tid: 1, processName: "p", threadName: "t", depthCount: 3, first: 0, count: 5 },
    { id: 1, pid: 1, tid: 2, processName: "p", threadName: "u", depthCount: 1, first: 5, count: 0 },
    { id: 2, pid: 2, tid: 1, processName: "q", threadName: "v", depthCount: 1, first: 5, count: 2 },
  ]);
  assert.equal(l.tracks.length, 2, "empty tracks are left out");
  assert.deepEqual(rowAt(l, AXIS_PX + HEADER_PX + ROW_PX * 2 + 1), { track: 0, depth: 2 });
  assert.equal(rowAt(l, AXIS_PX + 1), undefined, "a header");
  assert.deepEqual(rowAt(l, l.tracks[1].rowsY + 1), { track: 2, depth: 0 });
});

void test("saved state is read defensively", () => {
  assert.deepEqual(readViewState(undefined), {});
  assert.deepEqual(
    readViewState({
      window: { startUs: 5, endUs: 1 },
      tab: "nope",
      sort: { column: "x" },
      followLive: true,
      filter: 3,
    }),
    { followLive: true },
  );
  const ok = {
    window: { startUs: 1, endUs: 5 },
    tab: "nodes",
    sort: { column: "meanUs", descending: false },
    filter: "conv",
  };
  assert.deepEqual(readViewState(ok), ok);
});

void test("trace names: the file's name, with its run folder's when it is a run's profile", () => {
  assert.equal(baseName("/a/b/ort.json"), "ort.json");
  assert.equal(baseName("C:\\runs\\r1\\"), "r1");
  assert.equal(traceName({ path: "/x/ort.json", label: "ort.json" }), "ort.json");
  assert.equal(
    traceName({
      path: "/w/.edge/runs/20260101-a/profile.json",
      runDir: "/w/.edge/runs/20260101-a/",
      label: "20260101-a",
    }),
    "profile.json of 20260101-a",
  );
  assert.equal(traceName({ path: "", label: "live" }), "live");
});

void test("marks: instants per track in time order, merged per pixel column; counters as steps with min, max and last", () => {
  const b = new TraceIndexBuilder();
  const events = [
    { ph: "X", name: "task", ts: 0, dur: 1000, pid: 1, tid: 1 },
    { ph: "i", name: "late", ts: 900, pid: 1, tid: 1, s: "t" },
    ...Array.from({ length: 10 }, (_, k) => ({ ph: "i", name: `tick${k}`, ts: 100 + k, pid: 1, tid: 1 })),
    { ph: "I", name: "nav", ts: 500, pid: 1, tid: 1, s: "g" },
    ...[0, 10, 20, 30, 400].map((ts, k) => ({ ph: "C", name: "heap", ts, pid: 1, args: { used: [5, 1, 9, 3, 7][k] } })),
  ];
  events.forEach((e, i) => b.add(e, i));
  const model = b.finish();
  const index = indexInstants(model);
  assert.deepEqual([...index.keys()].sort(), [GLOBAL_TRACK, 0].sort());
  // 1 µs per pixel: every tick alone; 100 µs per pixel: the ten ticks at 100–109 are one, counting ten.
  const fine = instantWindow(model, index, 0, 0, 1000, 1);
  assert.equal(fine.count, 11);
  assert.deepEqual(fine.names.slice(0, 2), ["tick0", "tick1"]);
  const coarse = instantWindow(model, index, 0, 0, 1000, 100);
  assert.deepEqual([...coarse.merged], [10, 1]);
  assert.deepEqual(coarse.names, ["tick0", "late"]);
  assert.equal(instantWindow(model, index, 0, 200, 800, 1).count, 0, "none inside the window");
  assert.deepEqual(instantWindow(model, index, GLOBAL_TRACK, 0, 1000, 1).names, ["nav"]);
  const heap = model.counters[0];
  const c = counterWindow(heap, 0, 15, 1000, 100);
  // The sample in force at 15 µs (1, from 10 µs) starts the window alone; 20 and 30 share a column: last 3, min 3,
  // max 9.
  assert.deepEqual([...c.timeUs], [10, 20, 400]);
  assert.deepEqual([...c.value], [1, 3, 7]);
  assert.deepEqual(
    [[...c.min], [...c.max], [...c.merged]],
    [
      [1, 3, 7],
      [1, 9, 7],
      [1, 2, 1],
    ],
  );
  assert.deepEqual(counterSummaries(model), [
    { counter: 0, name: "heap", series: "used", pid: 1, samples: 5, minValue: 1, maxValue: 9 },
  ]);
  // Layout: the global row under the axis, the track, its process's counter after it.
  const layout = layoutTracks(model.tracks, { counters: counterSummaries(model), instantTracks: [...index.keys()] });
  assert.equal(layout.globalY, AXIS_PX);
  assert.ok(layout.tracks[0].headerY > AXIS_PX);
  assert.deepEqual(
    layout.counters.map((k) => k.label),
    ["heap · used"],
  );
  assert.ok(layout.counters[0].y > layout.tracks[0].rowsY);
  assert.deepEqual(markRowAt(layout, AXIS_PX + 2), { kind: "instants", track: GLOBAL_TRACK });
  assert.deepEqual(markRowAt(layout, layout.tracks[0].headerY + 2), { kind: "instants", track: 0 });
  assert.equal(markRowAt(layout, layout.counters[0].y + 2)?.kind, "counter");
});

// The graph viewer's pure parts (no DOM): camera and coordinate spaces, the spatial grid, level of detail, colour
// scales, search, the scene index (reveal and keyboard navigation), overlays on boxes, diff stepping, restored state.
import assert from "node:assert/strict";
import { test } from "node:test";
import { layoutModelGraph } from "../../common/graph/layout/index";
import { decorateBoxes, summarizeGroup } from "../../webviews/graph/model/overlay-model";
import { heatBucket, sqnrBucket, SCALE_BUCKETS, textOn, HEAT_RAMP } from "../../webviews/graph/model/colour-scales";
import { changeEntries, stepChange, afterMarks } from "../../webviews/graph/model/diff-model";
import { embeddedNodeNames, explainMissingNode, withoutGeneratedSuffix } from "../../webviews/graph/model/missing-node";
import { OpenGroups } from "../../webviews/graph/model/open-groups";
import { problemNodes } from "../../webviews/graph/model/problems";
import { SceneIndex } from "../../webviews/graph/model/scene-index";
import { SearchIndex } from "../../webviews/graph/model/search-index";
import { restoreViewState } from "../../webviews/graph/model/view-state";
import { fitCamera, revealCamera, toLayout, toScreen, visibleRect, zoomAt } from "../../webviews/graph/view/camera";
import { levelOfDetail } from "../../webviews/graph/view/lod";
import { SpatialGrid } from "../../webviews/graph/view/spatial-index";
import { histogramBars } from "../../webviews/graph/panels/histogram";
import { brokenGraph, diffFixture, overlaysFor, smallModel } from "./graph-harness/fixtures";

const view = { width: 800, height: 600 };

void test("camera: screen and layout spaces are inverse; zoom keeps the point under the pointer; fit shows everything", () => {
  const cam = { x: 100, y: 50, zoom: 2 };
  const [sx, sy] = toScreen(cam, view, 130, 70);
  assert.deepEqual(toLayout(cam, view, sx, sy), [130, 70]);
  const zoomed = zoomAt(cam, view, 200, 100, 1.5);
  const [lx, ly] = toLayout(cam, view, 200, 100);
  const [sx2, sy2] = toScreen(zoomed, view, lx, ly);
  assert.ok(Math.abs(sx2 - 200) < 1e-9 && Math.abs(sy2 - 100) < 1e-9);
  const bounds = { x: 0, y: 0, width: 4000, height: 1000 };
  const fit = fitCamera(bounds, view);
  const v = visibleRect(fit, view);
  assert.ok(v.x <= 0 && v.y <= 0 && v.x + v.width >= 4000 && v.y + v.height >= 1000);
  const revealed = revealCamera(fit, view, { x: 3000, y: 500, width: 100, height: 40 });
  assert.deepEqual([revealed.x, revealed.y, revealed.zoom], [3050, 520, 1]);
});

void test("spatial grid: queries return exactly the items meeting the rectangle, once each", () => {
  const grid = new SpatialGrid(100);
  const boxes = Array.from({ length: 500 }, (_, i) => ({
    x: (i * 37) % 2000,
    y: (i * 91) % 1500,
    w: 20 + (i % 300),
    h: 30,
  }));
  boxes.forEach((b, i) => grid.insert(i, b.x, b.y, b.w, b.h));
  const rect = { x: 400, y: 300, width: 350, height: 200 };
  const expected = boxes.flatMap((b, i) =>
    b.x <= 750 && b.x + b.w >= 400 && b.y <= 500 && b.y + b.h >= 300 ? [i] : [],
  );
  assert.deepEqual(grid.query(rect), expected);
  assert.deepEqual(grid.query(rect), expected, "a second query sees the same");
  assert.deepEqual(grid.at(boxes[7].x + 1, boxes[7].y + 1).includes(7), true);
});

void test("spatial grid: a query over most of the grid (the scan path) gives the same answer, into a reused array", () => {
  const grid = new SpatialGrid(100);
  const boxes = Array.from({ length: 400 }, (_, i) => ({ x: (i * 53) % 3000, y: (i * 29) % 2000, w: 60, h: 20 }));
  boxes.forEach((b, i) => grid.insert(i, b.x, b.y, b.w, b.h));
  const brute = (r: { x: number; y: number; width: number; height: number }) =>
    boxes.flatMap((b, i) =>
      b.x <= r.x + r.width && b.x + b.w >= r.x && b.y <= r.y + r.height && b.y + b.h >= r.y ? [i] : [],
    );
  const out = [99, 98, 97];
  for (const rect of [
    { x: -500, y: -500, width: 5000, height: 5000 }, // everything
    { x: 100, y: 100, width: 2700, height: 1700 }, // most: scanned
    { x: 1000, y: 700, width: 150, height: 90 }, // a few cells: walked
    { x: 5000, y: 5000, width: 10, height: 10 }, // outside everything
  ]) {
    const got = grid.query(rect, out);
    assert.equal(got, out, "the caller's array is filled");
    assert.deepEqual([...got], brute(rect), JSON.stringify(rect));
  }
  assert.equal(grid.query({ x: -500, y: -500, width: 5000, height: 5000 }).length, 400);
});

void test("spatial grid: polylines are filed by the cells their segments cross, and never missed", () => {
  const grid = new SpatialGrid(100);
  // One long diagonal (a graph input feeding a far layer) and many short routes with bends.
  grid.insertPolyline(0, [0, 0, 100_000, 100_000]);
  const routes: number[][] = [[0, 0, 100_000, 100_000]];
  for (let i = 1; i < 300; i++) {
    const x = (i * 97) % 3000;
    const y = (i * 61) % 3000;
    const p = [x, y, x + ((i * 13) % 400) - 200, y + 150, x + ((i * 7) % 300), y + 150 + ((i * 31) % 900)];
    routes.push(p);
    grid.insertPolyline(i, p);
  }
  const segmentMeets = (p: number[], r: { x: number; y: number; width: number; height: number }) => {
    for (let k = 0; k + 3 < p.length; k += 2)
      for (let t = 0; t <= 1; t += 1 / 2048) {
        const x = p[k] + t * (p[k + 2] - p[k]);
        const y = p[k + 1] + t * (p[k + 3] - p[k + 1]);
        if (x >= r.x && x <= r.x + r.width && y >= r.y && y <= r.y + r.height) return true;
      }
    return false;
  };
  for (let j = 0; j < 60; j++) {
    const rect = {
      x: (j * 173) % 3200,
      y: (j * 211) % 3200,
      width: 40 + ((j * 37) % 260),
      height: 30 + ((j * 53) % 200),
    };
    const got = new Set(grid.query(rect));
    routes.forEach((p, i) => {
      if (segmentMeets(p, rect)) assert.ok(got.has(i), `route ${i} crosses ${JSON.stringify(rect)}`);
    });
  }
  assert.deepEqual(grid.query({ x: 50_000, y: 50_000, width: 10, height: 10 }), [0], "on the diagonal");
  assert.deepEqual(grid.query({ x: 90_000, y: 1000, width: 10, height: 10 }), [], "in its bounding box, far from it");
});

void test("level of detail: boxes only far out; labels, routes, sublabels and ports as the zoom grows", () => {
  assert.deepEqual(levelOfDetail(0.02), {
    labels: false,
    sublabels: false,
    edges: "none",
    arrows: false,
    ports: false,
    borders: false,
  });
  assert.equal(levelOfDetail(0.2).edges, "straight");
  assert.equal(levelOfDetail(0.5).labels, true);
  assert.equal(levelOfDetail(0.5).edges, "routes");
  assert.equal(levelOfDetail(0.5, 10_000).edges, "straight", "very many edges in view are drawn straight");
  assert.equal(levelOfDetail(2).ports, true);
});

void test("colour scales: heat on a log scale, SQNR from good to bad, readable text", () => {
  assert.equal(heatBucket(0, 1000), 0);
  assert.equal(heatBucket(1000, 1000), SCALE_BUCKETS - 1);
  assert.ok(heatBucket(30, 1000) > 0 && heatBucket(30, 1000) < heatBucket(300, 1000));
  assert.equal(sqnrBucket(50), 0);
  assert.equal(sqnrBucket(5), SCALE_BUCKETS - 1);
  assert.equal(sqnrBucket(null), SCALE_BUCKETS - 1);
  assert.equal(sqnrBucket(null, "identical"), 0);
  assert.equal(textOn("#ffffff"), "#000000");
  assert.equal(textOn(HEAT_RAMP[7]), "#ffffff");
});

void test("search: op types first, then names, then tensor names, across nested bodies; names resolve", () => {
  const g = smallModel();
  const index = new SearchIndex(g);
  const softmax = index.search("softmax");
  assert.deepEqual(
    softmax.map((r) => r.match),
    ["op", "op"],
  );
  const nested = index.search("then_relu");
  assert.equal(nested.length, 1);
  assert.deepEqual(nested[0].path, [{ node: g.nodes.findIndex((n) => n.op === "If"), attribute: "then_branch" }]);
  const byTensor = index.search("model.layers.1.up");
  assert.equal(byTensor[0].match, "tensor");
  assert.equal(byTensor[0].label, "/model/layers.1/mlp/up_proj/MatMul");
  assert.deepEqual(index.findByName("else_identity")?.node, 0);
  assert.equal(index.search("").length, 0);
});

void test("scene index: the closed group hiding a node is the one to open; arrows go to producer and consumer", () => {
  const g = smallModel();
  const q = g.nodes.findIndex((n) => n.name === "/model/layers.1/attn/q_proj/MatMul");
  const closed = new SceneIndex(layoutModelGraph(g));
  const group = closed.groupToOpen(q);
  assert.ok(group && group.kind === "group" && group.members?.includes(q));
  const all = new SceneIndex(layoutModelGraph(g, { expanded: "all" }));
  assert.equal(all.groupToOpen(q), undefined);
  assert.equal(all.boxOf(q)?.id, `n${q}`);
  const ln = g.nodes.findIndex((n) => n.name === "/model/layers.1/input_layernorm/LayerNormalization");
  assert.equal(all.navigate(`n${q}`, "producer"), `n${ln}`);
  const scores = g.nodes.findIndex((n) => n.name === "/model/layers.1/attn/MatMul");
  assert.equal(all.navigate(`n${q}`, "consumer"), `n${scores}`);
});

void test("overlays: heat and time on nodes, totals on groups; group summary has the op mix", () => {
  const g = smallModel();
  const o = overlaysFor(g);
  const scene = layoutModelGraph(g);
  const d = decorateBoxes(scene.nodes, g, o, new Set(["latency"]), {
    partitions: ["#111111", "#222222"],
    cpu: "#999999",
  });
  const group = scene.nodes.findIndex((n) => n.kind === "group" && !n.expanded);
  const members = scene.nodes[group].members!;
  const total = members.reduce((s, m) => s + (o.latency!.byNode[g.nodes[m].name]?.totalUs ?? 0), 0);
  assert.match(d[group]!.badge!, new RegExp(`^${Math.round(total)}`));
  assert.equal(d[group]!.stripe, undefined, "partitions not shown");
  assert.deepEqual(decorateBoxes(scene.nodes, g, o, new Set(), { partitions: [], cpu: "" }).filter(Boolean), []);
  const s = summarizeGroup(g, members, o);
  assert.equal(s.members, members.length);
  assert.equal(s.ops[0].op, "MatMul");
  assert.equal(s.latencyUs, total);
});

void test("diff: entries in order with labels, after-graph marks, stepping wraps both ways", () => {
  const after = smallModel();
  const { before, diff } = diffFixture(after);
  const entries = changeEntries(diff, before, after);
  assert.deepEqual(
    entries.map((e) => e.kind),
    ["changed", "changed", "added", "removed"],
  );
  assert.equal(entries[3].label, "/model/debug/Identity");
  assert.equal(entries[3].after, undefined);
  assert.equal(afterMarks(diff).size, 3);
  assert.equal(stepChange(4, -1, 1), 0);
  assert.equal(stepChange(4, -1, -1), 3);
  assert.equal(stepChange(4, 3, 1), 0);
  assert.equal(stepChange(4, 0, -1), 3);
  assert.equal(stepChange(0, -1, 1), -1);
});

void test("problems: marked on their node; restored state keeps only what is well-formed and exists", () => {
  const g = brokenGraph();
  assert.deepEqual([...problemNodes(g, g.problems)].sort(), [1, 3]);
  const small = smallModel();
  const state = restoreViewState(
    {
      camera: { x: 1, y: 2, zoom: 0 },
      direction: "XX",
      selection: "n3",
      path: [{ node: 0, attribute: "body" }],
      expanded: ["/a", 3],
      collapsed: ["/model", null],
      overlays: { runDir: "/r", shown: ["latency", "bogus"] },
    },
    small,
  );
  assert.deepEqual(state, {
    selection: "n3",
    expanded: ["/a"],
    collapsed: ["/model"],
    overlays: { runDir: "/r", shown: ["latency"] },
  });
  const ifNode = small.nodes.findIndex((n) => n.op === "If");
  assert.deepEqual(restoreViewState({ path: [{ node: ifNode, attribute: "else_branch" }] }, small).path, [
    { node: ifNode, attribute: "else_branch" },
  ]);
});

void test("histogram bars: scaled to the largest bin, empty bins flat, tiny ones visible", () => {
  const bars = histogramBars([0, 1, 1000], 300, 100);
  assert.deepEqual(
    bars.map((b) => b.height),
    [0, 1, 100],
  );
  assert.deepEqual(
    bars.map((b) => b.x),
    [0, 100, 200],
  );
});

void test("open groups: a group the layout opened by itself closes and reopens; reveal and reset", () => {
  const graph = smallModel();
  const groups = new OpenGroups();
  const layout = () =>
    layoutModelGraph(graph, { expanded: groups.expanded, collapsed: groups.collapsed }).nodes.find(
      (n) => n.id === "g/model",
    )?.expanded;
  assert.equal(layout(), true, "/model is open in the first view");
  groups.toggle("/model", true);
  assert.deepEqual([[...groups.expanded], [...groups.collapsed]], [[], ["/model"]]);
  assert.equal(layout(), false, "closed by the user");
  groups.toggle("/model", false);
  assert.deepEqual([[...groups.expanded], [...groups.collapsed]], [["/model"], []]);
  assert.equal(layout(), true, "reopened");
  groups.toggle("/model/layers.0", false);
  groups.toggle("/model", true);
  groups.open("/model");
  assert.deepEqual([[...groups.expanded].sort(), [...groups.collapsed]], [["/model", "/model/layers.0"], []]);
  groups.setOpen(["/x"]);
  assert.deepEqual([[...groups.expanded], [...groups.collapsed]], [["/x"], []]);
  groups.close("/x");
  groups.reset();
  assert.deepEqual([groups.expanded.size, groups.collapsed.size], [0, 0]);
  // Restored from a state where a scope is in both lists: closed wins.
  const restored = new OpenGroups(["/a", "/b"], ["/a"]);
  assert.deepEqual([[...restored.expanded], [...restored.collapsed]], [["/b"], ["/a"]]);
});

void test("a node the model lacks: the model nodes its name holds (onnxruntime's fusions), else just not there", () => {
  const names = ["Conv_0", "Relu_1", "/attn/MatMul", "/attn/MatMul_1", "/attn/Add", "Gelu", "x"];
  assert.deepEqual(embeddedNodeNames("Conv_0_Relu_1", names), ["Conv_0", "Relu_1"]);
  // Longest at one start wins (MatMul_1 over MatMul); names inside other words do not count (Gelu in "GeluFast").
  assert.deepEqual(embeddedNodeNames("/attn/MatMul_1_/attn/Add", names), ["/attn/MatMul_1", "/attn/Add"]);
  assert.deepEqual(embeddedNodeNames("GeluFast_x2", names), []);
  assert.equal(withoutGeneratedSuffix("Gelu_token_12"), "Gelu");
  assert.equal(withoutGeneratedSuffix("Gelu_tokens"), "Gelu_tokens");
  const fused = explainMissingNode("fused Conv_0 Relu_1", "model.onnx", names);
  assert.deepEqual(fused.fusedFrom, ["Conv_0", "Relu_1"]);
  assert.equal(
    fused.message,
    'Node "fused Conv_0 Relu_1" is not in model.onnx: onnxruntime created it when it optimized the graph (fused from "Conv_0", "Relu_1").',
  );
  assert.deepEqual(explainMissingNode("Gelu_token_3", "model.onnx", names).fusedFrom, ["Gelu"]);
  const unknown = explainMissingNode("ReorderInput_token_2", "model.onnx", names);
  assert.deepEqual(unknown.fusedFrom, []);
  assert.match(unknown.message, /^Node "ReorderInput_token_2" is not in model\.onnx\. /);
});

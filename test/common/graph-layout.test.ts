// The graph layout (common/graph/layout/): the layered core on typed arrays, the groups made from name scopes, and
// layoutModelGraph's scenes (ids, merged edges, closed and open groups, reuse of repeated blocks), with the quality
// rules: no overlapping boxes in one parent, edges along the layer direction except real back edges, determinism.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  buildGroupTree,
  createLayoutCache,
  layoutLayered,
  layoutModelGraph,
  nameScopes,
} from "../../common/graph/layout/index";
import type { GraphScene } from "../../common/graph/scene";
import { cnnGraph } from "../fixtures/graphs/cnn-graph";
import type { LayoutOptions } from "../../common/graph/layout/index";
import { GraphBuilder } from "../fixtures/graphs/graph-builder";
import { interleavedGraph } from "../fixtures/graphs/interleaved-graph";
import { routeCrossings, sceneQuality } from "../fixtures/graphs/scene-checks";
import { buildTransformer, transformerGraph } from "../fixtures/graphs/transformer-graph";

const edges = (pairs: [number, number][]) => ({
  edgeFrom: Int32Array.from(pairs.map((p) => p[0])),
  edgeTo: Int32Array.from(pairs.map((p) => p[1])),
});
const boxes = (n: number, w = 60, h = 30) => ({
  widths: new Float64Array(n).fill(w),
  heights: new Float64Array(n).fill(h),
});

function assertQuality(scene: GraphScene, backEdges = 0) {
  const q = sceneQuality(scene);
  assert.deepEqual(q, { overlaps: 0, againstDirection: 0, back: backEdges, badRoutes: 0, detached: 0 });
  // Everything inside the scene's bounding box.
  const within = (x: number, y: number) => x >= -0.5 && y >= -0.5 && x <= scene.width + 0.5 && y <= scene.height + 0.5;
  for (const n of scene.nodes) assert.ok(within(n.x, n.y) && within(n.x + n.width, n.y + n.height), n.id);
  for (const e of scene.edges) {
    for (let i = 0; i < e.points.length; i += 2) assert.ok(within(e.points[i], e.points[i + 1]), `${e.from}→${e.to}`);
  }
}

void test("layered: a diamond gets three layers, edges go down from border to border", () => {
  const r = layoutLayered({
    ...boxes(4),
    ...edges([
      [0, 1],
      [0, 2],
      [1, 3],
      [2, 3],
    ]),
  });
  assert.deepEqual([...r.layer], [0, 1, 1, 2]);
  assert.equal(r.backEdges, 0);
  assert.equal(r.layerCount, 3);
  for (let e = 0; e < 4; e++) {
    const pts = r.routePoints.subarray(r.routeStart[e], r.routeStart[e + 1]);
    const [from, to] = [[0, 0, 1, 2][e], [1, 2, 3, 3][e]];
    assert.equal(pts[1], r.y[from] + 30, "starts on the source's bottom border");
    assert.equal(pts[pts.length - 1], r.y[to], "ends on the target's top border");
  }
  assert.ok(Math.abs(r.x[1] - r.x[2]) >= 60, "no overlap in layer 1");
});

void test("layered: only a real cycle makes a back edge; self loops are back edges too", () => {
  const acyclic = layoutLayered({
    ...boxes(5),
    ...edges([
      [3, 4],
      [0, 1],
      [1, 2],
      [0, 2],
      [2, 3],
    ]),
  });
  assert.equal(acyclic.backEdges, 0);
  const cyclic = layoutLayered({
    ...boxes(4),
    ...edges([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 1],
      [2, 2],
    ]),
  });
  assert.equal(cyclic.backEdges, 2);
  assert.deepEqual([...cyclic.back], [0, 0, 0, 1, 1]);
  // The back edge's route runs from node 3 (below) up to node 1.
  const pts = cyclic.routePoints.subarray(cyclic.routeStart[3], cyclic.routeStart[4]);
  assert.ok(pts[1] > pts[pts.length - 1]);
});

void test("layered: a source that feeds far-away layers sits next to its first consumer, one trunk for all", () => {
  // Chain 0 → 1 → … → 9; node 10 (a mask) feeds 3, 5, 7 and 9.
  const pairs: [number, number][] = [];
  for (let i = 0; i < 9; i++) pairs.push([i, i + 1]);
  pairs.push([10, 3], [10, 5], [10, 7], [10, 9]);
  const r = layoutLayered({ ...boxes(11), ...edges(pairs) });
  assert.equal(r.layer[10], 2);
  // One trunk on layers 3…8 (6 points), where a chain per edge would take 0 + 2 + 4 + 6 = 12.
  assert.equal(r.dummyNodes, 6);
});

void test("layered: LR runs along x; output is deterministic; no recursion on a 200,000-node chain", () => {
  const pairs: [number, number][] = [
    [0, 1],
    [1, 2],
    [0, 2],
  ];
  const lr = layoutLayered({ ...boxes(3), ...edges(pairs), direction: "LR" });
  assert.ok(lr.x[0] + 60 <= lr.x[1] && lr.x[1] + 60 <= lr.x[2]);
  const again = layoutLayered({ ...boxes(3), ...edges(pairs), direction: "LR" });
  assert.deepEqual([...again.x, ...again.y, ...again.routePoints], [...lr.x, ...lr.y, ...lr.routePoints]);
  const n = 200_000;
  const from = new Int32Array(n - 1).map((_, i) => i);
  const to = new Int32Array(n - 1).map((_, i) => i + 1);
  const chain = layoutLayered({ ...boxes(n), edgeFrom: from, edgeTo: to });
  assert.equal(chain.layerCount, n);
});

void test("groups: scopes from names; single-node scopes are not groups; the root holding most nodes opens", () => {
  assert.deepEqual(nameScopes("/model/layers.0/attn/MatMul"), ["/model", "/model/layers.0", "/model/layers.0/attn"]);
  assert.deepEqual(nameScopes("MatMul_12"), []);
  const graph = buildTransformer(3, "mask");
  const tree = buildGroupTree(graph);
  const scopes = tree.groups.map((g) => g.scope);
  assert.ok(scopes.includes("/model/layers.2/self_attn"));
  assert.ok(!scopes.includes("/model/embed_tokens"), "one node: no group");
  assert.ok(!scopes.includes("/lm_head"));
  assert.deepEqual(tree.autoExpanded, ["/model"]);
  const layer1 = tree.groups[tree.byScope.get("/model/layers.1") as number];
  assert.equal(layer1.label, "layers.1");
  assert.equal(layer1.memberCount, 56);
  assert.equal(tree.groups[layer1.parent].scope, "/model");
  const embed = graph.nodes.findIndex((n) => n.name === "/model/embed_tokens/Gather");
  assert.equal(tree.groups[tree.nodeGroup[embed]].scope, "/model");
});

void test("scene: first view shows the blocks; edges into a closed group end on it, merged", () => {
  const graph = buildTransformer(3, "mask");
  const scene = layoutModelGraph(graph);
  const ids = new Set(scene.nodes.map((n) => n.id));
  const model = scene.nodes.find((n) => n.id === "g/model");
  assert.equal(model?.expanded, true);
  const layer0 = scene.nodes.find((n) => n.id === "g/model/layers.0");
  assert.ok(layer0 && layer0.expanded === false && layer0.parent === "g/model");
  assert.equal(layer0.sublabel, "56 nodes");
  assert.equal(layer0.members?.length, 56);
  assert.ok(ids.has(`i${graph.inputs[0]}`) && ids.has(`o${graph.outputs[0]}`));
  assert.ok(!scene.nodes.some((n) => n.kind === "node" && n.parent === "g/model/layers.0"));
  // layers.0 → layers.1 carries the residual stream only: one edge, one tensor.
  const between = scene.edges.filter((e) => e.from === "g/model/layers.0" && e.to === "g/model/layers.1");
  assert.equal(between.length, 1);
  // The mask (/model/Mul) and cos/sin feed each layer: merged edges, tensorCount 1 (mask) and 2 (cos + sin)? cos and
  // sin come from two nodes, so two edges of one tensor each.
  const mul = graph.nodes.findIndex((n) => n.name === "/model/Mul");
  const fromMask = scene.edges.filter((e) => e.from === `n${mul}`);
  assert.equal(fromMask.length, 3);
  assertQuality(scene);
  // Inputs sit in the innermost open group holding their consumers; a closed layer keeps its past key/value beside it.
  const inputNamed = (name: string) => scene.nodes.find((n) => n.kind === "input" && n.label === name);
  assert.equal(inputNamed("attention_mask")?.parent, "g/model");
  assert.equal(inputNamed("past_key_values.1.key")?.parent, "g/model");
  const logits = scene.nodes.find((n) => n.id === `o${graph.outputs[graph.outputs.length - 1]}`);
  assert.equal(logits?.parent, undefined);
  const opened = layoutModelGraph(graph, { expanded: new Set(["/model/layers.1"]) });
  assert.equal(opened.nodes.find((n) => n.label === "past_key_values.1.key")?.parent, "g/model/layers.1");
  assert.equal(opened.nodes.find((n) => n.label === "past_key_values.0.key")?.parent, "g/model");
  assertQuality(opened);
  // Parents before children.
  const seen = new Set<string>();
  for (const n of scene.nodes) {
    if (n.parent) assert.ok(seen.has(n.parent), `${n.id} after its parent`);
    seen.add(n.id);
  }
  // Initializers are not boxes, every model node is somewhere.
  assert.equal(scene.nodes.filter((n) => n.kind === "input").length, graph.inputs.length);
});

void test("scene: merged edges count their tensors", () => {
  const b = new GraphBuilder();
  const x = b.input("x");
  const [a, c] = b.node("/split/Split", "Split", [x], 2);
  const y = b.op("/cat/Concat", "Concat", a, c, a);
  b.output(y);
  const scene = layoutModelGraph(b.build());
  const e = scene.edges.find((e) => e.from === "n0" && e.to === "n1");
  assert.equal(e?.tensorCount, 2);
  assert.equal(e?.tensor, a);
});

void test("scene: everything open, repeated blocks laid out once, quality holds in TB and LR", () => {
  const graph = transformerGraph({ nodes: 1000, shape: "mask" });
  for (const direction of ["TB", "LR"] as const) {
    const cache = createLayoutCache();
    const scene = layoutModelGraph(graph, { expanded: "all", direction, cache });
    assertQuality(scene);
    assert.equal(scene.nodes.filter((n) => n.kind === "node").length, graph.nodes.length);
    assert.ok(scene.stats.groupsReused > scene.stats.groupsLaidOut * 5, JSON.stringify(scene.stats));
    // Again with the same cache: nothing laid out, same scene.
    const again = layoutModelGraph(graph, { expanded: "all", direction, cache });
    assert.equal(again.stats.groupsLaidOut, 0);
    assert.deepEqual(again.nodes, scene.nodes);
    assert.deepEqual(again.edges, scene.edges);
    // A member of an open group lies inside its frame.
    const frame = scene.nodes.find((n) => n.id === "g/model/layers.3/self_attn");
    const member = scene.nodes.find((n) => n.parent === "g/model/layers.3/self_attn" && n.kind === "node");
    assert.ok(frame && member);
    assert.ok(member.x >= frame.x && member.x + member.width <= frame.x + frame.width);
    assert.ok(member.y >= frame.y && member.y + member.height <= frame.y + frame.height);
  }
});

void test("scene: flat layouts of transformer and CNN graphs keep the rules and are deterministic", () => {
  for (const graph of [
    transformerGraph({ nodes: 1000 }),
    transformerGraph({ nodes: 1000, shape: "mask" }),
    cnnGraph({ nodes: 500 }),
  ]) {
    const scene = layoutModelGraph(graph, { expanded: "all", grouping: false });
    assertQuality(scene);
    assert.equal(scene.stats.groupsLaidOut + scene.stats.groupsReused, 0);
    assert.ok(!scene.nodes.some((n) => n.kind === "group"));
    assert.deepEqual(layoutModelGraph(graph, { expanded: "all", grouping: false }), scene);
  }
});

void test("scene: a cycle renders with its back edge marked; dangling inputs are skipped", () => {
  const b = new GraphBuilder();
  const x = b.input("x");
  const a = b.op("/a/Add", "Add", x, -1);
  const c = b.op("/c/Relu", "Relu", a);
  b.nodes[0].inputs[1] = c; // c feeds a: a → c → a
  b.output(c);
  const graph = b.build();
  graph.tensors.push({ name: "ghost", kind: "value", producer: -1 });
  b.nodes[1].inputs.push(graph.tensors.length - 1);
  const scene = layoutModelGraph(graph);
  assert.equal(scene.stats.backEdges, 1);
  assertQuality(scene, 1);
  // A node that reads its own output: a loop beside it, marked back.
  b.nodes[1].inputs.push(c);
  const looped = layoutModelGraph(graph);
  const loop = looped.edges.find((e) => e.from === "n1" && e.to === "n1");
  assert.equal(loop?.back, true);
  assertQuality(looped, 2);
});

void test("scene: a group the layout opened by itself closes through `collapsed`, which wins over `expanded`", () => {
  const graph = buildTransformer(3, "mask");
  assert.deepEqual(buildGroupTree(graph).autoExpanded, ["/model"]);
  const closed = layoutModelGraph(graph, { collapsed: new Set(["/model"]) });
  const model = closed.nodes.find((n) => n.id === "g/model");
  assert.equal(model?.expanded, false);
  assert.equal(model?.parent, undefined);
  assert.ok(!closed.nodes.some((n) => n.parent === "g/model"), "nothing drawn inside a closed group");
  assertQuality(closed);
  // Closed beats opened, and "all": the children of a closed group stay hidden even when named open.
  const both = layoutModelGraph(graph, {
    expanded: new Set(["/model", "/model/layers.0"]),
    collapsed: new Set(["/model"]),
  });
  assert.deepEqual(
    both.nodes.map((n) => n.id),
    closed.nodes.map((n) => n.id),
  );
  const all = layoutModelGraph(graph, { expanded: "all", collapsed: new Set(["/model/layers.1"]) });
  assert.equal(all.nodes.find((n) => n.id === "g/model/layers.1")?.expanded, false);
  assert.equal(all.nodes.find((n) => n.id === "g/model/layers.2")?.expanded, true);
  assert.ok(!all.nodes.some((n) => n.parent?.startsWith("g/model/layers.1")));
  // Reopened: the first view again.
  assert.deepEqual(layoutModelGraph(graph, { collapsed: new Set() }), layoutModelGraph(graph));
});

void test("scene: what an If's bodies capture is an implicit edge into it, unless an explicit input joins the same boxes", () => {
  const b = new GraphBuilder();
  const x = b.input("x");
  const state = b.input("state");
  const cond = b.op("/cond/Greater", "Greater", x, x);
  const h = b.op("/pre/Relu", "Relu", x);
  const h2 = b.op("/pre/Tanh", "Tanh", h);
  const y = b.op("/branch/If", "If", cond);
  b.output(y);
  const graph = b.build();
  const ifNode = graph.nodes.length - 1;
  graph.nodes[ifNode].captures = [state, h2, cond];
  const scene = layoutModelGraph(graph);
  const into = (from: string) => scene.edges.find((e) => e.from === from && e.to === `n${ifNode}`);
  assert.equal(into(`i${state}`)?.implicit, true, "a graph input read only by the bodies");
  assert.equal(into("n2")?.implicit, true, "a node's output read only by the bodies");
  assert.equal(into("n0")?.implicit, undefined, "the condition is read explicitly too");
  assert.equal(into("n0")?.tensorCount, 1);
  assertQuality(scene);
  // Into a closed group: the edge ends on the group, still implicit; out of a closed group likewise.
  const pre = layoutModelGraph(graph, { collapsed: new Set(["/pre"]) });
  assert.equal(pre.edges.find((e) => e.from === "g/pre" && e.to === `n${ifNode}`)?.implicit, true);
  assert.equal(pre.edges.find((e) => e.from === "n0" && e.to === `n${ifNode}`)?.implicit, undefined);
  // Without captures: no edge from `state` at all.
  delete graph.nodes[ifNode].captures;
  assert.equal(
    layoutModelGraph(graph).edges.some((e) => e.from === `i${state}`),
    false,
  );
});

void test("layered: crossings between adjacent layers are counted exactly", () => {
  // K3,3: every order leaves C(3,2)² = 9 crossings.
  const k33: [number, number][] = [];
  for (let a = 0; a < 3; a++) for (let b = 3; b < 6; b++) k33.push([a, b]);
  assert.equal(layoutLayered({ ...boxes(6), ...edges(k33) }).crossings, 9);
  // A chain crosses nothing; two parallel chains neither.
  assert.equal(
    layoutLayered({
      ...boxes(4),
      ...edges([
        [0, 1],
        [2, 3],
      ]),
    }).crossings,
    0,
  );
  // Random graphs whose edges all join adjacent layers (so no virtual points): the count equals the pairs of edges
  // whose ends are in opposite orders, read off the boxes' positions.
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  let nonZero = 0;
  for (let trial = 0; trial < 40; trial++) {
    const layers = 2 + rand(4);
    const width = 2 + rand(7);
    const pairs: [number, number][] = [];
    for (let l = 0; l + 1 < layers; l++) {
      for (let b = 0; b < width; b++) {
        const to = (l + 1) * width + b;
        pairs.push([l * width + rand(width), to]); // every node below the first layer has a predecessor
        for (let extra = rand(3); extra > 0; extra--) pairs.push([l * width + rand(width), to]);
      }
    }
    const r = layoutLayered({ ...boxes(layers * width), ...edges(pairs) });
    for (let v = 0; v < layers * width; v++) assert.equal(r.layer[v], Math.floor(v / width));
    const unique = [...new Set(pairs.map((p) => p.join(">")))].map((k) => k.split(">").map(Number));
    let brute = 0;
    for (let i = 0; i < unique.length; i++) {
      for (let j = i + 1; j < unique.length; j++) {
        const [a, b] = unique[i];
        const [c, d] = unique[j];
        if (r.layer[a] === r.layer[c] && (r.x[a] - r.x[c]) * (r.x[b] - r.x[d]) < 0) brute++;
      }
    }
    // Repeated pairs are separate edges of the core: each copy crosses what the pair crosses.
    let expected = 0;
    for (let i = 0; i < pairs.length; i++) {
      for (let j = i + 1; j < pairs.length; j++) {
        const [a, b] = pairs[i];
        const [c, d] = pairs[j];
        if (r.layer[a] === r.layer[c] && (r.x[a] - r.x[c]) * (r.x[b] - r.x[d]) < 0) expected++;
      }
    }
    assert.equal(r.crossings, expected, `trial ${trial}`);
    if (brute > 0) nonZero++;
  }
  assert.ok(nonZero > 10, "the random graphs do cross");
  // In a scene: K3,3 between model nodes; the bench's geometric count of the routes agrees.
  const b = new GraphBuilder();
  const x = b.input("x");
  const outs = [0, 1, 2].map((i) => b.op(`a${i}`, "Relu", x));
  for (let i = 0; i < 3; i++) b.output(b.op(`b${i}`, "Sum", ...outs));
  const scene = layoutModelGraph(b.build());
  assert.equal(scene.stats.crossings, 9);
  assert.equal(routeCrossings(scene), 9);
  const grouped = layoutModelGraph(transformerGraph({ nodes: 1000, shape: "mask" }), { expanded: "all" });
  assert.ok((grouped.stats.crossings ?? -1) >= 0);
});

void test("scene: scopes interleaved with their parent scopes draw no edge against the direction from an open frame", () => {
  const graph = interleavedGraph(4);
  const tree = buildGroupTree(graph);
  assert.ok(tree.byScope.has("/model/layers.1/mlp") && tree.byScope.has("/model/layers.1/attn"));
  const cases: LayoutOptions[] = [
    { expanded: "all" },
    { expanded: "all", direction: "LR" },
    { expanded: new Set(["/model/layers.1"]) },
    { expanded: new Set(["/model/layers.2", "/model/layers.2/mlp", "/model/layers.2/attn"]) },
    { expanded: "all", collapsed: new Set(["/model/layers.3/mlp"]) },
  ];
  for (const options of cases) {
    const scene = layoutModelGraph(graph, { ...options, cache: createLayoutCache() });
    // A closed group stands for nodes on both sides of what it is interleaved with: its box may close a cycle of
    // boxes (left as it is); an open frame never does.
    const closed = new Set(scene.nodes.filter((n) => n.kind === "group" && !n.expanded).map((n) => n.id));
    const back = scene.edges.filter((e) => e.back);
    for (const e of back) assert.ok(closed.has(e.from) || closed.has(e.to), `${e.from} → ${e.to}`);
    assertQuality(scene, back.length);
  }
  assert.equal(layoutModelGraph(graph, { expanded: "all" }).stats.backEdges, 0);
  // Everything open: every model node drawn once, inside the frame that took it in when not in its own scope.
  const all = layoutModelGraph(graph, { expanded: "all" });
  const boxes = all.nodes.filter((n) => n.kind === "node");
  assert.equal(boxes.length, graph.nodes.length);
  const shape1 = all.nodes.find((n) => n.sublabel === "/model/Shape_1");
  assert.equal(
    shape1?.parent,
    "g/model/layers.1/attn",
    "the parent-scope node between two attn nodes is drawn in attn",
  );
  // A real cycle still makes its back edge.
  const cyclic = interleavedGraph(2);
  const first = cyclic.nodes.findIndex((n) => n.name === "/model/layers.0/attn/q/MatMul");
  const last = cyclic.nodes.findIndex((n) => n.name === "/model/layers.0/Add");
  cyclic.nodes[first].inputs.push(cyclic.nodes[last].outputs[0]);
  const scene = layoutModelGraph(cyclic, { expanded: "all" });
  assert.ok(scene.stats.backEdges >= 1);
  assert.equal(sceneQuality(scene).againstDirection, 0);
});

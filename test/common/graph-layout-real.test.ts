// The graph layout on real models read by the engine (engine/graph openModelGraph): the trained fixture
// samples/tiny-lm (a 4-layer decoder with a KV cache, sinusoidal positions and one mask feeding every layer) and a
// generated decoder of the same layout made by scripts/lm, in every view: first view, one layer open, all open, flat.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createLayoutCache, layoutModelGraph } from "../../common/graph/layout/index";
import type { ModelGraph } from "../../common/graph/model-graph";
import { openModelGraph } from "../../engine/graph/index";
import { buildDecoderLm } from "../../scripts/lm/decoder-graph";
import { randomDecoderLm } from "../../scripts/lm/random-weights";
import { sceneQuality } from "../fixtures/graphs/scene-checks";

const work = mkdtempSync(join(tmpdir(), "graph-layout-real-"));
after(() => rmSync(work, { recursive: true, force: true }));

async function readGraph(file: string): Promise<ModelGraph> {
  const opened = await openModelGraph(file);
  await opened.close();
  return opened.document.graph;
}

const clean = { overlaps: 0, againstDirection: 0, back: 0, badRoutes: 0, detached: 0 };

void test("tiny-lm: the first view shows /model's blocks, every view keeps the rules", async () => {
  const graph = await readGraph("samples/tiny-lm/model.onnx");
  const first = layoutModelGraph(graph);
  const layers = first.nodes.filter((n) => n.kind === "group" && /^g\/model\/layers\.\d+$/.test(n.id));
  assert.equal(layers.length, 4);
  assert.ok(layers.every((n) => n.expanded === false && n.parent === "g/model"));
  assert.deepEqual(sceneQuality(first), clean);
  const cache = createLayoutCache();
  for (const options of [
    { expanded: new Set(["/model/layers.2"]), cache },
    { expanded: "all" as const, cache },
    { expanded: "all" as const, direction: "LR" as const },
    { expanded: "all" as const, grouping: false },
  ]) {
    const scene = layoutModelGraph(graph, options);
    assert.deepEqual(sceneQuality(scene), clean, JSON.stringify(options));
    const boxes = scene.nodes.filter((n) => n.kind === "node").length;
    const groupedAway = scene.nodes
      .filter((n) => n.kind === "group" && !n.expanded)
      .reduce((s, n) => s + (n.members?.length ?? 0), 0);
    assert.equal(boxes + groupedAway, graph.nodes.length, "every node is a box or inside a closed group");
  }
  // All open: the 4 identical layers were laid out once each level, reused 3 times.
  const all = layoutModelGraph(graph, { expanded: "all" });
  assert.ok(all.stats.groupsReused >= 3 * 4, JSON.stringify(all.stats));
});

void test("a generated 24-layer decoder: repeated layers reuse one layout; shared constants do not blow up dummies", async () => {
  const config = { layers: 24, hidden: 16, heads: 2, vocab: 32, context: 16 };
  const file = join(work, "lm-24.onnx");
  await buildDecoderLm(config, randomDecoderLm(config, 1), file, { externalData: false });
  const graph = await readGraph(file);
  assert.ok(graph.nodes.length > 24 * 30);
  const flat = layoutModelGraph(graph, { expanded: "all", grouping: false });
  assert.deepEqual(sceneQuality(flat), clean);
  // The mask and the shared constants feed all 24 layers: lanes, not a trunk per edge.
  assert.ok(flat.stats.dummyNodes < graph.nodes.length * 2, JSON.stringify(flat.stats));
  const all = layoutModelGraph(graph, { expanded: "all" });
  assert.deepEqual(sceneQuality(all), clean);
  assert.ok(all.stats.groupsReused > all.stats.groupsLaidOut * 4, JSON.stringify(all.stats));
});

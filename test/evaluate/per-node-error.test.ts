// Per-node SQNR: a copy of the MLP with known noise added to a weight, measured through intermediate tensors
// exposed as outputs (inline weights and external data), checked against the SQNR the test computes itself; the
// quant-error.json it writes is read back by the language server's own parser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { perNodeError, writeQuantErrorJson } from "../../engine/evaluate/per-node-error";
import { writeModel } from "../../engine/onnx/write-model";
import type { Sample } from "../../engine/data/typed-tensor";
import { parseQuantErrorJson } from "../../language-server/world/quant-findings";
import { DT, mlp, node, tensor } from "../onnx/model-builder";
import { mlpForward, mlpWeights, tempDir, writeProto } from "./helpers";

const X1 = [
  [0.5, -1, 2, 0.25],
  [1, 1, -0.5, 0],
];
const X2 = [
  [-2, 0.75, 0.5, 1.5],
  [0.1, 0.2, 0.3, 0.4],
  [3, -1, 0, 2],
];
const sample = (rows: number[][]): Sample => ({
  x: { dtype: "float32", shape: [rows.length, 4], data: Float32Array.from(rows.flat()) },
});

function sqnrDb(ref: number[], q: number[]): number {
  const signal = ref.reduce((s, v) => s + v * v, 0);
  const noise = ref.reduce((s, v, i) => s + (v - q[i]) ** 2, 0);
  return 10 * Math.log10(signal / noise);
}

/** The MLP with deterministic noise of amplitude `amp` added to every element of W1. */
function noisyWeights(amp: number) {
  const w = mlpWeights();
  return { ...w, W1: w.W1.map((v, i) => Math.fround(v + amp * Math.sin(i * 1.7 + 0.3))) };
}

const QUANTIZED = [
  { node: "mm1", op_type: "MatMul", output: "h0" },
  { node: "mm2", op_type: "MatMul", output: "y" },
  { node: "ghost", op_type: "MatMul", output: "not_there" },
];

for (const layout of ["inline", "external data"] as const) {
  void test(`SQNR of each quantized node's output matches the hand computation (${layout})`, async () => {
    const dir = tempDir();
    const noisy = noisyWeights(0.02);
    const m = mlp();
    m.graph!.initializer[0] = tensor("W1", [4, 8], noisy.W1);
    let original: string, optimized: string;
    if (layout === "inline") {
      original = writeProto(dir, "float.onnx", mlp());
      optimized = writeProto(dir, "quant.onnx", m);
    } else {
      original = join(dir, "float.onnx");
      optimized = join(dir, "quant.onnx");
      await writeModel(mlp(), original, { externalData: { sizeThresholdBytes: 16 } });
      await writeModel(m, optimized, { externalData: { sizeThresholdBytes: 16 } });
    }
    const before = readdirSync(dir).sort();
    const result = await perNodeError({
      original,
      optimized,
      quantizedNodes: QUANTIZED,
      samples: [sample(X1), sample(X2)],
      maxOutputsPerPass: 1,
    });
    assert.deepEqual(readdirSync(dir).sort(), before, "no file is written beside the models");

    const X = [...X1, ...X2];
    const ref = mlpForward(X);
    const q = mlpForward(X, noisy);
    const expected = { h0: sqnrDb(ref.h0.flat(), q.h0.flat()), y: sqnrDb(ref.y.flat(), q.y.flat()) };
    assert.equal(result.samples, 2);
    assert.deepEqual(result.skipped, [
      { node: "ghost", output: "not_there", reason: "the float model has no tensor of this name in its main graph" },
    ]);
    assert.equal(result.nodes.length, 2);
    for (const n of result.nodes) {
      const want = expected[n.output as "h0" | "y"];
      assert.ok(
        n.sqnr_db !== null && Math.abs(n.sqnr_db - want) < 1e-3,
        `${n.node}: ${n.sqnr_db} dB, expected ${want} dB`,
      );
    }
    assert.equal(result.nodes[0].sqnr_db! <= result.nodes[1].sqnr_db!, true, "worst first");
    assert.equal(result.nodes.find((n) => n.output === "h0")!.elements, 5 * 8);
  });
}

void test("a node the noise does not reach is identical; quant-error.json is what the language server reads", async () => {
  const dir = tempDir();
  const w = mlpWeights();
  const m = mlp();
  // noise on W2 (a Constant node): h0 stays exact, y does not
  const noisyW2 = w.W2.map((v, i) => Math.fround(v + 0.05 * Math.cos(i)));
  const constW2 = m.graph!.node.find((n) => n.name === "const_W2")!;
  constW2.attribute[0].t = tensor("W2", [8, 3], noisyW2);
  const original = writeProto(dir, "float.onnx", mlp());
  const optimized = writeProto(dir, "quant.onnx", m);
  const result = await perNodeError({
    original,
    optimized,
    quantizedNodes: QUANTIZED.slice(0, 2),
    samples: [sample(X1)],
  });
  assert.deepEqual(
    result.nodes.map((n) => [n.node, n.note ?? "measured"]),
    [
      ["mm2", "measured"],
      ["mm1", "identical"],
    ],
  );
  const ref = mlpForward(X1);
  const q = mlpForward(X1, { ...w, W2: noisyW2 });
  assert.ok(Math.abs(result.nodes[0].sqnr_db! - sqnrDb(ref.y.flat(), q.y.flat())) < 1e-3);
  assert.equal(result.nodes[1].sqnr_db, null);
  assert.equal(result.nodes[1].max_abs, 0);

  const path = join(dir, "run", "quant-error.json");
  await writeQuantErrorJson(path, result, { original, optimized });
  const text = readFileSync(path, "utf8");
  const json = JSON.parse(text) as Record<string, unknown>;
  assert.equal(json.method, "sqnr");
  assert.equal(json.original, original);
  assert.equal(json.samples, 1);
  assert.match(String(json.created), /^\d{4}-\d\d-\d\dT/);
  // the language server skips the identical node (no finite SQNR) and keeps the measured one
  assert.deepEqual(parseQuantErrorJson(text), [{ node: "mm2", opType: "MatMul", sqnrDb: result.nodes[0].sqnr_db }]);
  assert.deepEqual(readdirSync(join(dir, "run")), ["quant-error.json"], "no temporary file is left");
});

void test("a tensor whose element type differs between the models (an integer tensor of the same name) is skipped with the reason", async () => {
  const dir = tempDir();
  const m = mlp();
  const g = m.graph!;
  // the optimized copy's "h0" is an int32 tensor: MatMul → h0f → Cast(int32) → h0 → Cast(float) → h0c → Add
  const mm1 = g.node.find((n) => n.name === "mm1")!;
  mm1.output[0] = "h0f";
  g.node.find((n) => n.name === "add1")!.input[0] = "h0c";
  g.node.splice(
    g.node.indexOf(mm1) + 1,
    0,
    node("Cast", ["h0f"], ["h0"], { to: DT.INT32 }, { name: "to_int" }),
    node("Cast", ["h0"], ["h0c"], { to: DT.FLOAT }, { name: "to_float" }),
  );
  const original = writeProto(dir, "float.onnx", mlp());
  const optimized = writeProto(dir, "quant.onnx", m);
  const result = await perNodeError({
    original,
    optimized,
    quantizedNodes: QUANTIZED.slice(0, 2),
    samples: [sample(X1)],
  });
  assert.deepEqual(
    result.nodes.map((n) => n.node),
    ["mm2"],
  );
  assert.equal(result.skipped.length, 1);
  assert.equal(result.skipped[0].node, "mm1");
  assert.match(result.skipped[0].reason, /element types differ: float float32, quantized int32/);
});

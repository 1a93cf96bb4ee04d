// Weights staged in the WebAssembly kernels' memory (stageWeight, and readFloatTensor's staged reads of external and
// inline data): the kernels read them in place and give the bytes of the JS reference, leave them intact, hold them
// against a second staging until a quantizer has run, and a model quantized end to end through staged reads runs in
// onnxruntime with the same weights as one quantized without the WebAssembly kernels.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { readModel } from "../../engine/onnx/read-model";
import { writeModel } from "../../engine/onnx/write-model";
import {
  isStaged,
  quantizeInt4,
  quantizeInt4Rows,
  quantizeInt8,
  releaseWeight,
  setWasmKernelsEnabled,
  stageWeight,
} from "../../engine/quantize/kernels/arithmetic";
import { quantizeModel } from "../../engine/quantize/quantize-model";
import { readFloatTensor } from "../../engine/quantize/graph/tensor-store";
import { setHelperThreadMode, waitForHelperThread } from "../../engine/quantize/kernels/wasm/helper-thread";
import { bytesOf, DT, graph, model, node, tensor, valueInfo } from "../onnx/model-builder";
import { randn, runModel, withWasm } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "edge-staged-"));

function assertSameBytes(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined, what: string): void {
  assert.ok(a && b, `${what}: missing`);
  assert.equal(a.length, b.length, `${what}: lengths differ`);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: element ${i} is ${a[i]} staged, ${b[i]} with the JS reference`);
  }
}

/** Stages a copy of `w` (asserting that staging is available) and runs `f` on it; checks `f` left the weight intact. */
function onStaged<T>(w: Float32Array, f: (staged: Float32Array) => T): T {
  const staged = stageWeight(w.length);
  assert.ok(staged, "stageWeight gave no array: the kernels' shared memory is unavailable");
  staged.set(w);
  assert.ok(isStaged(staged));
  const result = f(staged);
  assertSameBytes(staged, w, "the staged weight after the call");
  return result;
}

void test("int8 kernels on a staged weight give the JS reference's bytes (every axis, columns a multiple of 16 or not)", () => {
  for (const [rows, cols] of [
    [64, 48],
    [33, 40],
    [128, 256],
    [7, 16],
    [300, 1],
  ] as const) {
    const w = randn(rows * cols, rows * 31 + cols, 0.3);
    w[5] = 0;
    for (const channelAxis of ["cols", "rows", "none"] as const) {
      for (const type of ["int8", "uint8"] as const) {
        const options = { channelAxis, symmetric: type === "int8", type, reduceRange: false };
        const what = `[${rows}, ${cols}] ${channelAxis} ${type}`;
        const staged = onStaged(w, (s) => quantizeInt8(s, rows, cols, options));
        const js = withWasm(false, () => quantizeInt8(w, rows, cols, options));
        assertSameBytes(staged.data, js.data, `${what} data`);
        assertSameBytes(staged.scales, js.scales, `${what} scales`);
        assertSameBytes(staged.zeroPoints, js.zeroPoints, `${what} zero points`);
      }
    }
  }
});

void test("int4 kernels on a staged weight give the JS reference's bytes, alone and split with the helper thread", () => {
  assert.ok(waitForHelperThread(10_000), "the helper thread did not start");
  for (const mode of ["never", "always"] as const) {
    const before = setHelperThreadMode(mode);
    try {
      // K not a multiple of the block, N not a multiple of 16, and a large weight that the helper thread splits.
      for (const [k, n, bs] of [
        [96, 80, 32],
        [100, 72, 32],
        [256, 50, 64],
        [1024, 1040, 32],
        [2048, 512, 128],
      ] as const) {
        const w = randn(k * n, k + n, 0.2);
        const staged = onStaged(w, (s) => quantizeInt4(s, k, n, { blockSize: bs, symmetric: true }));
        const js = withWasm(false, () => quantizeInt4(w, k, n, { blockSize: bs, symmetric: true }));
        assertSameBytes(staged.packed, js.packed, `[${k}, ${n}] block ${bs} (${mode}) packed`);
        assertSameBytes(staged.scales, js.scales, `[${k}, ${n}] block ${bs} (${mode}) scales`);
      }
    } finally {
      setHelperThreadMode(before);
    }
  }
  const rows = onStaged(randn(50 * 64, 9, 0.5), (s) => quantizeInt4Rows(s, 50, 64, 32));
  const rowsJs = withWasm(false, () => quantizeInt4Rows(randn(50 * 64, 9, 0.5), 50, 64, 32));
  assertSameBytes(rows.packed, rowsJs.packed, "embedding rows packed");
  assertSameBytes(rows.scales, rowsJs.scales, "embedding rows scales");
});

void test("a staged weight is held until a quantizer has run on it (or it is released): no second weight shares its bytes", () => {
  const first = stageWeight(1024);
  assert.ok(first);
  assert.equal(stageWeight(1024), undefined, "a second weight was staged over a held one");
  first.set(randn(1024, 3));
  quantizeInt8(first, 32, 32, { channelAxis: "cols", symmetric: true, type: "int8" });
  const second = stageWeight(2048);
  assert.ok(second, "the quantizer's call did not release the staged weight");
  second[0] = 42;
  assert.equal(
    first[0],
    42,
    "the new staging reuses the bytes of the old (so callers keep no staged array across one)",
  );
  releaseWeight(second);
  const third = stageWeight(16);
  assert.ok(third, "releaseWeight did not release it");
  releaseWeight(new Float32Array(4)); // a no-op for other arrays
  quantizeInt4(new Float32Array(32 * 16), 32, 16, { blockSize: 32, symmetric: true }); // nor does a call on another array
  assert.equal(stageWeight(16), undefined);
  releaseWeight(third.subarray(4)); // a part of the staged weight releases it too
  assert.ok(stageWeight(16));
  releaseWeight(stageWeight(16) ?? third);
});

/** x [4, 128] → MatMul W [128, 64] → y, with W (and a Gemm's transposed W2) big enough for external data. */
function externalModel(): { path: string; w: Float32Array; w2: Float32Array } {
  const w = randn(128 * 64, 5, 0.1);
  const w2 = randn(64 * 128, 6, 0.1);
  const m = model(
    graph({
      nodes: [
        node("MatMul", ["x", "W"], ["h"], {}, { name: "mm" }),
        node("Gemm", ["h", "W2"], ["y"], { transB: 1 }, { name: "gemm" }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [4, 128])],
      outputs: [valueInfo("y", DT.FLOAT, [4, 128])],
      initializers: [tensor("W", [128, 64], [...w]), tensor("W2", [128, 64], [...w2])],
    }),
  );
  const inline = join(dir, `inline-${Math.random().toString(36).slice(2)}.onnx`);
  writeFileSync(inline, bytesOf(m));
  return { path: inline, w, w2 };
}

void test("readFloatTensor reads external and inline float32 weights straight into the staged memory, and the same values", async () => {
  const { path, w, w2 } = externalModel();
  const external = join(dir, "external.onnx");
  await writeModel((await readModel(path)).proto, external, { externalData: { sizeThresholdBytes: 1024 } });
  for (const file of [external, path]) {
    const m = await readModel(file);
    const tensorW = m.proto.graph!.initializer.find((t) => t.name === "W")!;
    const staged = await readFloatTensor(m, tensorW, "mm", { staged: true });
    assert.ok(isStaged(staged), `${file}: not read into the staged memory`);
    assertSameBytes(staged, w, `${file}: staged values`);
    // Held: a second staged read meanwhile gets an array of its own, with the right values.
    const other = await readFloatTensor(m, tensorW, "mm", { staged: true });
    assert.equal(isStaged(other), false);
    assertSameBytes(other, w, `${file}: values read while the staging was held`);
    releaseWeight(staged);
    const plain = await readFloatTensor(m, tensorW, "mm");
    assert.equal(isStaged(plain), false, "a read without { staged: true } was staged");
    assertSameBytes(plain, w, `${file}: plain values`);
    // Two staged reads at once (both awaiting the file): each gets its own values, never the other's bytes.
    const [a, b] = await Promise.all([
      readFloatTensor(m, tensorW, "mm", { staged: true }),
      readFloatTensor(
        m,
        m.proto.graph!.initializer.find((t) => t.name === "W2")!,
        "gemm",
        { staged: true },
      ),
    ]);
    assertSameBytes(a, w, `${file}: the first of two concurrent reads`);
    assertSameBytes(b, w2, `${file}: the second of two concurrent reads`);
    assert.notEqual(isStaged(a), isStaged(b), "both concurrent reads were staged");
    releaseWeight(a);
    releaseWeight(b);
    await m.externalData.close();
  }
});

void test("int4 and int8-dynamic through staged reads of external data write the weights of the JS path, and onnxruntime runs them", async () => {
  const { path } = externalModel();
  const external = join(dir, "ext-e2e.onnx");
  await writeModel((await readModel(path)).proto, external, { externalData: { sizeThresholdBytes: 1024 } });
  const x = new ort.Tensor("float32", randn(4 * 128, 11), [4, 128]);
  for (const method of ["int4-weight-only", "int8-dynamic"] as const) {
    const staged = join(dir, `staged-${method}.onnx`);
    const reference = join(dir, `js-${method}.onnx`);
    await quantizeModel(external, staged, { method });
    const before = setWasmKernelsEnabled(false);
    try {
      await quantizeModel(external, reference, { method });
    } finally {
      setWasmKernelsEnabled(before);
    }
    assert.deepEqual(
      readFileSync(`${staged}.data`),
      readFileSync(`${reference}.data`),
      `${method}: the quantized weights differ from the JS path's`,
    );
    const got = await runModel(staged, { x });
    const want = await runModel(reference, { x });
    assertSameBytes(got.y, want.y, `${method}: onnxruntime outputs`);
  }
});

// Synthetic inputs are deterministic (same seed → same bytes), within their ranges, and shaped by spec, model and bindings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { syntheticTensor, createRng } from "../../engine/run/synthetic";
import { resolveFeeds, resolveShape } from "../../engine/run/feeds";
import { fromHalfBits, type TensorData } from "../../engine/data/typed-tensor";
import type { ModelSignature } from "../../engine/onnx/signature";
import { isEdgeError } from "../../engine/errors";
import { recorder } from "./helpers";

const bytes = (t: TensorData) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

void test("same seed gives the same bytes; another seed or input name gives others", () => {
  const spec = { name: "x", dtype: "float32" as const, shape: [2, 3, 8] };
  assert.deepEqual(bytes(syntheticTensor(spec, 7)), bytes(syntheticTensor(spec, 7)));
  assert.notDeepEqual(bytes(syntheticTensor(spec, 7)), bytes(syntheticTensor(spec, 8)));
  assert.notDeepEqual(bytes(syntheticTensor(spec, 7)), bytes(syntheticTensor({ ...spec, name: "y" }, 7)));
  // mulberry32(0)'s first value is 0.26642920868…: the generator must not change silently (runs are compared across versions)
  const rng = createRng(0);
  assert.equal(Math.round(rng() * 1e9), 266_429_209);
});

void test("values stay in range for every dtype", () => {
  const floats = syntheticTensor({ name: "f", dtype: "float32", shape: [1000], range: [-1, 1] }, 1)
    .data as Float32Array;
  assert.ok(floats.every((v) => v >= -1 && v <= 1));
  assert.ok(Math.min(...floats) < -0.9 && Math.max(...floats) > 0.9);
  const defaultFloats = syntheticTensor({ name: "f", dtype: "float64", shape: [500] }, 1).data as Float64Array;
  assert.ok(defaultFloats.every((v) => v >= 0 && v < 1));
  const ids = syntheticTensor({ name: "ids", dtype: "int64", shape: [1, 2000], range: [0, 255] }, 1)
    .data as BigInt64Array;
  assert.ok(ids.every((v) => v >= 0n && v <= 255n));
  assert.ok(ids.includes(0n) && ids.includes(255n), "both ends of an integer range are reachable");
  const ints = syntheticTensor({ name: "i", dtype: "int32", shape: [1000] }, 1).data as Int32Array;
  assert.ok(ints.every((v) => v >= 0 && v <= 10 && Number.isInteger(v)));
  const bools = syntheticTensor({ name: "b", dtype: "bool", shape: [1000] }, 1).data as Uint8Array;
  assert.ok(bools.every((v) => v === 0 || v === 1));
  assert.ok(bools.includes(0) && bools.includes(1));
  const halves = syntheticTensor({ name: "h", dtype: "float16", shape: [100], range: [2, 4] }, 1).data as Uint16Array;
  assert.ok([...halves].every((h) => fromHalfBits(h) >= 2 && fromHalfBits(h) <= 4));
});

void test("constant values, fills and the normal distribution", () => {
  assert.deepEqual(
    [...(syntheticTensor({ name: "sr", dtype: "int64", shape: [], value: 16000 }, 0).data as BigInt64Array)],
    [16000n],
  );
  assert.deepEqual(
    [...syntheticTensor({ name: "m", dtype: "int64", shape: [1, 3], value: [[1, 2, 3]] }, 0).data],
    [1n, 2n, 3n],
  );
  assert.deepEqual(
    [...syntheticTensor({ name: "o", dtype: "float32", shape: [4], fill: "ones" }, 0).data],
    [1, 1, 1, 1],
  );
  assert.deepEqual([...syntheticTensor({ name: "z", dtype: "float32", shape: [2], fill: "zeros" }, 0).data], [0, 0]);
  assert.throws(
    () => syntheticTensor({ name: "v", dtype: "float32", shape: [3], value: [1, 2] }, 0),
    (e) => isEdgeError(e) && e.code === "run/input",
  );
  const normal = syntheticTensor({ name: "n", dtype: "float64", shape: [20000], fill: "normal", mean: 5, std: 2 }, 3)
    .data as Float64Array;
  const m = normal.reduce((a, b) => a + b, 0) / normal.length;
  const sd = Math.sqrt(normal.reduce((a, b) => a + (b - m) ** 2, 0) / (normal.length - 1));
  assert.ok(Math.abs(m - 5) < 0.05 && Math.abs(sd - 2) < 0.05, `mean ${m}, sd ${sd}`);
});

const vad: ModelSignature = {
  irVersion: 10,
  opsetImports: [],
  inputs: [
    { name: "input", dtype: "float32", dims: ["batch", "sequence"] },
    { name: "sr", dtype: "int64", dims: [] },
    { name: "state", dtype: "float32", dims: [2, "batch", 128] },
  ],
  outputs: [],
};

void test("shapes come from the spec, else the model with bindings, else 1 with a warning naming input and dim", () => {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  assert.deepEqual(resolveShape(vad.inputs[2], undefined, { batch: 4 }, warn), [2, 4, 128]);
  assert.deepEqual(resolveShape(vad.inputs[0], { shape: ["batch", 512] }, { batch: 2 }, warn), [2, 512]);
  assert.deepEqual(warnings, []);
  assert.deepEqual(resolveShape(vad.inputs[0], undefined, { batch: 1 }, warn), [1, 1]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /input "input": dim 1 \("sequence"\) is not bound; using 1/);
  assert.throws(() => resolveShape(vad.inputs[2], { shape: [2, 1] }, {}, warn), /rank 2 but the model expects rank 3/);
  assert.throws(
    () => resolveShape(vad.inputs[2], { shape: [3, 1, 128] }, {}, warn),
    /dim 0 is 3 but the model fixes it to 2/,
  );
});

void test("resolveFeeds: warnings as log events, unknown spec inputs and wrong dtypes are run/input errors", () => {
  const sink = recorder();
  const feeds = resolveFeeds(
    vad,
    { modelPath: "vad.onnx", outDir: "/tmp", dims: { batch: 1 }, inputs: { sr: { value: 16000 } } },
    sink,
  );
  assert.deepEqual(
    feeds.inputs.map((i) => [i.name, i.dtype, i.shape]),
    [
      ["input", "float32", [1, 1]],
      ["sr", "int64", []],
      ["state", "float32", [2, 1, 128]],
    ],
  );
  assert.equal(feeds.samples.length, 1);
  const logs = sink.of("log");
  assert.equal(logs.length, 1);
  assert.equal(logs[0].level, "warning");
  assert.match(logs[0].message, /"input".*"sequence"/);

  const code = (e: unknown) => (isEdgeError(e) ? e.code : "");
  assert.throws(
    () => resolveFeeds(vad, { modelPath: "vad.onnx", outDir: "/tmp", inputs: { audio: {} } }, sink),
    (e) => code(e) === "run/input" && /"audio" is not an input.*"input", "sr", "state"/.test((e as Error).message),
  );
  assert.throws(
    () => resolveFeeds(vad, { modelPath: "vad.onnx", outDir: "/tmp", inputs: { sr: { dtype: "int32" } } }, sink),
    (e) => code(e) === "run/input" && /int32.*int64/.test((e as Error).message),
  );
});

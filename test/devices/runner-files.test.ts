// The runner's files, without running a model: the samples file round-trips every dtype and refuses damaged files;
// the plan file resolves relative paths from its folder and refuses what is not a plan.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readPlanFile } from "../../engine/device-runner/plan-file";
import { decodeSamples, encodeSamples } from "../../engine/device-runner/samples-file";
import { DTYPES, type Sample } from "../../engine/data/typed-tensor";
import { isEdgeError } from "../../engine/errors";
import { syntheticTensor } from "../../engine/run/synthetic";
import { tempDir } from "./runner-helpers";

void test("samples file: every dtype, odd sizes (padding), scalars and empty tensors come back bit for bit", () => {
  const samples: Sample[] = [
    Object.fromEntries(
      DTYPES.map((dtype, i) => [`t_${dtype}`, syntheticTensor({ name: dtype, dtype, shape: [3, i + 1] }, 7)]),
    ),
    {
      scalar: syntheticTensor({ name: "s", dtype: "int64", shape: [] }, 1),
      empty: syntheticTensor({ name: "e", dtype: "float32", shape: [0, 4] }, 1),
      odd: syntheticTensor({ name: "o", dtype: "uint8", shape: [5] }, 1),
    },
  ];
  const decoded = decodeSamples(encodeSamples(samples));
  assert.equal(decoded.length, 2);
  for (const [i, sample] of samples.entries()) {
    assert.deepEqual(Object.keys(decoded[i]), Object.keys(sample));
    for (const [name, t] of Object.entries(sample)) {
      const back = decoded[i][name];
      assert.equal(back.dtype, t.dtype, name);
      assert.deepEqual(back.shape, t.shape, name);
      assert.equal(back.data.constructor, t.data.constructor, name);
      assert.deepEqual(back.data, t.data, name);
    }
  }
});

void test("samples file: a wrong magic, a cut-off file and a bad header are data/invalid errors naming the file", () => {
  const good = encodeSamples([{ x: syntheticTensor({ name: "x", dtype: "float32", shape: [4, 4] }, 0) }]);
  const rejects = (bytes: Uint8Array, pattern: RegExp) =>
    assert.throws(
      () => decodeSamples(bytes, "s.bin"),
      (e) => isEdgeError(e) && e.code === "data/invalid" && e.where.file === "s.bin" && pattern.test(e.message),
    );
  rejects(new TextEncoder().encode("NOTMAGIC\0\0\0\0"), /not a samples file/);
  rejects(good.subarray(0, good.length - 1), /data lies outside the file/);
  const badHeader = good.slice();
  badHeader[12] = "[".charCodeAt(0); // the JSON header no longer parses
  rejects(badHeader, /header is not JSON/);
});

void test("plan file: relative paths are the plan's folder's; a non-plan is a device/runner error", async () => {
  const dir = tempDir();
  const path = join(dir, "plan.json");
  writeFileSync(
    path,
    JSON.stringify({
      modelPath: "m/model.onnx",
      outDir: "out",
      samplesPath: "s.bin",
      iterations: 3,
      saveOutputs: true,
    }),
  );
  const plan = await readPlanFile(path);
  assert.equal(plan.modelPath, join(dir, "m", "model.onnx"));
  assert.equal(plan.outDir, join(dir, "out"));
  assert.equal(plan.samplesPath, join(dir, "s.bin"));
  assert.equal(plan.iterations, 3);
  writeFileSync(path, JSON.stringify({ modelPath: "/abs/model.onnx", outDir: "/abs/out" }));
  assert.equal((await readPlanFile(path)).modelPath, "/abs/model.onnx");

  for (const [text, pattern] of [
    ["[1, 2]", /is not a JSON object/],
    [`{"outDir": "o"}`, /needs "modelPath"/],
    [`{"modelPath": "m", "outDir": "o", "samples": []}`, /samples file/],
    [`{"modelPath": "m", "outDir": "o", "saveOutputs": "yes"}`, /"saveOutputs" is a boolean/],
  ] as const) {
    writeFileSync(path, text);
    await assert.rejects(
      readPlanFile(path),
      (e) => isEdgeError(e) && e.code === "device/runner" && pattern.test(e.message),
    );
  }
  await assert.rejects(readPlanFile(dir), (e) => isEdgeError(e) && /is not a regular file/.test(e.message));
});

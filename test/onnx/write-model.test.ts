// The writer: byte-identical output when nothing moves, the source model untouched (file and proto), atomic
// replacement with no partial or temporary files left on failure, and a real model (silero VAD) written with
// external data that onnxruntime runs with the same results as the original.
import { toBinary } from "@bufbuild/protobuf";
import { ModelProtoSchema } from "onnx-buf";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as ort from "onnxruntime-node";
import type { EdgeError } from "../../engine/errors";
import { readModel } from "../../engine/onnx/read-model";
import { writeModel } from "../../engine/onnx/write-model";
import { fixtureModels } from "./corpus";
import { bytesOf, mlp } from "./model-builder";

const dir = mkdtempSync(join(tmpdir(), "edge-write-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

void test("writing without external data reproduces each real model byte for byte", async () => {
  for (const path of Object.values(fixtureModels)) {
    const model = await readModel(path);
    const out = join(dir, "same", `${path.split("/").pop()}`);
    const result = await writeModel(model, out);
    assert.equal(result.externalTensors, 0);
    assert.equal(sha(readFileSync(out)), sha(readFileSync(path)), path);
  }
});

void test("the source model is untouched: its file, and its proto (fields swapped during serialization are restored)", async () => {
  const path = fixtureModels.sileroIfless;
  const before = sha(readFileSync(path));
  const model = await readModel(path);
  const protoBefore = sha(toBinary(ModelProtoSchema, model.proto));
  const out = join(dir, "untouched", "silero.onnx");
  const result = await writeModel(model, out, { externalData: { sizeThresholdBytes: 1024 } });
  assert.ok(result.externalTensors > 10, `expected many external tensors, got ${result.externalTensors}`);
  assert.equal(sha(readFileSync(path)), before, "source file changed");
  assert.equal(sha(toBinary(ModelProtoSchema, model.proto)), protoBefore, "source proto changed");
  assert.equal(readdirSync(join(dir, "untouched")).sort().join(","), "silero.onnx,silero.onnx.data");

  // onnxruntime runs the external-data copy with the original's results.
  const feeds = () => ({
    input: new ort.Tensor(
      "float32",
      Float32Array.from({ length: 512 }, (_, i) => Math.sin(i / 7) * 0.3),
      [1, 512],
    ),
    state: new ort.Tensor("float32", new Float32Array(256), [2, 1, 128]),
    sr: new ort.Tensor("int64", BigInt64Array.from([16000n]), []),
  });
  const outputs: number[][] = [];
  for (const file of [path, out]) {
    const session = await ort.InferenceSession.create(file, { logSeverityLevel: 3 });
    const result = await session.run(feeds());
    outputs.push(Array.from(result.output.data as Float32Array));
    await session.release();
  }
  assert.deepEqual(outputs[1], outputs[0]);
});

void test("a write that fails leaves no partial or temporary file, and replacing a model is atomic", async () => {
  const folder = join(dir, "atomic");
  mkdirSync(join(folder, "target.onnx"), { recursive: true }); // the target is a directory: rename fails
  await assert.rejects(writeModel(mlp(), join(folder, "target.onnx")), (e: EdgeError) => e.code === "io/write");
  assert.deepEqual(readdirSync(folder), ["target.onnx"]);

  // The data file cannot be placed (a directory has its name): nothing is written, the model neither.
  mkdirSync(join(folder, "m.onnx.data"));
  await assert.rejects(
    writeModel(mlp(), join(folder, "m.onnx"), { externalData: { sizeThresholdBytes: 16 } }),
    (e: EdgeError) => e.code === "io/write",
  );
  assert.deepEqual(readdirSync(folder).sort(), ["m.onnx.data", "target.onnx"]);

  // Replacing an existing model: the new content, nothing else left beside it.
  const path = join(folder, "replace.onnx");
  writeFileSync(path, "old");
  await writeModel(mlp(), path);
  assert.equal(sha(readFileSync(path)), sha(bytesOf(mlp())));
  assert.deepEqual(readdirSync(folder).sort(), ["m.onnx.data", "replace.onnx", "target.onnx"]);
});

void test("a source data file that breaks while copying fails the write without leaving files", async () => {
  const folder = join(dir, "broken-source");
  mkdirSync(folder);
  const inline = join(folder, "inline.onnx");
  writeFileSync(inline, bytesOf(mlp()));
  await writeModel(await readModel(inline), join(folder, "ext.onnx"), { externalData: { sizeThresholdBytes: 64 } });
  const source = await readModel(join(folder, "ext.onnx"));
  truncateSync(join(folder, "ext.onnx.data"), 100);
  const out = join(folder, "out");
  await assert.rejects(
    writeModel(source, join(out, "copy.onnx")),
    (e: EdgeError) => e.code === "model/external-data" && /tensor "W/.test(e.message),
  );
  let left: string[] = [];
  try {
    left = readdirSync(out);
  } catch {
    // never created: fine
  }
  assert.deepEqual(left, []);
  await source.close();
});

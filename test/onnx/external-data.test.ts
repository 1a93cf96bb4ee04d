// External data: writing with a size threshold, lazy reads with the bytes checked, onnxruntime-node running the
// written model with the same results as the inline one, automatic externalization past the inline limit, and
// refusals: locations escaping the model directory, absolute locations, truncated data files.
import { create } from "@bufbuild/protobuf";
import { ModelProtoSchema, StringStringEntryProtoSchema, TensorProto_DataLocation } from "onnx-buf";
import { fromBinary } from "@bufbuild/protobuf";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as ort from "onnxruntime-node";
import { type EdgeError } from "../../engine/errors";
import { readModel } from "../../engine/onnx/read-model";
import { isExternal, externalRef } from "../../engine/onnx/tensor-proto";
import { walkTensors } from "../../engine/onnx/walk";
import { writeModel } from "../../engine/onnx/write-model";
import { bytesOf, mlp } from "./model-builder";

const dir = mkdtempSync(join(tmpdir(), "edge-external-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(path: string, x: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(path, { logSeverityLevel: 3 });
  try {
    const out = await session.run({ x: new ort.Tensor("float32", x, [2, 4]) });
    return out.y.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Writes the inline MLP and its external-data copy; returns their paths. */
async function writeBoth(sub: string): Promise<{ inline: string; external: string; folder: string }> {
  const folder = join(dir, sub);
  mkdirSync(folder, { recursive: true });
  const inline = join(folder, "inline.onnx");
  writeFileSync(inline, bytesOf(mlp()));
  const source = await readModel(inline);
  const external = join(folder, "external.onnx");
  const result = await writeModel(source, external, {
    externalData: { sizeThresholdBytes: 64, location: "weights.bin", alignBytes: 64 },
  });
  assert.equal(result.externalTensors, 2);
  return { inline, external, folder };
}

void test("a model written with a size threshold keeps big tensors external, reads them lazily, and runs in onnxruntime the same", async () => {
  const folder = join(dir, "threshold");
  mkdirSync(folder);
  const inline = join(folder, "inline.onnx");
  writeFileSync(inline, bytesOf(mlp()));
  const source = await readModel(inline);
  const external = join(folder, "external.onnx");
  const result = await writeModel(source, external, {
    externalData: { sizeThresholdBytes: 64, location: "weights.bin", alignBytes: 64 },
  });
  // W1 is 4×8 floats (128 B) and W2 8×3 floats (96 B): external; b1 is 8 floats (32 B): inline.
  assert.equal(result.externalTensors, 2);
  assert.equal(result.dataPath, join(folder, "weights.bin"));

  const back = await readModel(external);
  const tensors = new Map([...walkTensors(back.proto)].map((e) => [e.tensor.name, e.tensor]));
  assert.ok(isExternal(tensors.get("W1")!) && isExternal(tensors.get("W2")!));
  assert.ok(!isExternal(tensors.get("b1")!));
  assert.equal(tensors.get("W1")!.rawData.length, 0, "external tensors carry no raw_data in the model file");
  assert.deepEqual(back.external, { files: [join(folder, "weights.bin")], totalBytes: 128 + 96, tensors: 2 });
  const refW2 = externalRef(tensors.get("W2")!);
  assert.equal(refW2.offset % 64, 0, "offsets are aligned");
  const original = new Map([...walkTensors(source.proto)].map((e) => [e.tensor.name, e.tensor]));
  for (const name of ["W1", "W2"])
    assert.deepEqual(await back.externalData.read(tensors.get(name)!), original.get(name)!.rawData, name);
  await back.close();

  const x = Float32Array.from([0.5, -1, 2, 0.25, 1, 1, -0.5, 3]);
  const [a, b] = [await run(inline, x), await run(external, x)];
  assert.equal(a.length, 6);
  assert.deepEqual(Array.from(b), Array.from(a));
});

void test("external tensors are copied when the model is written elsewhere, and inlined on request", async () => {
  const { external, folder } = await writeBoth("copy");
  const source = await readModel(external);
  const moved = join(folder, "elsewhere", "moved.onnx");
  const copied = await writeModel(source, moved);
  assert.equal(copied.externalTensors, 2, "tensors that were external stay external, in the new data file");
  assert.equal(copied.dataPath, join(folder, "elsewhere", "moved.onnx.data"));
  const inlined = join(folder, "inlined.onnx");
  const back = await writeModel(source, inlined, { externalData: "inline" });
  assert.equal(back.externalTensors, 0);
  const reread = await readModel(inlined);
  assert.equal([...walkTensors(reread.proto)].filter((e) => isExternal(e.tensor)).length, 0);
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(Array.from(await run(moved, x)), Array.from(await run(external, x)));
  assert.deepEqual(Array.from(await run(inlined, x)), Array.from(await run(external, x)));
  await source.close();
});

void test("a model over the inline limit is written with external data automatically", async () => {
  const folder = join(dir, "auto");
  mkdirSync(folder);
  const path = join(folder, "auto.onnx");
  // Pretend protobuf's limit is 64 MiB + 100 bytes: the 64 MiB structure margin leaves no room for the weights.
  const result = await writeModel(mlp(), path, { maxInlineBytes: (64 << 20) + 100 });
  assert.equal(result.externalTensors, 0, "no tensor reaches the 1 KiB default threshold");
  const big = mlp();
  const w1 = big.graph!.initializer[0];
  w1.dims = [4n, 1024n];
  w1.rawData = new Uint8Array(4 * 1024 * 4);
  const bigResult = await writeModel(big, path, { maxInlineBytes: (64 << 20) + 100 });
  assert.equal(bigResult.externalTensors, 1);
  assert.equal(bigResult.dataPath, join(folder, "auto.onnx.data"));
  const back = await readModel(path);
  assert.equal(back.external.totalBytes, 16384);
  assert.ok(back.sizeBytes < 1024);
});

void test("locations that escape the model directory or are absolute are refused", async () => {
  const folder = join(dir, "escape");
  mkdirSync(join(folder, "models"), { recursive: true });
  writeFileSync(join(folder, "secret.bin"), new Uint8Array(128));
  const m = mlp();
  const w1 = m.graph!.initializer[0];
  w1.rawData = new Uint8Array(0);
  w1.dataLocation = TensorProto_DataLocation.EXTERNAL;
  const entry = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
  for (const location of [
    "../secret.bin",
    "sub/../../secret.bin",
    join(folder, "secret.bin"),
    "/etc/passwd",
    "C:\\\\weights.bin",
  ]) {
    w1.externalData = [entry("location", location), entry("offset", "0"), entry("length", "128")];
    const path = join(folder, "models", "m.onnx");
    writeFileSync(path, bytesOf(m));
    await assert.rejects(readModel(path), (e: EdgeError) => {
      assert.equal(e.code, "model/external-data", location);
      assert.match(e.message, /tensor "W1"/);
      assert.match(e.message, /outside the model's directory|absolute path/);
      return true;
    });
  }
  // A symbolic link inside the directory that points outside it is refused too.
  symlinkSync(join(folder, "secret.bin"), join(folder, "models", "link.bin"));
  w1.externalData = [entry("location", "link.bin"), entry("offset", "0"), entry("length", "128")];
  writeFileSync(join(folder, "models", "m.onnx"), bytesOf(m));
  await assert.rejects(readModel(join(folder, "models", "m.onnx")), /symbolic link/);
});

void test("a truncated data file, a bad length and a checksum mismatch name the tensor", async () => {
  const { external, folder } = await writeBoth("truncated");
  const data = join(folder, "weights.bin");
  const full = readFileSync(data);
  truncateSync(data, full.length - 10);
  await assert.rejects(readModel(external), (e: EdgeError) => {
    assert.equal(e.code, "model/external-data");
    assert.match(
      e.message,
      /tensor "W2": external data needs bytes \d+\.\.\d+ of "weights.bin", which has only \d+ bytes/,
    );
    assert.match(e.hint!, /truncated/);
    return true;
  });
  // Reading without the upfront check fails the same way when the bytes are asked for.
  const lazy = await readModel(external, { checkExternalData: false });
  const w2 = [...walkTensors(lazy.proto)].find((t) => t.tensor.name === "W2")!.tensor;
  await assert.rejects(lazy.externalData.read(w2), /tensor "W2"/);
  await lazy.close();

  writeFileSync(data, full);
  const proto = fromBinary(ModelProtoSchema, readFileSync(external));
  const w1 = proto.graph!.initializer.find((t) => t.name === "W1")!;
  w1.externalData.find((e) => e.key === "length")!.value = "100";
  writeFileSync(external, bytesOf(proto));
  await assert.rejects(readModel(external), /tensor "W1": external data has 100 bytes but its dims and type need 128/);

  w1.externalData.find((e) => e.key === "length")!.value = "128";
  w1.externalData.push(create(StringStringEntryProtoSchema, { key: "checksum", value: "0".repeat(40) }));
  writeFileSync(external, bytesOf(proto));
  const checked = await readModel(external, { verifyChecksums: true });
  const tensor = [...walkTensors(checked.proto)].find((t) => t.tensor.name === "W1")!.tensor;
  await assert.rejects(
    checked.externalData.read(tensor),
    /tensor "W1": external data checksum [0-9a-f]{40} does not match/,
  );
  await checked.close();
});

void test("writing over the data file the source reads from is refused", async () => {
  const { external, folder } = await writeBoth("overwrite");
  const source = await readModel(external);
  await assert.rejects(
    writeModel(source, join(folder, "other.onnx"), { externalData: { location: "weights.bin" } }),
    (e: EdgeError) => e.code === "io/write" && /reads its weights from it/.test(e.message),
  );
  await assert.rejects(
    writeModel(source, external),
    (e: EdgeError) => e.code === "io/write" && /source model/.test(e.message),
  );
  await source.close();
});

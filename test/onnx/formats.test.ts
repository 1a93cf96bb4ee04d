// Format plug-ins: ONNX is recognized from its first bytes or its name, other model formats are named as
// unsupported, anything else is read as ONNX so its reader can say where it fails. And readModelSignature, which
// other modules use, on top of the reader.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { EdgeError } from "../../engine/errors";
import { detectFormat, openModel } from "../../engine/formats/open-model";
import { onnxFormat } from "../../engine/formats/onnx-format";
import { sniff } from "../../engine/fs/sniff";
import { readModelSignature } from "../../engine/onnx/signature";
import { fixtureModels } from "./corpus";

const dir = mkdtempSync(join(tmpdir(), "edge-formats-"));
after(() => rmSync(dir, { recursive: true, force: true }));

void test("the ONNX plug-in matches ONNX heads and .onnx names, and opens models", async () => {
  const head = readFileSync(fixtureModels.ocrCls).subarray(0, 64);
  assert.equal(onnxFormat.match(head, "model.bin"), "yes");
  assert.equal(onnxFormat.match(Uint8Array.from([0x12, 0x03]), "model.bin"), "maybe");
  assert.equal(onnxFormat.match(new TextEncoder().encode("{}"), "model.onnx"), "maybe");
  assert.equal(onnxFormat.match(new TextEncoder().encode("{}"), "model.json"), "no");
  assert.equal(detectFormat(new TextEncoder().encode("{}"), "x.json").id, "onnx", "ONNX is the default");
  const opened = await openModel(fixtureModels.ocrCls);
  assert.equal(opened.format, "onnx");
  assert.equal(opened.sizeBytes, readFileSync(fixtureModels.ocrCls).length);
  assert.equal(opened.onnx.proto.graph?.node.length, 471);
  await opened.onnx.close();
});

void test("other model formats are model/unsupported with advice; other files get the ONNX reader's diagnosis", async () => {
  const cases: [string, Uint8Array, string, RegExp][] = [
    [
      "m.tflite",
      Uint8Array.from([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0, 0, 0, 0]),
      "model/unsupported",
      /TensorFlow Lite.*tf2onnx/s,
    ],
    ["m.gguf", new TextEncoder().encode("GGUF\x03\x00\x00\x00"), "model/unsupported", /GGUF/],
    [
      "m.pt",
      Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]),
      "model/unsupported",
      /zip archive.*torch\.onnx\.export/s,
    ],
    ["m.pkl", Uint8Array.from([0x80, 0x04, 0x95, 0, 0]), "model/unsupported", /pickle/],
    ["m.png", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), "model/invalid", /PNG image/],
    [
      "m.onnx",
      new TextEncoder().encode("version https://git-lfs.github.com/spec/v1\noid sha256:abc\n"),
      "model/invalid",
      /git lfs pull/,
    ],
  ];
  for (const [name, bytes, code, says] of cases) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    await assert.rejects(openModel(path), (e: EdgeError) => {
      assert.equal(e.code, code, name);
      assert.equal(e.where.file, path);
      assert.equal(typeof e.where.offset, "number");
      assert.match(`${e.message} ${e.hint}`, says, name);
      return true;
    });
  }
  assert.equal(sniff(new Uint8Array(0))?.kind, "empty");
  assert.equal(sniff(readFileSync(fixtureModels.ocrCls).subarray(0, 64)), undefined);
});

void test("readModelSignature keeps its shape on top of the reader, and reports bad files with offsets", async () => {
  const sig = await readModelSignature(fixtureModels.sileroVad);
  assert.equal(sig.irVersion, 8);
  assert.deepEqual(sig.opsetImports, [{ domain: "", version: 16 }]);
  assert.deepEqual(sig.inputs, [
    { name: "input", dtype: "float32", dims: [null, null] },
    { name: "state", dtype: "float32", dims: [2, null, 128] },
    { name: "sr", dtype: "int64", dims: [] },
  ]);
  const bad = join(dir, "bad.onnx");
  writeFileSync(bad, readFileSync(fixtureModels.sileroVad).subarray(0, 300));
  await assert.rejects(
    readModelSignature(bad),
    (e: EdgeError) => e.code === "model/invalid" && e.where.file === bad && typeof e.where.offset === "number",
  );
});

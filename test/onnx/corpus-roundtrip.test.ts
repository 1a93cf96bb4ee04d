// Every model of Debian's ONNX conformance corpus (1,072 files) and the real models in node_modules decodes and
// re-encodes byte for byte, and passes the wire-format scanner; readModel accepts each one.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { ModelProtoSchema } from "onnx-buf";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { readModel } from "../../engine/onnx/read-model";
import { scanWireFormat } from "../../engine/onnx/wire-scanner";
import { corpusModels, fixtureModels } from "./corpus";

void test("libonnx-testdata and the fixture models round-trip byte-identically and scan clean", () => {
  const corpus = corpusModels();
  assert.ok(corpus.length >= 1000, `expected the full libonnx-testdata corpus (1,072 models), found ${corpus.length}`);
  const models = [...corpus, ...Object.values(fixtureModels)];
  const mismatches: string[] = [];
  const scanProblems: string[] = [];
  for (const path of models) {
    const bytes = readFileSync(path);
    const problem = scanWireFormat(bytes, ModelProtoSchema, { checkUtf8: true });
    if (problem) scanProblems.push(`${path}: ${problem.path} @${problem.offset}: ${problem.reason}`);
    const again = toBinary(ModelProtoSchema, fromBinary(ModelProtoSchema, bytes));
    if (Buffer.compare(Buffer.from(again.buffer, again.byteOffset, again.byteLength), bytes) !== 0)
      mismatches.push(`${path} (${bytes.length} → ${again.length} bytes)`);
  }
  assert.deepEqual(
    mismatches,
    [],
    `${mismatches.length} of ${models.length} models changed in a decode → encode round trip`,
  );
  assert.deepEqual(scanProblems, [], "the wire scanner rejected valid models");
});

void test("readModel accepts every corpus model and reports its size", async () => {
  const failures: string[] = [];
  for (const path of corpusModels()) {
    try {
      const model = await readModel(path);
      assert.equal(model.sizeBytes, readFileSync(path).length);
      assert.ok(model.proto.graph);
    } catch (e) {
      failures.push(`${path}: ${(e as Error).message}`);
    }
  }
  assert.deepEqual(failures, []);
});

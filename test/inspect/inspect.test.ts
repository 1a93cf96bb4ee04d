// inspectModel on models whose numbers can be worked out by hand: parameter counts by kind and dtype, the
// liveness walk (allocation, freeing, views sharing buffers, If branches decided by constants, Loop trip
// counts, function bodies), symbol binding from --input-shape, its errors, external data counted unread, and the
// device-class line.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { EdgeError } from "../../engine/errors";
import { deviceFit } from "../../engine/inspect/device-fit";
import { inspectModel } from "../../engine/inspect/inspect-model";
import { readModel } from "../../engine/onnx/read-model";
import { writeModel } from "../../engine/onnx/write-model";
import { corpusModels, fixtureModels } from "../onnx/corpus";
import { bytesOf, constant, DT, fn, graph, mlp, model, node, tensor, valueInfo } from "../onnx/model-builder";
import type { ModelProto } from "onnx-buf";

const dir = mkdtempSync(join(tmpdir(), "edge-inspect-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function save(m: ModelProto): string {
  const path = join(dir, `m${counter++}.onnx`);
  writeFileSync(path, bytesOf(m));
  return path;
}

void test("the MLP: counts and a liveness walk worked out by hand", async () => {
  const report = await inspectModel(save(mlp()), { inputShapes: { x: [2, 4] } });
  assert.deepEqual(report.inputs, [{ name: "x", dtype: "float32", dims: ["batch", 4] }]);
  assert.deepEqual(report.nodes.opsAll, { Constant: 2, MatMul: 2, Add: 1, Relu: 1 });
  assert.equal(report.nodes.topLevel, 6);
  assert.deepEqual(report.parameters.initializers.total, { tensors: 1, elements: 32, bytes: 128 });
  assert.deepEqual(report.parameters.constants.total, { tensors: 2, elements: 32, bytes: 128 });
  assert.deepEqual(report.parameters.all.byDtype, { float32: { tensors: 3, elements: 64, bytes: 256 } });
  const mem = report.memory;
  assert.deepEqual(mem.symbols, { batch: { value: 2, source: "given" } });
  assert.deepEqual(mem.inputShapes, { x: [2, 4] });
  assert.equal(mem.weightsBytes, 256);
  // x (32 B) is live from the start; mm1 adds h0 (64 B): 96, x is freed; add1 adds h1: 128 (the peak), h0 freed;
  // relu adds h2: 128 again, h1 freed; mm2 adds y (24 B): 88.
  assert.equal(mem.inputBytes, 32);
  assert.equal(mem.peakActivationBytes, 128);
  assert.deepEqual(mem.peakAt, { scope: "main", node: "add1", opType: "Add" });
  assert.equal(mem.estimatedPeakBytes, 384);
  // y's declared [batch, 3] is fully known once batch is bound; h0, h1, h2 come from the rules.
  assert.deepEqual(mem.shapeSources, { valueInfo: 1, rule: 3, assumed: 0, unknown: 0 });
  assert.equal(report.fits.summary, "fits: 1 MB MCU and up");
  assert.ok(mem.method.some((line) => /liveness walk/.test(line)));
});

void test("unbound symbolic dims default to 1 with a note; a symbol can be bound by name", async () => {
  const path = save(mlp());
  const defaulted = await inspectModel(path);
  assert.deepEqual(defaulted.memory.symbols, { batch: { value: 1, source: "default" } });
  assert.equal(defaulted.memory.peakActivationBytes, 64);
  assert.ok(defaulted.memory.notes.some((n) => /input dims not given, taken as 1: batch/.test(n)));
  const bySymbol = await inspectModel(path, { inputShapes: { batch: [8] } });
  assert.deepEqual(bySymbol.memory.inputShapes, { x: [8, 4] });
  assert.equal(bySymbol.memory.peakActivationBytes, 8 * 8 * 4 * 2);
});

void test("input shapes that do not fit the model are run/input errors", async () => {
  const path = save(mlp());
  const fails = (inputShapes: Record<string, number[]>, pattern: RegExp) =>
    assert.rejects(
      inspectModel(path, { inputShapes }),
      (e: EdgeError) => e.code === "run/input" && pattern.test(`${e.message} ${e.hint ?? ""}`),
    );
  await fails({ x: [2, 4, 1] }, /rank 2/);
  await fails({ x: [2, 5] }, /dim 1 fixed to 4/);
  await fails({ nope: [1] }, /no input or symbolic dim named "nope".*inputs: x; symbolic dims: batch/);
  await fails({ x: [2, 4], batch: [3] }, /already 2/);
});

void test("view ops share their input's buffer", async () => {
  const shape = tensor("shape", [2], [4, 8], DT.INT64);
  const m = model(
    graph({
      nodes: [node("Reshape", ["x", "shape"], ["r"]), node("Relu", ["r"], ["y"])],
      inputs: [valueInfo("x", DT.FLOAT, [32])],
      outputs: [valueInfo("y", DT.FLOAT, [4, 8])],
      initializers: [shape],
    }),
  );
  const report = await inspectModel(save(m));
  // x and r are one 128-byte buffer; Relu adds y: 256.
  assert.equal(report.memory.peakActivationBytes, 256);
  assert.deepEqual(report.outputs[0].dims, [4, 8]);
});

void test("an If whose condition is known from constants counts only the branch that runs; a Loop's trip count sizes its scan outputs", async () => {
  const big = graph({ nodes: [node("Tile", ["x", "reps"], ["t"])], outputs: [valueInfo("t", DT.FLOAT, null)] });
  const small = graph({ nodes: [node("Identity", ["x"], ["s"])], outputs: [valueInfo("s", DT.FLOAT, null)] });
  const ifModel = (cond: number) =>
    model(
      graph({
        nodes: [
          constant("c", tensor("c", [], [cond], DT.BOOL)),
          node("If", ["c"], ["y"], { then_branch: big, else_branch: small }),
        ],
        inputs: [valueInfo("x", DT.FLOAT, [256])],
        outputs: [valueInfo("y", DT.FLOAT, null)],
        initializers: [tensor("reps", [1], [100], DT.INT64)],
      }),
    );
  const taken = await inspectModel(save(ifModel(1)));
  assert.equal(taken.memory.peakActivationBytes, 1024 + 102400 + 102400, "x, the branch's t, and If's output y");
  const notTaken = await inspectModel(save(ifModel(0)));
  assert.equal(notTaken.memory.peakActivationBytes, 1024 + 1024 + 1024);

  const body = graph({
    nodes: [
      node("Identity", ["cond"], ["cond_out"]),
      node("Add", ["acc", "x"], ["acc_out"]),
      node("Identity", ["acc_out"], ["scan_out"]),
    ],
    inputs: [valueInfo("i", DT.INT64, []), valueInfo("cond", DT.BOOL, []), valueInfo("acc", DT.FLOAT, [16])],
    outputs: [
      valueInfo("cond_out", DT.BOOL, []),
      valueInfo("acc_out", DT.FLOAT, null),
      valueInfo("scan_out", DT.FLOAT, null),
    ],
  });
  const loop = model(
    graph({
      nodes: [
        constant("trips", tensor("trips", [], [10], DT.INT64)),
        node("Loop", ["trips", "", "x"], ["final", "history"], { body }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [16])],
      outputs: [valueInfo("final", DT.FLOAT, null), valueInfo("history", DT.FLOAT, null)],
    }),
  );
  const report = await inspectModel(save(loop));
  // x 64 B + final 64 B + history 10×16 floats 640 B, plus the body's own peak (acc 64 + acc_out 64, cond 1 + cond_out 1 …).
  assert.ok(report.memory.peakActivationBytes >= 64 + 64 + 640 + 128, `${report.memory.peakActivationBytes}`);
  assert.ok(report.memory.peakActivationBytes <= 64 + 64 + 640 + 128 + 16, `${report.memory.peakActivationBytes}`);
  assert.deepEqual(report.memory.assumedOps, {});
});

void test("shapes flow through model-local functions, and their nodes are counted", async () => {
  const m = model(
    graph({
      nodes: [node("Double", ["x"], ["y"], {}, { domain: "local" }), node("Concat", ["y", "y"], ["z"], { axis: 0 })],
      inputs: [valueInfo("x", DT.FLOAT, [3, 5])],
      outputs: [valueInfo("z", DT.FLOAT, null)],
    }),
    {
      functions: [
        fn(
          "local",
          "Double",
          ["a"],
          ["b"],
          [constant("two", tensor("two", [], [2])), node("Mul", ["a", "two"], ["b"])],
        ),
      ],
      extraOpsets: [["local", 1]],
    },
  );
  const report = await inspectModel(save(m));
  assert.equal(report.nodes.inFunctions, 2);
  assert.equal(report.nodes.functions, 1);
  assert.deepEqual(report.nodes.opsAll, { "local.Double": 1, Concat: 1, Constant: 1, Mul: 1 });
  assert.deepEqual(report.memory.assumedOps, {});
  // x 60 B, y 60 B, z 120 B: 240 at Concat.
  assert.equal(report.memory.peakActivationBytes, 240);
});

void test("external data is counted by its length without being loaded", async () => {
  const source = save(mlp());
  const out = join(dir, "ext", "mlp.onnx");
  await writeModel(await readModel(source), out, { externalData: { sizeThresholdBytes: 64 } });
  const report = await inspectModel(out);
  assert.deepEqual(report.parameters.external, { tensors: 2, bytes: 224 });
  assert.equal(report.parameters.all.total.bytes, 256);
  assert.equal(report.file.externalDataBytes, 224);
  assert.deepEqual(report.file.externalDataFiles, [join(dir, "ext", "mlp.onnx.data")]);
});

void test("device classes: the smallest that fits and up, or none", () => {
  assert.equal(deviceFit(900 * 1024).summary, "fits: 1 MB MCU and up");
  assert.equal(deviceFit(100 * 2 ** 20).summary, "fits: 2 GB phone/board and up; too big for a 1 MB MCU");
  assert.equal(deviceFit(3 * 2 ** 30).summary, "fits: 8 GB phone/laptop and up; too big for a 2 GB phone/board");
  assert.equal(deviceFit(7 * 2 ** 30).summary, "fits none: too big for a 12 GB phone/Jetson (usable 6.44 GB)");
  assert.deepEqual(
    deviceFit(5 * 2 ** 30).devices.map((d) => d.fits),
    [false, false, false, true],
  );
});

void test("silero VAD at 512 samples: every value shaped by value_info or a shape rule", async () => {
  const report = await inspectModel(fixtureModels.silero16k, { inputShapes: { input: [1, 512], state: [2, 1, 128] } });
  assert.deepEqual(report.memory.symbols, {
    batch: { value: 1, source: "given" },
    sequence: { value: 512, source: "given" },
  });
  assert.deepEqual(report.memory.assumedOps, {});
  assert.equal(report.memory.weightsBytes, report.parameters.all.total.bytes);
  assert.ok(
    report.memory.peakActivationBytes > 512 * 4 && report.memory.peakActivationBytes < 4 * 2 ** 20,
    `${report.memory.peakActivationBytes}`,
  );
  assert.equal(report.fits.summary, "fits: 2 GB phone/board and up; too big for a 1 MB MCU");
});

void test("every corpus model inspects to a consistent report", async () => {
  const problems: string[] = [];
  for (const path of corpusModels()) {
    try {
      const report = await inspectModel(path);
      const m = report.memory;
      const numbers = [m.weightsBytes, m.peakActivationBytes, m.inputBytes, report.parameters.all.total.elements];
      if (!numbers.every((n) => Number.isFinite(n) && n >= 0)) problems.push(`${path}: ${numbers.join(", ")}`);
      if (m.estimatedPeakBytes !== m.weightsBytes + m.peakActivationBytes || m.peakActivationBytes < m.inputBytes)
        problems.push(`${path}: inconsistent memory`);
      if (report.nodes.total !== report.nodes.topLevel + report.nodes.inSubgraphs + report.nodes.inFunctions)
        problems.push(`${path}: node totals`);
      JSON.parse(JSON.stringify(report));
    } catch (e) {
      problems.push(`${path}: ${(e as Error).message}`);
    }
  }
  assert.deepEqual(problems, []);
});

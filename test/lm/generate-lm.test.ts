// Generated decoder LMs (scripts/lm/generate-lm.ts, decoder-graph.ts): pass ONNX's checker, run in onnxruntime-node
// with and without a past, honour attention_mask, and stream their weights into an aligned external data file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as ort from "onnxruntime-node";
import { EdgeError } from "../../engine/errors";
import { readModel } from "../../engine/onnx/read-model";
import { decoderWeightSpecs, parameterCount } from "../../scripts/lm/decoder-config";
import { buildDecoderLm } from "../../scripts/lm/decoder-graph";
import { decodeWithCache, emptyCache, type LmShape, maxAbsDiff, step } from "../../scripts/lm/lm-session";
import { randomDecoderLm } from "../../scripts/lm/random-weights";
import { checkWithOnnx } from "./onnx-checker";

const dir = mkdtempSync(join(tmpdir(), "edge-lm-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const CLI = join(import.meta.dirname, "../../scripts/lm/generate-lm.ts");
const shape: LmShape = { layers: 2, heads: 4, hidden: 64, vocab: 320 };

function generate(out: string, extra: string[] = []): string {
  const args = [
    "--import",
    "tsx",
    CLI,
    "--layers",
    "2",
    "--hidden",
    "64",
    "--heads",
    "4",
    "--vocab",
    "320",
    "--context",
    "128",
    "--out",
    out,
    ...extra,
  ];
  const result = spawnSync(process.execPath, args, { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

void test("generate-lm.ts writes a 2-layer model that passes ONNX's full checker and runs with past length 0 and > 0", async () => {
  const path = join(dir, "inline.onnx");
  const stdout = generate(path, ["--inline"]);
  assert.match(stdout, /parameters/);
  assert.equal(checkWithOnnx(path).split(" ").slice(0, 3).join(" "), "8 ai.onnx 17");
  const session = await ort.InferenceSession.create(path);
  const ids = [5, 17, 300, 2, 99, 250, 31, 7, 0, 319];
  const first = await step(session, shape, ids.slice(0, 6));
  assert.equal(first.logits.length, 6 * 320);
  assert.deepEqual(first.cache.tensors["past_key_values.1.value"].dims, [1, 4, 6, 16]);
  const next = await step(session, shape, ids.slice(6), first.cache);
  assert.equal(next.logits.length, 4 * 320);
  assert.deepEqual(next.cache.tensors["past_key_values.0.key"].dims, [1, 4, 10, 16]);
  assert.ok(next.logits.every(Number.isFinite));
  const full = (await step(session, shape, ids)).logits;
  assert.ok(maxAbsDiff(full.subarray(6 * 320), next.logits) < 1e-5);
  assert.ok(maxAbsDiff(full, await decodeWithCache(session, shape, ids, 1)) < 1e-5);
});

void test("attention_mask hides masked positions: a masked token changes nothing after it, an unmasked one does", async () => {
  const path = join(dir, "mask.onnx");
  generate(path, ["--inline", "--seed", "7"]);
  const session = await ort.InferenceSession.create(path);
  const run = async (ids: number[], mask: number[]) => {
    const feeds = {
      input_ids: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
      attention_mask: new ort.Tensor("int64", BigInt64Array.from(mask.map(BigInt)), [1, mask.length]),
      ...emptyCache(shape).tensors,
    };
    return (await session.run(feeds)).logits.data as Float32Array;
  };
  const last = (logits: Float32Array) => logits.subarray(logits.length - 320);
  const a = await run([10, 20, 30, 40], [1, 0, 1, 1]);
  const b = await run([11, 20, 30, 40], [1, 0, 1, 1]);
  const c = await run([10, 21, 30, 40], [1, 0, 1, 1]);
  assert.ok(maxAbsDiff(last(a), last(c)) < 1e-6, "a masked token changed the last logits");
  assert.ok(maxAbsDiff(last(a), last(b)) > 1e-4, "an unmasked token did not change the last logits");
});

void test("external data: weights are streamed to an aligned <model>.data file, the model loads and the checker accepts it", async () => {
  const config = { layers: 2, hidden: 64, heads: 4, vocab: 320, context: 128 };
  const asked: string[] = [];
  const source = randomDecoderLm(config, 3);
  const result = await buildDecoderLm(
    config,
    (name, dims) => (asked.push(name), source(name, dims)),
    join(dir, "ext", "model.onnx"),
    { externalData: true },
  );
  assert.deepEqual(
    asked,
    decoderWeightSpecs(config).map((s) => s.name),
  );
  assert.equal(result.parameters, parameterCount(config));
  assert.equal(result.parameters, 2 * (12 * 64 * 64 + 13 * 64) + 320 * 64 * 2 + 128 * 64 + 2 * 64);
  assert.equal(result.dataPath, join(dir, "ext", "model.onnx.data"));
  assert.equal(statSync(result.dataPath!).size, result.dataBytes);
  assert.ok(result.modelBytes < 64 * 1024, `model.onnx is ${result.modelBytes} bytes`);
  assert.deepEqual(
    readdirSync(join(dir, "ext")).sort(),
    ["model.onnx", "model.onnx.data"],
    "temporary files were left",
  );
  const model = await readModel(result.modelPath);
  for (const t of model.proto.graph!.initializer) {
    const offset = Number(t.externalData.find((e) => e.key === "offset")?.value ?? -1);
    if (t.externalData.length > 0)
      assert.equal(
        offset % (Number(t.externalData.find((e) => e.key === "length")!.value) >= 4096 ? 4096 : 64),
        0,
        t.name,
      );
  }
  const embed = model.proto.graph!.initializer.find((t) => t.name === "model.embed_tokens.weight")!;
  const stored = new Float32Array((await model.externalData.read(embed)).slice().buffer);
  assert.deepEqual(stored, source("model.embed_tokens.weight", [320, 64]));
  checkWithOnnx(result.modelPath);
  const session = await ort.InferenceSession.create(result.modelPath);
  const out = await step(session, shape, [1, 2, 3]);
  assert.ok(out.logits.every(Number.isFinite));
  const header = readFileSync(result.modelPath);
  assert.ok(header.includes(Buffer.from("model.onnx.data")), "the data file is named relative to the model");
});

void test("random weights are deterministic per tensor and about N(0, 0.02); bad configs are refused", () => {
  const source = randomDecoderLm({ layers: 2, hidden: 64, heads: 4, vocab: 320 }, 1);
  const w = source("model.layers.0.attn.q_proj.weight", [64, 64]);
  assert.deepEqual(w, source("model.layers.0.attn.q_proj.weight", [64, 64]));
  assert.notDeepEqual(w, source("model.layers.1.attn.q_proj.weight", [64, 64]));
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
  assert.ok(Math.abs(mean) < 0.002 && Math.abs(std - 0.02) < 0.002, `mean ${mean}, std ${std}`);
  assert.ok(source("model.layers.0.ln_1.weight", [64]).every((v) => v === 1));
  assert.throws(
    () => parameterCount({ layers: 2, hidden: 65, heads: 4, vocab: 10 }),
    (e: unknown) => e instanceof EdgeError && e.code === "cli/usage",
  );
  const bad = spawnSync(
    process.execPath,
    ["--import", "tsx", CLI, "--layers", "2", "--hidden", "64", "--heads", "4", "--out", join(dir, "x.onnx")],
    { encoding: "utf8" },
  );
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--vocab is missing/);
});

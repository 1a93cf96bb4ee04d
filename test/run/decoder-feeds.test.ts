// A language model with a KV cache (samples/tiny-lm, Hugging Face's decoder-with-past layout) fed from a recipe that
// describes only input_ids: an empty cache, an all-ones attention mask sized past + new tokens, dims from input_ids;
// a bound past length fills the cache instead; the recipe check says so once instead of warning per input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { readModelSignature } from "../../engine/onnx/signature";
import { decoderLayout } from "../../engine/onnx/decoder-layout";
import { dimExpression } from "../../engine/run/decoder-feeds";
import { resolveFeeds } from "../../engine/run/feeds";
import { runLocal } from "../../engine/run/run-local";
import { recorder } from "./helpers";

const MODEL = resolve("samples/tiny-lm/model.onnx");

void test("the decoder layout of the tiny LM; sums of dim names", async () => {
  const layout = decoderLayout(await readModelSignature(MODEL))!;
  assert.equal(layout.past.length, 8);
  assert.equal(layout.pastDim, "past_sequence_length");
  assert.equal(layout.attentionMask?.name, "attention_mask");
  assert.equal(
    dimExpression("past_sequence_length + sequence_length", { past_sequence_length: 3, sequence_length: 64 }),
    67,
  );
  assert.equal(dimExpression("past_sequence_length + sequence_length", { sequence_length: 64 }), undefined);
  assert.equal(dimExpression("batch", { batch: 1 }), undefined, "a plain name is not an expression");
});

void test("only input_ids described: an empty KV cache and an all-ones mask; a bound past length fills the cache", async () => {
  const signature = await readModelSignature(MODEL);
  const events = recorder();
  const plan = {
    modelPath: MODEL,
    inputs: { input_ids: { shape: [1, 64], dtype: "int64" as const, range: [32, 126] as [number, number] } },
    warmup: 0,
    iterations: 1,
    profile: false,
    outDir: "/tmp",
    seed: 0,
  };
  const feeds = resolveFeeds(signature, plan, events);
  const shapes = Object.fromEntries(feeds.inputs.map((i) => [i.name, i.shape]));
  assert.deepEqual(shapes["past_key_values.0.key"], [1, 4, 0, 32]);
  assert.deepEqual(shapes.attention_mask, [1, 64]);
  assert.ok([...(feeds.samples[0].attention_mask.data as BigInt64Array)].every((v) => v === 1n));
  assert.deepEqual(
    events
      .of("log")
      .filter((e) => e.level === "warning")
      .map((e) => e.message),
    [],
    "no guessed dims",
  );
  assert.ok(events.of("log").some((e) => /empty cache \(past_sequence_length = 0\)/.test(e.message)));

  const filled = resolveFeeds(signature, { ...plan, dims: { past_sequence_length: 16 } }, recorder());
  const filledShapes = Object.fromEntries(filled.inputs.map((i) => [i.name, i.shape]));
  assert.deepEqual(filledShapes["past_key_values.3.value"], [1, 4, 16, 32]);
  assert.deepEqual(filledShapes.attention_mask, [1, 80]);
});

void test("the tiny LM runs with only input_ids described", async () => {
  const result = await runLocal(
    {
      modelPath: MODEL,
      inputs: { input_ids: { shape: [1, 8], dtype: "int64", range: [32, 126] } },
      warmup: 1,
      iterations: 2,
      profile: false,
      outDir: "/tmp",
      seed: 1,
    },
    recorder(),
  );
  assert.equal(result.status, "ok", JSON.stringify(result.error));
  assert.equal(result.iterations.done, 2);
});

void test("edge validate on the tiny-LM demo recipe: one note about the cache instead of a warning per input", () => {
  const r = spawnSync(process.execPath, [resolve("bin/edge.js"), "validate", "samples/tiny-lm.edge.yaml"], {
    encoding: "utf8",
  });
  const text = r.stdout + r.stderr;
  assert.equal(r.status, 0, text);
  assert.match(
    text,
    /info: a language model with a KV cache: `edge run` feeds 9 inputs the recipe leaves out an empty cache/,
  );
  assert.doesNotMatch(text, /warning/);
});

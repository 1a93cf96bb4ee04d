// The trained language-model fixture samples/tiny-lm: passes ONNX's checker, has the Hugging Face layout, runs in
// onnxruntime-node with a held-out perplexity far below its vocabulary, decodes with its KV cache exactly as the full
// sequence, and its tokenizer.json maps text to byte ids through @huggingface/tokenizers.
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";
import { readModelSignature } from "../../engine/onnx/signature";
import { decodeWithCache, type LmShape, maxAbsDiff, perplexity, step } from "../../scripts/lm/lm-session";
import { checkWithOnnx } from "./onnx-checker";

const DIR = join(import.meta.dirname, "../../samples/tiny-lm");
const MODEL = join(DIR, "model.onnx");
/**
 * Measured by torch when the fixture was made: 3.858 (config.json's heldout_perplexity_first4096_window128);
 * onnxruntime gives the same to 1e-6. The bound allows 5 %.
 */
const PERPLEXITY_4K_BOUND = 3.858 * 1.05;

const shape: LmShape = { layers: 4, heads: 4, hidden: 128, vocab: 256 };
let sessionPromise: Promise<ort.InferenceSession> | undefined;
const session = () => (sessionPromise ??= ort.InferenceSession.create(MODEL));
const heldout = () => new Uint8Array(readFileSync(join(DIR, "heldout.txt")));

void test("the tiny LM passes ONNX's full checker: IR 8, opset 17 of the default domain only, ≤ 10 MB", () => {
  const [ir, domain, opset] = checkWithOnnx(MODEL).split(" ");
  assert.deepEqual([ir, domain, opset], ["8", "ai.onnx", "17"]);
  assert.ok(statSync(MODEL).size <= 10 * 1024 * 1024, `model.onnx is ${statSync(MODEL).size} bytes`);
});

void test("its inputs and outputs have the Hugging Face decoder-with-past layout", async () => {
  const sig = await readModelSignature(MODEL);
  assert.deepEqual(sig.opsetImports, [{ domain: "", version: 17 }]);
  const cache = (prefix: string, len: string) =>
    [0, 1, 2, 3].flatMap((i) =>
      ["key", "value"].map((kind) => ({
        name: `${prefix}.${i}.${kind}`,
        dtype: "float32",
        dims: ["batch", 4, len, 32],
      })),
    );
  assert.deepEqual(sig.inputs, [
    { name: "input_ids", dtype: "int64", dims: ["batch", "sequence_length"] },
    { name: "attention_mask", dtype: "int64", dims: ["batch", "past_sequence_length + sequence_length"] },
    ...cache("past_key_values", "past_sequence_length"),
  ]);
  assert.deepEqual(sig.outputs, [
    { name: "logits", dtype: "float32", dims: ["batch", "sequence_length", 256] },
    ...cache("present", "past_sequence_length + sequence_length"),
  ]);
});

void test("its perplexity over the first 4 KB of heldout.txt (windows of 128, no past) is far below the vocabulary size", async () => {
  const ppl = await perplexity(await session(), shape, heldout().subarray(0, 4096), 128);
  assert.ok(ppl < PERPLEXITY_4K_BOUND, `perplexity ${ppl} ≥ ${PERPLEXITY_4K_BOUND}`);
  assert.ok(ppl > 1, `perplexity ${ppl} is impossibly low`);
  const config = JSON.parse(readFileSync(join(DIR, "config.json"), "utf8")) as {
    heldout_perplexity_first4096_window128: number;
    heldout_perplexity: number;
  };
  assert.ok(
    Math.abs(ppl / config.heldout_perplexity_first4096_window128 - 1) < 0.005,
    `ORT ${ppl} vs torch ${config.heldout_perplexity_first4096_window128}`,
  );
  assert.ok(config.heldout_perplexity < 6, `config.json's held-out perplexity ${config.heldout_perplexity}`);
});

void test("its predictions are sharp: the next byte of held-out text is often the top-1 choice", async () => {
  const ids = heldout().subarray(1000, 1128);
  const { logits } = await step(await session(), shape, ids);
  let hits = 0;
  for (let t = 0; t < ids.length - 1; t++) {
    const row = logits.subarray(t * 256, (t + 1) * 256);
    if (row.indexOf(Math.max(...row)) === ids[t + 1]) hits++;
  }
  assert.ok(hits / (ids.length - 1) > 0.6, `top-1 accuracy ${hits}/${ids.length - 1}`);
});

void test("decoding with the KV cache (a prompt, then one token at a time) gives the full sequence's logits", async () => {
  const s = await session();
  const ids = heldout().subarray(200, 264);
  const full = (await step(s, shape, ids)).logits;
  const cached = await decodeWithCache(s, shape, ids, 17);
  const diff = maxAbsDiff(full, cached);
  assert.ok(diff < 1e-4, `max abs difference ${diff}`);
  // The cache really carries the context: without it the last token's logits differ a lot.
  const alone = (await step(s, shape, ids.subarray(63))).logits;
  assert.ok(maxAbsDiff(alone, full.subarray(63 * 256)) > 1, "the last logits do not depend on the past");
});

void test("tokenizer.json maps heldout.txt to its UTF-8 bytes as ids 0–255 and decodes them back", () => {
  const json = JSON.parse(readFileSync(join(DIR, "tokenizer.json"), "utf8")) as object;
  const config = JSON.parse(readFileSync(join(DIR, "tokenizer_config.json"), "utf8")) as object;
  const tokenizer = new Tokenizer(json, config);
  const text = readFileSync(join(DIR, "heldout.txt"), "utf8") + " naïve — 東京\u0000\t\r\n";
  const bytes = new TextEncoder().encode(text);
  const { ids } = tokenizer.encode(text);
  assert.equal(ids.length, bytes.length);
  assert.deepEqual(ids, Array.from(bytes));
  assert.equal(tokenizer.decode(ids), text);
  const all = Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(
    new Set(tokenizer.encode(tokenizer.decode(all.filter((b) => b < 128))).ids),
    new Set(all.filter((b) => b < 128)),
  );
});

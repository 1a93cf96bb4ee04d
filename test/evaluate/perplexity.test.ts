// Perplexity on a bigram language model whose logits the test sets (log-probabilities in a table gathered by
// input_ids), so the expected value is analytic; fed as text through a tokenizer, as a token dataset, and from
// the CLI. Also: the tokenizer round trip, the text dataset reader, and the trained tiny LM fixture when present.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { evaluateCommand } from "../../engine/cli/evaluate-command";
import type { CliIO } from "../../engine/cli/io";
import { readDataset } from "../../engine/data/dataset";
import { loadTokenizer, readTextTokens, tokenWindows } from "../../engine/data/text";
import { evaluateModels } from "../../engine/evaluate/evaluate-models";
import { compareModels } from "../../engine/evaluate/compare-models";
import { perNodeError } from "../../engine/evaluate/per-node-error";
import { isEdgeError } from "../../engine/errors";
import { bigramLm, byteLevelTokenizer, tempDir, wordLevelTokenizer, writeJson, writeProto } from "./helpers";

const WORDS = ["a", "b", "c", "d"];
/** p(next = i+1 mod 4 | i) = `p`, every other next word (1 − p) / 3. */
const cyclicTable = (p: number) =>
  WORDS.map((_, i) => WORDS.map((_, j) => Math.log(j === (i + 1) % 4 ? p : (1 - p) / 3)));
// tokens 0 1 2 3 | 0 1 2 3 | 0 2 in windows of 4: six cyclic transitions and one 0 → 2 are predicted
const TEXT = "a b c d a b c d a c";
const expectedPpl = (p: number) => Math.exp((6 * -Math.log(p) + -Math.log((1 - p) / 3)) / 7);

function setup() {
  const dir = tempDir();
  return {
    dir,
    original: writeProto(dir, "lm.onnx", bigramLm(cyclicTable(0.5))),
    optimized: writeProto(dir, "lm-q.onnx", bigramLm(cyclicTable(0.4))),
    tokenizer: writeJson(dir, "tokenizer.json", wordLevelTokenizer(WORDS)),
    text: (() => {
      const path = join(dir, "heldout.txt");
      writeFileSync(path, TEXT);
      return path;
    })(),
  };
}

function captureIO(cwd: string): CliIO & { out: string[] } {
  const out: string[] = [];
  return { out, stdout: (t) => void out.push(t), stderr: () => {}, cwd };
}

void test("perplexity of a bigram LM on text equals the analytic value, for both models, with the increase", async () => {
  const s = setup();
  const r = await evaluateModels({
    original: s.original,
    optimized: s.optimized,
    data: { path: s.text, tokenizer: s.tokenizer, sequenceLength: 4 },
  });
  const ppl = r.perplexity!;
  assert.equal(r.inputSource, "text");
  assert.equal(ppl.windows, 3);
  assert.equal(ppl.predictedTokens, 7);
  assert.ok(
    Math.abs(ppl.original.perplexity - expectedPpl(0.5)) < 1e-5,
    `${ppl.original.perplexity} vs ${expectedPpl(0.5)}`,
  );
  assert.ok(Math.abs(ppl.optimized.perplexity - expectedPpl(0.4)) < 1e-5);
  assert.ok(Math.abs(ppl.increasePct - (expectedPpl(0.4) / expectedPpl(0.5) - 1) * 100) < 1e-3);
  // the logits are compared on the same windows: argmax is the cyclic successor in both tables
  assert.deepEqual(
    r.outputs.map((o) => [o.name, o.top1Agreement, o.positions]),
    [["logits", 1, 10]],
  );
  assert.ok(r.outputs[0].maxAbsError > 0);
  // maxSamples limits windows: only the first window (3 cyclic transitions)
  const one = await evaluateModels({
    original: s.original,
    optimized: s.original,
    maxSamples: 1,
    data: { path: s.text, tokenizer: s.tokenizer, sequenceLength: 4 },
  });
  assert.equal(one.perplexity!.windows, 1);
  assert.ok(Math.abs(one.perplexity!.original.perplexity - 2) < 1e-5);
  assert.equal(one.perplexity!.increasePct, 0);
});

void test("a token dataset (JSON input_ids) gives the same perplexity as the text", async () => {
  const s = setup();
  const ids = [0, 1, 2, 3, 0, 1, 2, 3, 0, 2];
  const data = writeJson(s.dir, "tokens.json", [{ input_ids: { dtype: "int64", shape: [1, 10], data: ids } }]);
  const r = await evaluateModels({
    original: s.original,
    optimized: s.optimized,
    data: { path: data, sequenceLength: 4 },
  });
  assert.equal(r.inputSource, "tokens");
  assert.equal(r.perplexity!.predictedTokens, 7);
  assert.ok(Math.abs(r.perplexity!.original.perplexity - expectedPpl(0.5)) < 1e-5);
  // masked-out positions (padding) are dropped: only 0 1 2 3 remains
  const padded = writeJson(s.dir, "padded.json", [
    {
      input_ids: { dtype: "int64", shape: [1, 6], data: [0, 1, 2, 3, 0, 0] },
      attention_mask: { dtype: "int64", shape: [1, 6], data: [1, 1, 1, 1, 0, 0] },
    },
  ]);
  const p = await evaluateModels({ original: s.original, optimized: s.optimized, data: { path: padded } });
  assert.equal(p.perplexity!.predictedTokens, 3);
  assert.ok(Math.abs(p.perplexity!.original.perplexity - 2) < 1e-5);
});

void test("per-node SQNR of an LM on text windows: the samples are completed with an empty past, not synthetic data", async () => {
  const s = setup();
  const samples = await readDataset(s.text, { tokenizer: s.tokenizer, sequenceLength: 4 });
  const nodes = [{ node: "/lm_head/Gather", opType: "Gather", output: "logits" }];
  const r = await perNodeError({ original: s.original, optimized: s.optimized, quantizedNodes: nodes, samples });
  const [a, b] = [cyclicTable(0.5), cyclicTable(0.4)].map((t) => t.map((row) => row.map(Math.fround)));
  const ids = [0, 1, 2, 3, 0, 1, 2, 3, 0, 2];
  let signal = 0;
  let noise = 0;
  for (const id of ids) a[id].forEach((v, j) => ((signal += v * v), (noise += (v - b[id][j]) ** 2)));
  assert.equal(r.samples, 3);
  assert.deepEqual(
    r.nodes.map((n) => [n.node, n.op_type, n.elements]),
    [["/lm_head/Gather", "Gather", 40]],
  );
  assert.ok(Math.abs(r.nodes[0].sqnr_db! - 10 * Math.log10(signal / noise)) < 1e-4);
});

void test("an LM compared without data gets a random token window with an empty past", async () => {
  const s = setup();
  const r = await compareModels({ original: s.original, optimized: s.original });
  assert.equal(r.samples, 1);
  const logits = r.outputs.find((o) => o.name === "logits")!;
  assert.deepEqual(logits.shape, [1, 128, 4]);
  assert.equal(logits.cosine, 1);
  assert.deepEqual(r.outputs.find((o) => o.name === "present.0.key")!.shape, [1, 2, 0, 4]);
  assert.deepEqual(r.warnings, []);
});

void test("edge evaluate prints both models side by side, or the JSON result", async () => {
  const s = setup();
  const io = captureIO(s.dir);
  const code = await evaluateCommand(
    ["lm.onnx", "lm-q.onnx", "--data", "heldout.txt", "--tokenizer", "tokenizer.json", "--sequence-length", "4"],
    io,
  );
  assert.equal(code, 0);
  const text = io.out.join("");
  assert.match(text, /^\s+original\s+optimized\s+change/m);
  assert.match(
    text,
    new RegExp(
      `^perplexity\\s+${expectedPpl(0.5).toPrecision(4)}\\s+${expectedPpl(0.4).toPrecision(4)}\\s+\\+\\d+\\.\\d\\d%`,
      "m",
    ),
  );
  assert.match(text, /^size\s+\S+ \S+\s+\S+ \S+\s+1\.000×/m);
  assert.match(text, /^logits\s+0\.\d+\s+\S+\s+\S+\s+100\.00%/m);

  const json = captureIO(s.dir);
  await evaluateCommand(
    [
      "lm.onnx",
      "lm-q.onnx",
      "--data",
      "heldout.txt",
      "--tokenizer",
      "tokenizer.json",
      "--sequence-length=4",
      "--samples",
      "2",
      "--json",
    ],
    json,
  );
  const result = JSON.parse(json.out.join("")) as { perplexity: { windows: number; original: { perplexity: number } } };
  assert.equal(result.perplexity.windows, 2);
  assert.ok(Math.abs(result.perplexity.original.perplexity - 2) < 1e-5);

  // latency through the local runner, on the first window, for both models
  const timed = captureIO(s.dir);
  await evaluateCommand(
    ["lm.onnx", "lm-q.onnx", "--data", "heldout.txt", "--tokenizer", "tokenizer.json", "--iterations", "3", "--json"],
    timed,
  );
  const latency = (
    JSON.parse(timed.out.join("")) as {
      latency: { iterations: number; original: { count: number }; optimized: { count: number }; speedup: number };
    }
  ).latency;
  assert.deepEqual([latency.iterations, latency.original.count, latency.optimized.count], [3, 3, 3]);
  assert.ok(latency.speedup > 0);

  await assert.rejects(
    evaluateCommand(["lm.onnx"], captureIO(s.dir)),
    (e: unknown) => isEdgeError(e) && e.code === "cli/usage",
  );
  await assert.rejects(
    evaluateCommand(["lm.onnx", "lm-q.onnx", "--tokenizer", "t.json"], captureIO(s.dir)),
    (e: unknown) => isEdgeError(e) && /goes with --data/.test(e.message),
  );
  await assert.rejects(
    evaluateCommand(["lm.onnx", "lm-q.onnx", "--data", "heldout.txt"], captureIO(s.dir)),
    (e: unknown) => isEdgeError(e) && /needs a tokenizer/.test(e.message),
  );
  await assert.rejects(
    evaluateCommand(["lm.onnx", "lm-q.onnx", "--samples", "0"], captureIO(s.dir)),
    (e: unknown) => isEdgeError(e) && e.code === "cli/usage",
  );
});

void test("tokenizer round trip: byte-level BPE with merges, and WordLevel", async () => {
  const dir = tempDir();
  const bpe = await loadTokenizer(
    writeJson(
      dir,
      "bpe.json",
      byteLevelTokenizer([
        ["h", "e"],
        ["l", "l"],
        ["he", "ll"],
      ]),
    ),
  );
  assert.equal(bpe.vocabSize, 259);
  const text = "hello wörld ✓\n\ttabs and spaces  ";
  const ids = bpe.encode(text);
  assert.deepEqual(ids.slice(0, 2), [258, 111], "he + ll merge to one token, then 'o'");
  assert.equal(ids.length, new TextEncoder().encode(text).length - 3);
  assert.equal(bpe.decode(ids), text);

  const words = await loadTokenizer(writeJson(dir, "words.json", wordLevelTokenizer(WORDS)));
  assert.deepEqual(words.encode("a b  c\nd"), [0, 1, 2, 3]);
  assert.equal(words.decode([3, 2]), "d c");

  await assert.rejects(
    loadTokenizer(writeJson(dir, "bad.json", { hello: 1 })),
    (e: unknown) => isEdgeError(e) && e.code === "data/invalid",
  );
});

void test("text datasets: windows of sequence_length tokens as input_ids samples; clear errors", async () => {
  const dir = tempDir();
  const tokenizer = writeJson(dir, "tokenizer.json", byteLevelTokenizer());
  const path = join(dir, "t.txt");
  writeFileSync(path, "abcdefghij");
  const samples = await readDataset(path, { tokenizer, sequenceLength: 4 });
  assert.deepEqual(
    samples.map((s) => [s.input_ids.dtype, s.input_ids.shape, [...s.input_ids.data].map(Number)]),
    [
      ["int64", [1, 4], [97, 98, 99, 100]],
      ["int64", [1, 4], [101, 102, 103, 104]],
      ["int64", [1, 2], [105, 106]],
    ],
  );
  assert.equal((await readDataset(path, { tokenizer, sequenceLength: 4, maxSamples: 2 })).length, 2);
  assert.deepEqual(
    [...tokenWindows([1, 2, 3, 4, 5], 2)],
    [
      [1, 2],
      [3, 4],
    ],
    "a last window of one token predicts nothing",
  );
  assert.equal((await readTextTokens(path, await loadTokenizer(tokenizer), { maxTokens: 3 })).length, 3);
  await assert.rejects(readDataset(path), (e: unknown) => isEdgeError(e) && /needs a tokenizer/.test(e.message));
  await assert.rejects(
    readDataset(path, { tokenizer, sequenceLength: 1 }),
    (e: unknown) => isEdgeError(e) && /sequence length/.test(e.message),
  );
});

const TINY_LM = "samples/tiny-lm";
const tinyLmMissing = !existsSync(join(TINY_LM, "model.onnx")) && "samples/tiny-lm is not there yet";

/** Perplexity of the tiny LM on the first 32 windows of 128 tokens of its held-out text (4,096 tokens). */
async function tinyLmPerplexity() {
  const model = join(TINY_LM, "model.onnx");
  const r = await evaluateModels({
    original: model,
    optimized: model,
    maxSamples: 32,
    data: { path: join(TINY_LM, "heldout.txt"), tokenizer: join(TINY_LM, "tokenizer.json"), sequenceLength: 128 },
  });
  return r.perplexity!;
}

void test(
  "the tiny LM's perplexity agrees with the figure its training script computed (first 4,096 held-out tokens, windows of 128)",
  { skip: tinyLmMissing },
  async (t) => {
    const config = JSON.parse(readFileSync(join(TINY_LM, "config.json"), "utf8")) as Record<string, unknown>;
    const expected = config.heldout_perplexity_first4096_window128_ort ?? config.heldout_perplexity_first4096_window128;
    if (typeof expected !== "number") return t.skip("config.json has no heldout_perplexity_first4096_window128 figure");
    const ppl = await tinyLmPerplexity();
    assert.equal(ppl.windows, 32);
    assert.equal(ppl.predictedTokens, 32 * 127);
    assert.ok(Math.abs(ppl.original.perplexity / expected - 1) < 1e-4, `${ppl.original.perplexity} vs ${expected}`);
  },
);

void test(
  "the trained tiny LM's perplexity on its held-out text is far below its vocabulary size (256)",
  { skip: tinyLmMissing },
  async () => {
    const ppl = await tinyLmPerplexity();
    assert.ok(ppl.original.perplexity < 256 / 4, `perplexity ${ppl.original.perplexity} is not far below 256`);
    assert.equal(ppl.original.perplexity, ppl.optimized.perplexity);
    assert.equal(ppl.increasePct, 0);
  },
);

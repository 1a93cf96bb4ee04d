// Shared by the evaluation tests: temporary folders, the test MLP computed by hand, a bigram language model whose
// logits the test controls, and minimal tokenizer.json files (byte-level BPE and WordLevel).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import type { ModelProto } from "onnx-buf";
import { DT, bytesOf, graph, model, node, tensor, valueInfo, values } from "../onnx/model-builder";

export function tempDir(prefix = "edge-eval-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeProto(dir: string, name: string, proto: ModelProto): string {
  const path = join(dir, name);
  writeFileSync(path, bytesOf(proto));
  return path;
}

/** The weights of test/onnx/model-builder's mlp(), as float32 values. */
export function mlpWeights(): { W1: number[]; b1: number[]; W2: number[] } {
  const f = (v: number[]) => v.map(Math.fround);
  return { W1: f(values(32, 1)), b1: f(values(8, 2)), W2: f(values(24, 3)) };
}

/** mlp() in float64: x [n, 4] → h0 = x·W1 [n, 8], h2 = relu(h0 + b1), y = h2·W2 [n, 3]. */
export function mlpForward(x: number[][], w = mlpWeights()): { h0: number[][]; y: number[][] } {
  const h0 = x.map((row) => Array.from({ length: 8 }, (_, j) => row.reduce((s, v, i) => s + v * w.W1[i * 8 + j], 0)));
  const h2 = h0.map((row) => row.map((v, j) => Math.max(0, v + w.b1[j])));
  const y = h2.map((row) => Array.from({ length: 3 }, (_, j) => row.reduce((s, v, i) => s + v * w.W2[i * 3 + j], 0)));
  return { h0, y };
}

/**
 * A bigram language model in the Hugging Face layout: logits[0, t, :] = table[input_ids[0, t], :] (a Gather), with
 * attention_mask and one layer of past_key_values [batch, 2, past, 4] passed through to present.0.key/value.
 */
export function bigramLm(table: number[][]): ModelProto {
  const vocab = table.length;
  const pastDims = ["batch", 2, "past_sequence_length", 4];
  const presentDims = ["batch", 2, "total_sequence_length", 4];
  return model(
    graph({
      name: "bigram",
      nodes: [
        node("Gather", ["table", "input_ids"], ["logits"], { axis: 0 }, { name: "/lm_head/Gather" }),
        node("Identity", ["past_key_values.0.key"], ["present.0.key"], {}, { name: "k" }),
        node("Identity", ["past_key_values.0.value"], ["present.0.value"], {}, { name: "v" }),
      ],
      inputs: [
        valueInfo("input_ids", DT.INT64, ["batch", "sequence_length"]),
        valueInfo("attention_mask", DT.INT64, ["batch", "total_sequence_length"]),
        valueInfo("past_key_values.0.key", DT.FLOAT, pastDims),
        valueInfo("past_key_values.0.value", DT.FLOAT, pastDims),
      ],
      outputs: [
        valueInfo("logits", DT.FLOAT, ["batch", "sequence_length", vocab]),
        valueInfo("present.0.key", DT.FLOAT, presentDims),
        valueInfo("present.0.value", DT.FLOAT, presentDims),
      ],
      initializers: [tensor("table", [vocab, vocab], table.flat())],
    }),
  );
}

/** GPT-2's byte ↔ printable character map: every byte gets a visible character. */
function byteChars(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const chars: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) chars[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  return chars;
}

/** A byte-level BPE tokenizer.json: ids 0…255 are the bytes, then one token per merge (e.g. ["t", "h"]). */
export function byteLevelTokenizer(merges: [string, string][] = []): object {
  const chars = byteChars();
  const vocab: Record<string, number> = {};
  chars.forEach((c, b) => (vocab[c] = b));
  for (const [a, b] of merges) vocab[a + b] = Object.keys(vocab).length;
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

/** A WordLevel tokenizer.json splitting on whitespace, with the given words as ids 0, 1, … */
export function wordLevelTokenizer(words: string[]): object {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: "WhitespaceSplit" },
    post_processor: null,
    decoder: null,
    model: { type: "WordLevel", vocab: Object.fromEntries(words.map((w, i) => [w, i])), unk_token: words[0] },
  };
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

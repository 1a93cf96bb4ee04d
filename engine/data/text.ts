// Text datasets: UTF-8 text tokenized with a Hugging Face `tokenizer.json` (the pure-JS @huggingface/tokenizers,
// loaded on first use), cut into windows of `sequenceLength` tokens for language-model evaluation. Windows do not
// overlap; the last, shorter window is kept when it has at least 2 tokens (one to predict). No special tokens
// (BOS/EOS) are added. A `tokenizer_config.json` next to the tokenizer is used when present.
import type { Tokenizer } from "@huggingface/tokenizers";
import { promises as fs } from "node:fs";
import { dirname, join } from "node:path";
import { EdgeError, isEdgeError } from "../errors";
import { readRegularTextFile } from "../fs/regular-file";
import type { Sample } from "./typed-tensor";

export const DEFAULT_SEQUENCE_LENGTH = 128;

/** Texts longer than this are tokenized in pieces split at line breaks (so a huge file is not one string op). */
const CHUNK_CHARS = 1 << 20;

export interface TextTokenizer {
  path: string;
  /** Size of the vocabulary, added tokens included. */
  vocabSize: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

type TokenizerClass = typeof Tokenizer;
let loading: Promise<TokenizerClass> | undefined;

function tokenizerClass(): Promise<TokenizerClass> {
  loading ??= import("@huggingface/tokenizers").then((m) => m.Tokenizer);
  return loading;
}

/** The largest tokenizer.json (or its config) read (100 MB; big vocabularies are tens of MB). */
export const MAX_TOKENIZER_BYTES = 1e8;
/** The largest text dataset read (500 MB, under the longest string JavaScript holds). */
export const MAX_TEXT_DATASET_BYTES = 5e8;

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readRegularTextFile(path, {
      code: "data/invalid",
      name: `${what} ${path}`,
      maxBytes: MAX_TOKENIZER_BYTES,
    });
  } catch (e) {
    if (isEdgeError(e)) throw e;
    throw new EdgeError(
      "data/invalid",
      `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { file: path },
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new EdgeError("data/invalid", `${what} ${path} is not valid JSON: ${(e as Error).message}`, { file: path });
  }
}

/** Loads a Hugging Face `tokenizer.json`. */
export async function loadTokenizer(path: string): Promise<TextTokenizer> {
  const json = await readJson(path, "tokenizer");
  if (typeof json !== "object" || json === null || typeof (json as { model?: unknown }).model !== "object") {
    throw new EdgeError(
      "data/invalid",
      `${path} is not a Hugging Face tokenizer.json (it has no "model")`,
      { file: path },
      "give the tokenizer.json saved with the model (tokenizer.save_pretrained writes it)",
    );
  }
  const configPath = join(dirname(path), "tokenizer_config.json");
  const config = (await fs.stat(configPath).catch(() => undefined))
    ? await readJson(configPath, "tokenizer config")
    : {};
  const TokenizerImpl = await tokenizerClass();
  let tokenizer: Tokenizer;
  try {
    tokenizer = new TokenizerImpl(json as object, (config ?? {}) as object);
  } catch (e) {
    throw new EdgeError("data/invalid", `cannot use tokenizer ${path}: ${(e as Error).message}`, { file: path });
  }
  const vocabSize = tokenizer.get_vocab(true).size;
  return {
    path,
    vocabSize,
    encode(text) {
      const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
      const bad = ids.findIndex((id) => typeof id !== "number" || !Number.isInteger(id));
      if (bad !== -1) {
        throw new EdgeError(
          "data/invalid",
          `tokenizer ${path} has no id for a piece of the text (token ${bad}) and no unknown token to use`,
          { file: path },
          "use a tokenizer that covers the text (byte-level BPE covers any text)",
        );
      }
      return ids;
    },
    decode: (ids) => tokenizer.decode([...ids]),
  };
}

/** Splits text into pieces of about `size` characters, each ending at a line break where there is one. */
function* chunks(text: string, size: number): Generator<string> {
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + size);
    if (end < text.length) {
      const nl = text.lastIndexOf("\n", end);
      if (nl > at) end = nl + 1;
    }
    yield text.slice(at, end);
    at = end;
  }
}

/** Reads a UTF-8 text file and tokenizes it; stops once `maxTokens` tokens are there (when given). */
export async function readTextTokens(
  path: string,
  tokenizer: TextTokenizer,
  options: { maxTokens?: number } = {},
): Promise<number[]> {
  let text: string;
  try {
    text = await readRegularTextFile(path, {
      code: "data/invalid",
      name: `text dataset ${path}`,
      maxBytes: MAX_TEXT_DATASET_BYTES,
    });
  } catch (e) {
    if (isEdgeError(e)) throw e;
    throw new EdgeError(
      "run/input",
      `cannot read text dataset ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { file: path },
    );
  }
  const maxTokens = options.maxTokens ?? Infinity;
  const ids: number[] = [];
  for (const piece of chunks(text, CHUNK_CHARS)) {
    for (const id of tokenizer.encode(piece)) ids.push(id);
    if (ids.length >= maxTokens) break;
  }
  if (ids.length < 2)
    throw new EdgeError("run/input", `text dataset ${path} has ${ids.length} token(s); perplexity needs at least 2`, {
      file: path,
    });
  return ids.length > maxTokens ? ids.slice(0, maxTokens) : ids;
}

function checkLength(sequenceLength: number): void {
  if (!Number.isInteger(sequenceLength) || sequenceLength < 2) {
    throw new EdgeError(
      "run/input",
      `sequence length must be an integer ≥ 2, got ${sequenceLength}`,
      {},
      "for example --sequence-length 128",
    );
  }
}

/** Non-overlapping windows of `sequenceLength` tokens; a last, shorter window of ≥ 2 tokens is kept. */
export function* tokenWindows(
  ids: readonly number[],
  sequenceLength = DEFAULT_SEQUENCE_LENGTH,
  maxWindows = Infinity,
): Generator<number[]> {
  checkLength(sequenceLength);
  let count = 0;
  for (let start = 0; start + 1 < ids.length && count < maxWindows; start += sequenceLength, count++) {
    yield ids.slice(start, start + sequenceLength);
  }
}

export interface TextDatasetOptions {
  /** Path of the tokenizer.json. */
  tokenizer: string;
  sequenceLength?: number;
  /** Most windows (samples) to make. */
  maxSamples?: number;
}

/** A text dataset as samples: one `input_ids` tensor [1, L] (int64) per window. */
export async function readTextDataset(path: string, options: TextDatasetOptions): Promise<Sample[]> {
  const sequenceLength = options.sequenceLength ?? DEFAULT_SEQUENCE_LENGTH;
  checkLength(sequenceLength);
  const tokenizer = await loadTokenizer(options.tokenizer);
  const maxTokens = options.maxSamples !== undefined ? options.maxSamples * sequenceLength : undefined;
  const ids = await readTextTokens(path, tokenizer, { maxTokens });
  const samples: Sample[] = [];
  for (const window of tokenWindows(ids, sequenceLength, options.maxSamples)) {
    samples.push({
      input_ids: { dtype: "int64", shape: [1, window.length], data: BigInt64Array.from(window, (v) => BigInt(v)) },
    });
  }
  return samples;
}

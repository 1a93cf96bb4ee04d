// Runs a decoder LM of the Hugging Face export layout in onnxruntime-node: one forward step with a KV cache,
// and byte-level perplexity over a text in windows with no past. Shared by make-fixture.ts, tests and benchmarks.
import * as ort from "onnxruntime-node";

export interface LmShape {
  layers: number;
  heads: number;
  hidden: number;
  vocab: number;
}

export interface KvCache {
  /** past_key_values.N.key / .value tensors, [batch, heads, past, headDim]. */
  tensors: Record<string, ort.Tensor>;
  length: number;
}

export interface StepResult {
  /** Logits [batch, sequence, vocab], row-major. */
  logits: Float32Array;
  cache: KvCache;
}

export function emptyCache(shape: LmShape, batch = 1): KvCache {
  const tensors: Record<string, ort.Tensor> = {};
  for (let i = 0; i < shape.layers; i++) {
    for (const kind of ["key", "value"])
      tensors[`past_key_values.${i}.${kind}`] = new ort.Tensor("float32", new Float32Array(0), [
        batch,
        shape.heads,
        0,
        shape.hidden / shape.heads,
      ]);
  }
  return { tensors, length: 0 };
}

/** One forward pass of `ids` (batch 1) after `cache`; attention_mask all ones. Returns the logits and the new cache. */
export async function step(
  session: ort.InferenceSession,
  shape: LmShape,
  ids: ArrayLike<number>,
  cache: KvCache = emptyCache(shape),
): Promise<StepResult> {
  const total = cache.length + ids.length;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(Array.from(ids, (v) => BigInt(v))), [1, ids.length]),
    attention_mask: new ort.Tensor("int64", new BigInt64Array(total).fill(1n), [1, total]),
    ...cache.tensors,
  };
  const out = await session.run(feeds);
  const tensors: Record<string, ort.Tensor> = {};
  for (let i = 0; i < shape.layers; i++) {
    for (const kind of ["key", "value"]) tensors[`past_key_values.${i}.${kind}`] = out[`present.${i}.${kind}`];
  }
  return { logits: out.logits.data as Float32Array, cache: { tensors, length: total } };
}

/** −log p(target) for each row of `logits` [rows, vocab] against `targets[row]`. */
export function negativeLogLikelihoods(logits: Float32Array, vocab: number, targets: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let r = 0; r < targets.length; r++) {
    const row = logits.subarray(r * vocab, (r + 1) * vocab);
    let max = -Infinity;
    for (const v of row) if (v > max) max = v;
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    out.push(Math.log(sum) + max - row[targets[r]]);
  }
  return out;
}

/**
 * exp(mean NLL) of `bytes` in non-overlapping windows of `window` tokens, each run with no past (the first token of
 * a window is not predicted), exactly as scripts/lm/train.py measures it.
 */
export async function perplexity(
  session: ort.InferenceSession,
  shape: LmShape,
  bytes: Uint8Array,
  window: number,
): Promise<number> {
  let total = 0;
  let count = 0;
  for (let start = 0; start < bytes.length - 1; start += window) {
    const chunk = bytes.subarray(start, start + window);
    if (chunk.length < 2) continue;
    const { logits } = await step(session, shape, chunk);
    const nll = negativeLogLikelihoods(logits, shape.vocab, chunk.subarray(1));
    total += nll.reduce((a, b) => a + b, 0);
    count += nll.length;
  }
  return Math.exp(total / count);
}

/** The largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/**
 * Decodes `ids` with the cache: the first `promptLength` in one step, then one token at a time. Returns the logits of
 * every position, concatenated, to compare with one full-sequence step.
 */
export async function decodeWithCache(
  session: ort.InferenceSession,
  shape: LmShape,
  ids: ArrayLike<number>,
  promptLength: number,
): Promise<Float32Array> {
  const all = new Float32Array(ids.length * shape.vocab);
  const list = Array.from(ids);
  let result = await step(session, shape, list.slice(0, promptLength));
  all.set(result.logits, 0);
  for (let t = promptLength; t < list.length; t++) {
    result = await step(session, shape, [list[t]], result.cache);
    all.set(result.logits, t * shape.vocab);
  }
  return all;
}

// Compares an optimized model with its original on the same inputs: per output cosine similarity, max and mean
// absolute error and top-1 agreement over all samples, plus both models' sizes. Language models are evaluated on
// token windows instead, adding perplexity (see evaluateLanguageModel). Both stream sample by sample.
import { EdgeError } from "../errors";
import type { Sample } from "../data/typed-tensor";
import type { ModelSignature } from "../onnx/signature";
import { DEFAULT_SEQUENCE_LENGTH } from "../data/text";
import { createRng, inputSeed } from "../run/synthetic";
import { type LanguageModel, detectLanguageModel, idsRows, isTokenSample, windowSample } from "./language-model";
import {
  type EvalModel,
  type Ort,
  checkSameInputs,
  loadOrt,
  openEvalModel,
  resolveSamples,
  runSession,
} from "./model-pair";
import { OutputAccumulator } from "./output-metrics";
import { NllAccumulator, windowNll } from "./perplexity";
import type { CompareOptions, CompareResult, InputSource } from "./types";

interface Pair {
  ort: Ort;
  original: EvalModel;
  optimized: EvalModel;
}

async function openPair(original: string, optimized: string): Promise<Pair> {
  const ort = await loadOrt();
  const a = await openEvalModel(ort, original);
  let b: EvalModel;
  try {
    b = await openEvalModel(ort, optimized);
    checkSameInputs(a.signature, b.signature, optimized);
  } catch (e) {
    await a.session.release();
    throw e;
  }
  return { ort, original: a, optimized: b! };
}

async function closePair(pair: Pair): Promise<void> {
  await pair.original.session.release();
  await pair.optimized.session.release();
}

/** The outputs to compare: those both models have (or the asked ones, which must be in both). */
function comparedOutputs(pair: Pair, asked: string[] | undefined): { names: string[]; missing: string[] } {
  const a = pair.original.signature.outputs.map((o) => o.name);
  const b = new Set(pair.optimized.signature.outputs.map((o) => o.name));
  const missing = [...a.filter((n) => !b.has(n)), ...[...b].filter((n) => !a.includes(n))];
  if (!asked) return { names: a.filter((n) => b.has(n)), missing };
  for (const name of asked) {
    if (!a.includes(name) || !b.has(name)) {
      throw new EdgeError(
        "run/input",
        `output "${name}" is not an output of ${!a.includes(name) ? "the original" : "the optimized"} model`,
        { file: !a.includes(name) ? pair.original.path : pair.optimized.path },
        `outputs of the original: ${a.join(", ")}`,
      );
    }
  }
  return { names: asked, missing: missing.filter((n) => !asked.includes(n)) };
}

function baseResult(
  pair: Pair,
  samples: number,
  inputSource: InputSource,
  accumulators: OutputAccumulator[],
  missing: string[],
  warnings: string[],
): CompareResult {
  return {
    original: pair.original.size,
    optimized: pair.optimized.size,
    sizeRatio: pair.original.size.sizeBytes > 0 ? pair.optimized.size.sizeBytes / pair.original.size.sizeBytes : NaN,
    samples,
    inputSource,
    outputs: accumulators.map((a) => a.result()),
    missingOutputs: missing,
    warnings,
  };
}

/** Runs both models on one complete sample and adds every compared output to its accumulator. */
async function runBoth(pair: Pair, sample: Sample, index: number, names: string[], accumulators: OutputAccumulator[]) {
  const a = await runSession(pair.ort, pair.original, sample, index, names);
  const b = await runSession(pair.ort, pair.optimized, sample, index, names);
  names.forEach((name, i) => accumulators[i].add(a[name], b[name]));
  return { a, b };
}

/** Deterministic random token windows for a language model compared without data (ids in [0, vocab)). */
function syntheticWindows(lm: LanguageModel, count: number, length: number, seed: number): number[][] {
  const vocab = lm.vocabSize ?? 2;
  const rng = createRng(inputSeed(seed, "input_ids"));
  return Array.from({ length: count }, () => Array.from({ length }, () => Math.floor(rng() * vocab)));
}

/**
 * The complete samples both models get: `options.samples` (inputs they lack made synthetic), else one synthetic
 * sample from the signature and `synthetic` specs. For a language model: samples of input_ids only (a text dataset)
 * become one window per row with an empty past; no samples and no specs give one window of 128 random token ids.
 */
export function evaluationSamples(
  signature: ModelSignature,
  path: string,
  options: Pick<CompareOptions, "samples" | "synthetic" | "maxSamples">,
  warnings: string[],
): Sample[] {
  const lm = detectLanguageModel(signature, { file: path });
  if (lm && !options.samples?.length && !options.synthetic?.inputs) {
    return syntheticWindows(lm, 1, DEFAULT_SEQUENCE_LENGTH, options.synthetic?.seed ?? 0).map((w) =>
      windowSample(lm, w),
    );
  }
  if (lm && options.samples?.length && options.samples.every(isTokenSample)) {
    // token windows (a text dataset): complete them with an empty past, rather than synthetic past and mask
    return options.samples
      .flatMap((s) => idsRows(s.input_ids).map((row) => windowSample(lm, row)))
      .slice(0, options.maxSamples ?? Infinity);
  }
  return resolveSamples(signature, path, options, warnings);
}

/**
 * Compares two models on the same inputs. Samples may be partial (inputs they lack are synthetic); without samples,
 * one synthetic sample is made from the signature and `synthetic` specs, or for a language model (and no specs) one
 * window of 128 random token ids with an empty past.
 */
export async function compareModels(options: CompareOptions): Promise<CompareResult> {
  const pair = await openPair(options.original, options.optimized);
  try {
    const warnings: string[] = [];
    const samples = evaluationSamples(pair.original.signature, options.original, options, warnings);
    const { names, missing } = comparedOutputs(pair, options.outputs);
    const withTop1 = !options.metrics || options.metrics.includes("top1");
    const accumulators = names.map((n) => new OutputAccumulator(n, withTop1));
    const source = options.samples?.length ? "dataset" : "synthetic";
    try {
      for (let i = 0; i < samples.length; i++) {
        options.signal?.throwIfAborted();
        await runBoth(pair, samples[i], i, names, accumulators);
      }
    } catch (e) {
      if (source === "synthetic" && e instanceof EdgeError && e.code === "run/failed" && !e.hint) {
        const hint =
          "the inputs were made from the model's signature (unbound dims = 1); give data (--data) or input shapes (--input-shape NAME=D1,D2,...)";
        throw new EdgeError(e.code, e.message, e.where, hint, { cause: e });
      }
      throw e;
    }
    return baseResult(pair, samples.length, source, accumulators, missing, warnings);
  } finally {
    await closePair(pair);
  }
}

export interface LanguageModelOptions {
  original: string;
  optimized: string;
  /** Token windows, consumed one at a time (each of ≥ 2 tokens). */
  windows: Iterable<number[]> | AsyncIterable<number[]>;
  /** The window length asked for (reported). */
  sequenceLength: number;
  /** Outputs to compare besides perplexity; default ["logits"]. */
  outputs?: string[];
  maxSamples?: number;
  inputSource?: InputSource;
  /** Stops the evaluation before the next window (it throws the signal's reason). */
  signal?: AbortSignal;
}

/**
 * Perplexity of both models on token windows (each fed with an empty past and an all-ones attention mask), and the
 * comparison of their logits on the same windows. Throws `run/input` when the original is not a language model.
 */
export async function evaluateLanguageModel(options: LanguageModelOptions): Promise<CompareResult> {
  const pair = await openPair(options.original, options.optimized);
  try {
    const where = { file: options.original };
    const lm = detectLanguageModel(pair.original.signature, where);
    if (!lm) {
      throw new EdgeError(
        "run/input",
        "perplexity needs a language model (inputs input_ids, optional attention_mask and past_key_values.N.key/value; output logits)",
        where,
        "compare the outputs instead (a tensor dataset, or synthetic inputs)",
      );
    }
    const { names, missing } = comparedOutputs(pair, options.outputs ?? ["logits"]);
    const fetches = names.includes("logits") ? names : [...names, "logits"];
    const accumulators = names.map((n) => new OutputAccumulator(n));
    const nllA = new NllAccumulator();
    const nllB = new NllAccumulator();
    const maxSamples = options.maxSamples ?? Infinity;
    let count = 0;
    for await (const ids of options.windows) {
      options.signal?.throwIfAborted();
      if (count >= maxSamples) break;
      if (ids.length < 2) continue;
      const sample = windowSample(lm, ids);
      const a = await runSession(pair.ort, pair.original, sample, count, fetches);
      const b = await runSession(pair.ort, pair.optimized, sample, count, fetches);
      names.forEach((name, i) => accumulators[i].add(a[name], b[name]));
      nllA.add(windowNll(a.logits, ids, where));
      nllB.add(windowNll(b.logits, ids, { file: options.optimized }));
      count++;
    }
    if (count === 0) throw new EdgeError("run/input", "no token window of at least 2 tokens to evaluate", where);
    const original = nllA.result();
    const optimized = nllB.result();
    return {
      ...baseResult(pair, count, options.inputSource ?? "tokens", accumulators, missing, []),
      perplexity: {
        windows: count,
        predictedTokens: nllA.count,
        sequenceLength: options.sequenceLength,
        original,
        optimized,
        increasePct: (optimized.perplexity / original.perplexity - 1) * 100,
      },
    };
  } finally {
    await closePair(pair);
  }
}

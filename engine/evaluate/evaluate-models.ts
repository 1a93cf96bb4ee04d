// The evaluation entry point of the CLI and the pipeline: picks what to measure from the model and the data.
// - a text dataset (with a tokenizer) or a token dataset (input_ids only) and a language model: perplexity of both
//   models on windows of `sequenceLength` tokens, streamed, plus the comparison of their logits;
// - a tensor dataset: output metrics on its samples;
// - no data: output metrics on deterministic synthetic inputs (the recipe's input specs when given).
// Latency (optional) is measured with the local runner on the first sample of the same inputs.
import { extname } from "node:path";
import { EdgeError } from "../errors";
import { type DatasetFormat, readDataset } from "../data/dataset";
import { DEFAULT_SEQUENCE_LENGTH, loadTokenizer, readTextTokens, tokenWindows } from "../data/text";
import type { Sample } from "../data/typed-tensor";
import { readModelSignature } from "../onnx/signature";
import { compareModels, evaluateLanguageModel, evaluationSamples } from "./compare-models";
import { detectLanguageModel, idsRows, isTokenSample, windowSample } from "./language-model";
import { type LatencyOptions, measurePairLatency } from "./latency";
import type { CompareOptions, CompareResult } from "./types";

export interface EvaluationData {
  path: string;
  /** Taken from the extension when absent (.txt is text). */
  format?: DatasetFormat;
  /** tokenizer.json, for text. */
  tokenizer?: string;
  /** Window length in tokens for perplexity (default 128). */
  sequenceLength?: number;
  /** npz: model input name → array name. */
  inputs?: Record<string, string>;
}

export interface EvaluateOptions {
  original: string;
  optimized: string;
  data?: EvaluationData;
  /** Most samples (windows, for perplexity). */
  maxSamples?: number;
  synthetic?: CompareOptions["synthetic"];
  outputs?: string[];
  /** Also measure both models' latency through the local runner, on the first sample. */
  latency?: LatencyOptions;
  /** Stops the evaluation between samples (windows, latency iterations); it then throws the signal's reason. */
  signal?: AbortSignal;
}

/** Cuts each row of each sample's input_ids into windows of at most `length` tokens (dropping masked-out positions). */
function* tokenSampleWindows(samples: Sample[], length: number): Generator<number[]> {
  for (const sample of samples) {
    const masks = sample.attention_mask ? idsRows(sample.attention_mask) : undefined;
    const rows = idsRows(sample.input_ids);
    for (let r = 0; r < rows.length; r++) {
      const row = masks?.[r] ? rows[r].filter((_, j) => masks[r][j] !== 0) : rows[r];
      yield* tokenWindows(row, length);
    }
  }
}

export async function evaluateModels(options: EvaluateOptions): Promise<CompareResult> {
  const { result, latencySample } = await evaluate(options);
  if (options.latency)
    result.latency = await measurePairLatency(options.original, options.optimized, latencySample(), {
      ...options.latency,
      signal: options.signal,
    });
  return result;
}

async function evaluate(options: EvaluateOptions): Promise<{ result: CompareResult; latencySample: () => Sample }> {
  const { original, optimized, data, maxSamples } = options;
  const base = { original, optimized, outputs: options.outputs, maxSamples, signal: options.signal };
  const signature = await readModelSignature(original);
  const firstOf = (samples?: Sample[]) => () =>
    evaluationSamples(signature, original, { samples: samples?.slice(0, 1), synthetic: options.synthetic }, [])[0];
  if (!data)
    return { result: await compareModels({ ...base, synthetic: options.synthetic }), latencySample: firstOf() };

  const lm = detectLanguageModel(signature, { file: original });
  const sequenceLength = data.sequenceLength ?? DEFAULT_SEQUENCE_LENGTH;
  const format = data.format ?? (extname(data.path).toLowerCase() === ".txt" ? "text" : undefined);

  if (format === "text") {
    if (!lm) {
      throw new EdgeError(
        "run/input",
        `${data.path} is text, but ${original} is not a language model (inputs input_ids, …; output logits)`,
        { file: original },
        "give a tensor dataset (npy or json) for this model",
      );
    }
    if (!data.tokenizer)
      throw new EdgeError(
        "run/input",
        `${data.path}: a text dataset needs a tokenizer`,
        { file: data.path },
        "give the tokenizer.json (--tokenizer, or tokenizer: under the dataset)",
      );
    const tokenizer = await loadTokenizer(data.tokenizer);
    const maxTokens = maxSamples !== undefined ? maxSamples * sequenceLength : undefined;
    const ids = await readTextTokens(data.path, tokenizer, { maxTokens });
    const result = await evaluateLanguageModel({
      ...base,
      windows: tokenWindows(ids, sequenceLength, maxSamples),
      sequenceLength,
      inputSource: "text",
    });
    return { result, latencySample: () => windowSample(lm, ids.slice(0, sequenceLength)) };
  }

  const samples = await readDataset(data.path, {
    format,
    maxSamples: lm ? undefined : maxSamples,
    inputs: data.inputs,
  });
  const tokensOnly = samples.length > 0 && samples.every(isTokenSample);
  if (lm && tokensOnly) {
    const result = await evaluateLanguageModel({
      ...base,
      windows: tokenSampleWindows(samples, sequenceLength),
      sequenceLength,
      inputSource: "tokens",
    });
    return {
      result,
      latencySample: () => windowSample(lm, tokenSampleWindows(samples, sequenceLength).next().value as number[]),
    };
  }
  return {
    result: await compareModels({ ...base, samples, synthetic: options.synthetic }),
    latencySample: firstOf(samples),
  };
}

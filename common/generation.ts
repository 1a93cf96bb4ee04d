// report.json's `generation` section: what a generation benchmark (`run.generate`) measured for a language model
// with a KV cache. Per prompt length: time to first token (prefill of the prompt and the choice of its next token),
// the prefill rate, the greedy decode steps with the growing cache (rate over the steps, p50/p90 per step, the latency
// of every step), the tokens generated, peak memory; with an optimized model, the original model's generation and
// how many of the first greedy tokens both produce. engine/run measures it; engine/report puts it in report.json.

/** One prompt length's generation: a prefill, then `decode.steps` one-token decode steps with the growing cache. */
export interface GenerationRun {
  /** Tokens in the prompt (the prefill's input_ids length). */
  promptTokens: number;
  /** Decode steps asked for (`run.generate.new_tokens`). */
  newTokens: number;
  /** Where the prompt's ids came from: random ids, or a text dataset through its tokenizer. */
  promptSource: "synthetic" | "dataset";
  /** Time to first token: feeds, the prefill run (empty cache) and the argmax of the last position, ms. */
  ttftMs: number;
  /** promptTokens / ttftMs, in tokens per second. */
  prefillTokensPerS: number;
  decode: GenerationDecode;
  /** The generated token ids: the prefill's next token first, then one per decode step. */
  tokenIds: number[];
  /** Largest resident set size sampled during this generation, bytes. */
  peakRssBytes: number;
}

export interface GenerationDecode {
  /** Decode steps done (fewer than newTokens when the run stopped or failed). */
  steps: number;
  /** Wall time of the decode steps, from the first step's feeds to the last step's argmax, ms. */
  totalMs: number;
  /** steps / totalMs in tokens per second; null without steps. */
  tokensPerS: number | null;
  /** Per-step latency percentiles (nearest rank) and mean, ms; null without steps. */
  p50Ms: number | null;
  p90Ms: number | null;
  meanMs: number | null;
  /**
   * Latency of each decode step in order, ms: step i (0-based) feeds one token after a cache of promptTokens + i
   * positions. Feeds, run and argmax, as the rate counts them.
   */
  stepLatenciesMs: number[];
}

/** The original (float) model against the optimized one at one prompt length. */
export interface GenerationComparison {
  promptTokens: number;
  /** How many of the first generated tokens are equal, from the first on (the greedy sequences agree this far). */
  matchingTokens: number;
  /** How many tokens both generated (the shorter sequence's length). */
  comparedTokens: number;
  /** The optimized model's decode rate over the original's (> 1: faster); null when either has no rate. */
  decodeSpeedup: number | null;
  /** The original's time to first token over the optimized model's (> 1: faster). */
  ttftSpeedup: number | null;
}

/** The untimed warm-up generation done first on the same session (not in `runs`); null when there was none. */
export type GenerationWarmup = { promptTokens: number; newTokens: number } | null;

/** What a runner measured: one session's generations. */
export interface GenerationResult {
  warmup: GenerationWarmup;
  /** One per prompt length, in the recipe's order (fewer when the run stopped or failed). */
  runs: GenerationRun[];
}

export interface ReportGeneration extends GenerationResult {
  /** Positions the model holds (its position table's rows), when the engine could tell. */
  contextLength?: number;
  /** The original model, generated with the same prompts and session options, when the run's model is optimized. */
  reference?: GenerationResult & { modelPath: string };
  /** Per prompt length, with `reference`. */
  comparison?: GenerationComparison[];
}

/** "pp128" / "tg64": llama-bench's names of a prompt-processing and a token-generation row. */
export function generationRowNames(run: Pick<GenerationRun, "promptTokens" | "newTokens">): {
  prefill: string;
  decode: string;
} {
  return { prefill: `pp${run.promptTokens}`, decode: `tg${run.newTokens}` };
}

/**
 * The per-step latency curve summarised in `buckets` equal runs of steps (the last may be shorter): the cache length
 * at each bucket's first step and the bucket's mean step latency. For tables and charts of long generations.
 */
export function stepCurve(
  run: Pick<GenerationRun, "promptTokens" | "decode">,
  buckets = 8,
): { firstStep: number; lastStep: number; cacheLength: number; meanMs: number }[] {
  const steps = run.decode.stepLatenciesMs;
  if (steps.length === 0) return [];
  const size = Math.max(1, Math.ceil(steps.length / buckets));
  const out: { firstStep: number; lastStep: number; cacheLength: number; meanMs: number }[] = [];
  for (let first = 0; first < steps.length; first += size) {
    const slice = steps.slice(first, first + size);
    out.push({
      firstStep: first,
      lastStep: first + slice.length - 1,
      cacheLength: run.promptTokens + first,
      meanMs: slice.reduce((a, b) => a + b, 0) / slice.length,
    });
  }
  return out;
}

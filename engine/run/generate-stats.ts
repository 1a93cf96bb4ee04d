// The figures of a generation's decode steps (common/generation.ts): the rate over their wall time, and per-step
// percentiles (stats.ts's interpolation, as the run's latencies use). And the comparison of two models' generations
// at the same prompts: how far their greedy tokens agree, and their speed ratios. Pure.
import type { GenerationComparison, GenerationDecode, GenerationRun } from "../../common/generation";
import { mean, percentile } from "./stats";

export function summarizeDecode(stepLatenciesMs: number[], totalMs: number): GenerationDecode {
  const steps = stepLatenciesMs.length;
  if (steps === 0)
    return { steps, totalMs: 0, tokensPerS: null, p50Ms: null, p90Ms: null, meanMs: null, stepLatenciesMs };
  return {
    steps,
    totalMs,
    tokensPerS: totalMs > 0 ? (steps * 1000) / totalMs : null,
    p50Ms: percentile(stepLatenciesMs, 0.5),
    p90Ms: percentile(stepLatenciesMs, 0.9),
    meanMs: mean(stepLatenciesMs),
    stepLatenciesMs,
  };
}

/** How many tokens from the first on are equal in both sequences. */
export function matchingPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** The optimized model's generations against the original's, matched by prompt length. */
export function compareGenerations(optimized: GenerationRun[], original: GenerationRun[]): GenerationComparison[] {
  const out: GenerationComparison[] = [];
  for (const run of optimized) {
    const ref = original.find((r) => r.promptTokens === run.promptTokens);
    if (!ref) continue;
    const a = run.decode.tokensPerS;
    const b = ref.decode.tokensPerS;
    out.push({
      promptTokens: run.promptTokens,
      matchingTokens: matchingPrefix(run.tokenIds, ref.tokenIds),
      comparedTokens: Math.min(run.tokenIds.length, ref.tokenIds.length),
      decodeSpeedup: a !== null && b !== null && b > 0 ? a / b : null,
      ttftSpeedup: run.ttftMs > 0 ? ref.ttftMs / run.ttftMs : null,
    });
  }
  return out;
}

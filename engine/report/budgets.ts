// Budgets: the recipe's limits (`budgets:`) checked against what a run measured. Names and units are the recipe
// schema's. Megabytes are 10^6 bytes (the product's unit convention, common/units.ts), as
// schemas/edge-recipe.schema.json documents for size_mb and peak_memory_mb.
// A budget that cannot be checked (unknown name, a metric `edge run` does not measure yet, no iterations) gets
// pass: null and a reason; it neither passes nor fails the run.
import type { CompareResult } from "../../common/evaluation";
import type { GenerationRun } from "../../common/generation";
import type { BudgetVerdict } from "../../common/report";
import { BYTES_PER_MB, formatNumber } from "../../common/units";
import type { RunResult } from "../run/result";

export type { BudgetVerdict } from "../../common/report";

/** The recipe's `budgets` object: budget name → limit. */
export type Budgets = Record<string, number>;

interface BudgetRule {
  unit: string;
  /** "max": actual must be ≤ limit; "min": actual must be ≥ limit. */
  kind: "max" | "min";
  measure(result: RunResult): number | null | undefined;
  /** Why `measure` gave nothing. */
  missing: string;
}

const noIterations = "no measured iterations";
const noGeneration = "no generation was measured (a generation benchmark needs `run.generate`)";
const rules: Record<string, BudgetRule> = {
  latency_p50_ms: { unit: "ms", kind: "max", measure: (r) => r.stats?.p50Ms, missing: noIterations },
  latency_p90_ms: { unit: "ms", kind: "max", measure: (r) => r.stats?.p90Ms, missing: noIterations },
  latency_p95_ms: { unit: "ms", kind: "max", measure: (r) => r.stats?.p95Ms, missing: noIterations },
  latency_p99_ms: { unit: "ms", kind: "max", measure: (r) => r.stats?.p99Ms, missing: noIterations },
  latency_mean_ms: { unit: "ms", kind: "max", measure: (r) => r.stats?.meanMs, missing: noIterations },
  latency_max_ms: { unit: "ms", kind: "max", measure: (r) => r.stats?.maxMs, missing: noIterations },
  throughput_min_ips: {
    unit: "inferences/s",
    kind: "min",
    measure: (r) => r.throughput.fromMeanIps,
    missing: noIterations,
  },
  size_mb: { unit: "MB", kind: "max", measure: (r) => r.model.sizeBytes / BYTES_PER_MB, missing: "model size unknown" },
  peak_memory_mb: {
    unit: "MB",
    kind: "max",
    measure: (r) => (r.session.creationMs > 0 ? r.memory.peakRssBytes / BYTES_PER_MB : null),
    missing: "no session was created",
  },
  // Generation budgets hold at every prompt length: the worst one is checked.
  ttft_ms: {
    unit: "ms",
    kind: "max",
    measure: (r) => worst(r, "max", (g) => g.ttftMs),
    missing: noGeneration,
  },
  prefill_tokens_per_s_min: {
    unit: "tokens/s",
    kind: "min",
    measure: (r) => worst(r, "min", (g) => g.prefillTokensPerS),
    missing: noGeneration,
  },
  decode_tokens_per_s_min: {
    unit: "tokens/s",
    kind: "min",
    measure: (r) => worst(r, "min", (g) => g.decode.tokensPerS),
    missing: "no decode steps were generated (a generation benchmark needs `run.generate`)",
  },
};

/** The largest or smallest figure over the run's generations; undefined without any. */
function worst(r: RunResult, kind: "max" | "min", figure: (g: GenerationRun) => number | null): number | undefined {
  const values = (r.generation?.runs ?? []).map(figure).filter((v): v is number => v !== null);
  if (values.length === 0) return undefined;
  return kind === "max" ? Math.max(...values) : Math.min(...values);
}

interface EvaluationRule {
  /** The `evaluate.metrics` entry that asks for this measurement. */
  metric: string;
  unit: string;
  kind: "max" | "min";
  measure(c: CompareResult): number | null | undefined;
  missing: string;
}

const compared = (c: CompareResult) => c.outputs.filter((o) => !o.problem);
/** Budgets on the comparison with the original model (the recipe's `evaluate:` step). */
const evaluationRules: Record<string, EvaluationRule> = {
  perplexity_increase_pct: {
    metric: "perplexity",
    unit: "%",
    kind: "max",
    measure: (c) => c.perplexity?.increasePct,
    missing: "perplexity needs a language model and a text or token dataset in `evaluate.data`",
  },
  cosine_min: {
    metric: "cosine",
    unit: "",
    kind: "min",
    measure: (c) => (compared(c).length ? Math.min(...compared(c).map((o) => o.cosine)) : null),
    missing: "no output was compared",
  },
  max_abs_max: {
    metric: "max_abs",
    unit: "",
    kind: "max",
    measure: (c) => (compared(c).length ? Math.max(...compared(c).map((o) => o.maxAbsError)) : null),
    missing: "no output was compared",
  },
  top1_min_pct: {
    metric: "top1",
    unit: "%",
    kind: "min",
    measure: (c) => {
      const values = compared(c).flatMap((o) => (o.top1Agreement === null ? [] : [o.top1Agreement * 100]));
      return values.length ? Math.min(...values) : null;
    },
    missing: "no output has a class axis to compare",
  },
  top5_min_pct: {
    metric: "top5",
    unit: "%",
    kind: "min",
    measure: () => null,
    missing: "top-5 agreement is not measured yet",
  },
};

/** The evaluation a run made, and the metrics the recipe asked of it (`evaluate.metrics`). */
export interface EvaluationForBudgets {
  comparison: CompareResult;
  metrics: readonly string[];
}

export function checkBudgets(
  budgets: Budgets | undefined,
  result: RunResult,
  evaluationRun?: EvaluationForBudgets,
): BudgetVerdict[] {
  const evaluation = evaluationRun?.comparison;
  const verdicts: BudgetVerdict[] = [];
  for (const [name, limit] of Object.entries(budgets ?? {})) {
    const rule = rules[name] ?? evaluationRules[name];
    if (!rule) {
      verdicts.push({ name, limit, actual: null, unit: "", pass: null, reason: "unknown budget" });
      continue;
    }
    if (evaluationRules[name] && !evaluation) {
      verdicts.push({
        name,
        limit,
        actual: null,
        unit: rule.unit,
        pass: null,
        reason: "needs the recipe's `evaluate:` step (comparison with the original model)",
      });
      continue;
    }
    const asked = evaluationRules[name]?.metric;
    if (asked && !evaluationRun!.metrics.includes(asked)) {
      verdicts.push({
        name,
        limit,
        actual: null,
        unit: rule.unit,
        pass: null,
        reason: `\`evaluate.metrics\` does not include \`${asked}\``,
      });
      continue;
    }
    const actual =
      (evaluationRules[name] ? evaluationRules[name].measure(evaluation!) : rules[name].measure(result)) ?? null;
    if (actual === null || !Number.isFinite(actual)) {
      verdicts.push({ name, limit, actual: null, unit: rule.unit, pass: null, reason: rule.missing });
      continue;
    }
    verdicts.push({
      name,
      limit,
      actual,
      unit: rule.unit,
      pass: rule.kind === "max" ? actual <= limit : actual >= limit,
    });
  }
  return verdicts;
}

/** "latency_p95_ms: 23.1 ms > 20 ms" for a failed verdict. */
export function describeVerdict(v: BudgetVerdict): string {
  if (v.pass === null) return `${v.name}: not checked (${v.reason ?? "no measurement"})`;
  const rule = rules[v.name] ?? evaluationRules[v.name];
  const op = v.pass ? (rule?.kind === "min" ? "≥" : "≤") : rule?.kind === "min" ? "<" : ">";
  const unit = v.unit ? ` ${v.unit}` : "";
  return `${v.name}: ${formatNumber(v.actual!)}${unit} ${op} ${formatNumber(v.limit)}${unit}`;
}

// Budgets: the recipe's limits (`budgets:`) checked against what a run measured. Names and units are the recipe
// schema's. Megabytes are 10^6 bytes, as schemas/edge-recipe.schema.json documents for size_mb and peak_memory_mb.
// A budget that cannot be checked (unknown name, a metric `edge run` does not measure yet, no iterations) gets
// pass: null and a reason; it neither passes nor fails the run.
import type { RunResult } from "../run/result";

/** The recipe's `budgets` object: budget name → limit. */
export type Budgets = Record<string, number>;

export interface BudgetVerdict {
  name: string;
  limit: number;
  actual: number | null;
  unit: string;
  /** true: within the limit; false: exceeded; null: not checked (see `reason`). */
  pass: boolean | null;
  reason?: string;
}

/** Bytes in the "MB" of size_mb and peak_memory_mb. */
export const BYTES_PER_MB = 1_000_000;

interface BudgetRule {
  unit: string;
  /** "max": actual must be ≤ limit; "min": actual must be ≥ limit. */
  kind: "max" | "min";
  measure(result: RunResult): number | null | undefined;
  /** Why `measure` gave nothing. */
  missing: string;
}

const noIterations = "no measured iterations";
const rules: Record<string, BudgetRule> = {
  latency_p50_ms: { unit: "ms", kind: "max", measure: (r) => r.stats?.p50Ms, missing: noIterations },
  latency_p90_ms: { unit: "ms", kind: "max", measure: (r) => r.stats?.p90Ms, missing: noIterations },
  latency_p95_ms: { unit: "ms", kind: "max", measure: (r) => r.stats?.p95Ms, missing: noIterations },
  latency_p99_ms: { unit: "ms", kind: "max", measure: (r) => r.stats?.p99Ms, missing: noIterations },
  latency_mean_ms: { unit: "ms", kind: "max", measure: (r) => r.stats?.meanMs, missing: noIterations },
  latency_max_ms: { unit: "ms", kind: "max", measure: (r) => r.stats?.maxMs, missing: noIterations },
  throughput_min_ips: { unit: "inferences/s", kind: "min", measure: (r) => r.throughput.fromMeanIps, missing: noIterations },
  size_mb: { unit: "MB", kind: "max", measure: (r) => r.model.sizeBytes / BYTES_PER_MB, missing: "model size unknown" },
  peak_memory_mb: {
    unit: "MB",
    kind: "max",
    measure: (r) => (r.session.creationMs > 0 ? r.memory.peakRssBytes / BYTES_PER_MB : null),
    missing: "no session was created",
  },
};

/** Budgets that need `evaluate` (comparison with the original model), which `edge run` does not do yet. */
const needsEvaluate = new Set(["perplexity_increase_pct", "cosine_min", "max_abs_max", "top1_min_pct", "top5_min_pct"]);

export function checkBudgets(budgets: Budgets | undefined, result: RunResult): BudgetVerdict[] {
  const verdicts: BudgetVerdict[] = [];
  for (const [name, limit] of Object.entries(budgets ?? {})) {
    const rule = rules[name];
    if (!rule) {
      const reason = needsEvaluate.has(name) ? "needs `evaluate`, which edge run does not do yet" : "unknown budget";
      verdicts.push({ name, limit, actual: null, unit: "", pass: null, reason });
      continue;
    }
    const actual = rule.measure(result) ?? null;
    if (actual === null || !Number.isFinite(actual)) {
      verdicts.push({ name, limit, actual: null, unit: rule.unit, pass: null, reason: rule.missing });
      continue;
    }
    verdicts.push({ name, limit, actual, unit: rule.unit, pass: rule.kind === "max" ? actual <= limit : actual >= limit });
  }
  return verdicts;
}

/** "latency_p95_ms: 23.1 ms > 20 ms" for a failed verdict. */
export function describeVerdict(v: BudgetVerdict): string {
  if (v.pass === null) return `${v.name}: not checked (${v.reason ?? "no measurement"})`;
  const rule = rules[v.name];
  const op = v.pass ? (rule?.kind === "min" ? "≥" : "≤") : rule?.kind === "min" ? "<" : ">";
  return `${v.name}: ${formatNumber(v.actual!)} ${v.unit} ${op} ${formatNumber(v.limit)} ${v.unit}`;
}

/** Up to 4 significant digits, without exponent notation for everyday magnitudes. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return x.toFixed(0);
  if (abs >= 100) return x.toFixed(1);
  if (abs >= 10) return x.toFixed(2);
  return x.toFixed(3);
}

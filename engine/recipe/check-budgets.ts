// Checks budgets and evaluation against each other: latency budgets in an impossible order (p50 above p95),
// a memory budget below the model's size, accuracy budgets that no metric measures, metrics that need a kind
// of dataset the recipe does not give.
import type { ProblemSink } from "./problem-sink";
import type { Budgets, Metric } from "./recipe-types.generated";
import type { RecipeParts } from "./well-formed";

/** Latency budgets from the lowest percentile to the maximum: each can never be measured above the next. */
const latencyOrder = [
  "latency_p50_ms",
  "latency_p90_ms",
  "latency_p95_ms",
  "latency_p99_ms",
  "latency_max_ms",
] as const satisfies readonly (keyof Budgets)[];

/** Budgets that only an evaluation metric measures. */
const budgetMetric: Partial<Record<keyof Budgets, Metric>> = {
  perplexity_increase_pct: "perplexity",
  cosine_min: "cosine",
  max_abs_max: "max_abs",
  top1_min_pct: "top1",
  top5_min_pct: "top5",
};

export function checkBudgets(parts: RecipeParts, sink: ProblemSink): void {
  const { recipe, broken } = parts;
  const budgets = recipe.budgets ?? {};
  const defined = latencyOrder.filter((k) => budgets[k] !== undefined);
  for (let i = 0; i + 1 < defined.length; i++) {
    const low = defined[i];
    const high = defined[i + 1];
    const lowValue = budgets[low] as number;
    const highValue = budgets[high] as number;
    if (lowValue > highValue) {
      sink.warning(
        "budget/contradiction",
        ["budgets", low],
        `\`${low}\` (${lowValue}) is above \`${high}\` (${highValue}), but ${label(low)} is never above ${label(high)}: one of them is likely a mistake`,
        {
          hint: `with \`${high}: ${highValue}\`, ${label(low)} is at most ${highValue} ms anyway`,
        },
      );
    }
  }
  if (
    budgets.latency_mean_ms !== undefined &&
    budgets.latency_max_ms !== undefined &&
    budgets.latency_mean_ms > budgets.latency_max_ms
  ) {
    sink.warning(
      "budget/contradiction",
      ["budgets", "latency_mean_ms"],
      `\`latency_mean_ms\` (${budgets.latency_mean_ms}) is above \`latency_max_ms\` (${budgets.latency_max_ms}): the mean is never above the maximum`,
    );
  }
  if (
    budgets.peak_memory_mb !== undefined &&
    budgets.size_mb !== undefined &&
    budgets.peak_memory_mb < budgets.size_mb
  ) {
    sink.warning(
      "budget/contradiction",
      ["budgets", "peak_memory_mb"],
      `\`peak_memory_mb\` (${budgets.peak_memory_mb}) is below \`size_mb\` (${budgets.size_mb}), but the runner holds the whole model in memory: a model that meets \`size_mb\` can still exceed \`peak_memory_mb\``,
      {
        hint: `peak memory is at least the model's size plus the runtime (tens of MB)`,
      },
    );
  }
  if (
    budgets.throughput_min_ips !== undefined &&
    budgets.latency_mean_ms !== undefined &&
    recipe.run?.execution_mode !== "parallel" &&
    !broken(["run", "execution_mode"])
  ) {
    // One inference at a time: throughput is 1000 / mean latency, so a mean budget caps the throughput.
    const ceiling = 1000 / budgets.latency_mean_ms;
    if (budgets.throughput_min_ips * budgets.latency_mean_ms > 1000 * 1.000001) {
      sink.information(
        "budget/contradiction",
        ["budgets", "throughput_min_ips"],
        `\`throughput_min_ips\` (${budgets.throughput_min_ips}) needs a mean latency below ${round(1000 / budgets.throughput_min_ips)} ms, stricter than \`latency_mean_ms\` (${budgets.latency_mean_ms}, i.e. ≥ ${round(ceiling)} inferences/s)`,
      );
    }
  }

  const metrics = new Set<Metric>(recipe.evaluate?.metrics ?? []);
  for (const [budget, metric] of Object.entries(budgetMetric) as [keyof Budgets, Metric][]) {
    if (budgets[budget] === undefined || metrics.has(metric) || broken(["evaluate", "metrics"])) continue;
    sink.warning(
      "budget/unmeasured",
      ["budgets", budget],
      `\`${budget}\` is never checked: \`evaluate.metrics\` does not include \`${metric}\``,
      {
        on: "key",
        hint: `add \`${metric}\` to \`evaluate.metrics\``,
      },
    );
  }

  const metricList: readonly Metric[] = recipe.evaluate?.metrics ?? [];
  const perplexityAt = metricList.indexOf("perplexity");
  if (perplexityAt >= 0) {
    const dataName = recipe.evaluate?.data;
    const dataset = dataName ? recipe.data?.[dataName] : undefined;
    if (!dataName && !broken(["evaluate", "data"])) {
      sink.error(
        "option/conflict",
        ["evaluate", "metrics", perplexityAt],
        "`perplexity` needs a text dataset: set `evaluate.data`",
        {
          hint: "e.g. `data: { eval: { path: data/eval.txt, format: text, tokenizer: models/tokenizer.json } }` and `evaluate.data: eval`",
        },
      );
    } else if (dataset && dataset.format !== "text") {
      sink.error(
        "option/conflict",
        ["evaluate", "metrics", perplexityAt],
        `\`perplexity\` needs a \`format: text\` dataset, but \`${dataName}\` is \`${dataset.format}\``,
      );
    }
  }
}

function label(budget: string): string {
  return budget.replace(/^latency_/, "").replace(/_ms$/, "");
}

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}

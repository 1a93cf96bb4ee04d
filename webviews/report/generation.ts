// The report's Generation section (report.json's `generation`, a `run.generate` run): a llama-bench-like table (a
// `ppN` row per prompt length with its prefill rate and time to first token, a `tgM` row with the decode rate and
// per-step p50/p90; the original model's rows beside an optimized model's), the comparison of their greedy tokens,
// and a chart of every decode step's latency as the cache grows (one series per prompt length and model).
// `generationRows` and `stepSeries` are pure, for tests without a browser.
import { type GenerationRun, type ReportGeneration, generationRowNames } from "../../common/generation";
import { formatBytes, formatMs, formatNumber } from "../../common/units";
import { h } from "../ui/toolkit";
import { type ChartSeries, renderChart } from "./chart";

const rate = (v: number | null) => (v === null ? "—" : formatNumber(v));
const ms = (v: number | null) => (v === null ? "—" : formatMs(v));

/** The table's rows: model, test, tokens/s, TTFT, step p50, step p90. */
export function generationRows(generation: ReportGeneration): string[][] {
  const rows = (runs: GenerationRun[], model: string) =>
    runs.flatMap((run) => {
      const names = generationRowNames(run);
      return [
        [model, names.prefill, rate(run.prefillTokensPerS), formatMs(run.ttftMs), "", ""],
        [
          model,
          `${names.decode} @ pp${run.promptTokens}`,
          rate(run.decode.tokensPerS),
          "",
          ms(run.decode.p50Ms),
          ms(run.decode.p90Ms),
        ],
      ];
    });
  return [
    ...rows(generation.runs, generation.reference ? "this run" : "model"),
    ...(generation.reference ? rows(generation.reference.runs, "original") : []),
  ];
}

/** The chart's series: each generation's decode step latencies, labelled by prompt length (and "original"). */
export function stepSeries(generation: ReportGeneration): ChartSeries[] {
  const series = (runs: GenerationRun[], prefix: string) =>
    runs.map((run) => ({ label: `${prefix}pp${run.promptTokens}`, valuesMs: run.decode.stepLatenciesMs }));
  return [
    ...series(generation.runs, ""),
    ...(generation.reference ? series(generation.reference.runs, "original ") : []),
  ];
}

export function generationSection(generation: ReportGeneration): HTMLElement {
  const table = (headers: string[], rows: string[][], id: string) => {
    const t = h("table", { attrs: { id } });
    t.append(h("thead", {}, h("tr", {}, ...headers.map((x) => h("th", { text: x })))));
    const body = h("tbody");
    for (const cells of rows) body.append(h("tr", {}, ...cells.map((c) => h("td", { text: c }))));
    t.append(body);
    return t;
  };
  const children: Node[] = [
    table(
      ["model", "test", "tokens/s", "TTFT", "step p50", "step p90"],
      generationRows(generation),
      "generation-table",
    ),
  ];
  const warmup = generation.warmup;
  children.push(
    h("p", {
      class: "note",
      text: `ppN: the prompt in one pass and its next token (time to first token); tgM: M greedy decode steps with the growing cache, tokens/s over their wall time. ${warmup ? `One untimed warm-up generation (${warmup.promptTokens} prompt tokens, ${warmup.newTokens} new) ran first.` : ""}${generation.contextLength !== undefined ? ` The model holds ${generation.contextLength} positions.` : ""} Peak RSS ${formatBytes(Math.max(0, ...generation.runs.map((r) => r.peakRssBytes)))}.`,
    }),
  );
  if (generation.comparison?.length)
    children.push(
      table(
        ["prompt", "same greedy tokens from the first", "decode speedup", "TTFT speedup"],
        generation.comparison.map((c) => [
          `pp${c.promptTokens}`,
          `${c.matchingTokens} of ${c.comparedTokens}`,
          c.decodeSpeedup === null ? "—" : `${formatNumber(c.decodeSpeedup)}×`,
          c.ttftSpeedup === null ? "—" : `${formatNumber(c.ttftSpeedup)}×`,
        ]),
        "generation-comparison",
      ),
    );
  const series = stepSeries(generation).filter((s) => s.valuesMs.length > 0);
  if (series.length)
    children.push(
      h("h3", { text: "Decode step latency as the cache grows" }),
      renderChart(series, {
        className: "step-chart",
        ariaLabel: "Latency per decode step",
        xLabel: "decode step (cache length = prompt + step − 1)",
        pointName: (i) => `step ${i}`,
      }),
    );
  return h("section", { attrs: { id: "generation" } }, h("h2", { text: "Generation" }), ...children);
}

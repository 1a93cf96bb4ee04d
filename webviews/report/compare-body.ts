// The report's compare mode body (used by render.ts): run B against run A, side by side with the change: latency
// statistics, both runs' per-iteration latencies in one chart, resources (the change coloured by which way is
// better), and the budgets of either run.
import type { RunReport } from "../../common/report";
import { formatNumber } from "../../common/units";
import { h } from "../ui/toolkit";
import { renderChart } from "./chart";
import { deltaClass, formatDelta, msOrDash } from "./format";
import { resourceRows, section, stats, table, verdictCell } from "./report-blocks";

function deltaCell(a: number | null | undefined, b: number | null | undefined, lowerIsBetter = true): HTMLElement {
  return h("span", { class: `delta ${deltaClass(a, b, lowerIsBetter)}`, text: formatDelta(a, b) });
}

export function compareBody(a: RunReport, b: RunReport): HTMLElement[] {
  const out: HTMLElement[] = [];
  const la = a.latency;
  const lb = b.latency;
  out.push(
    section(
      "Latency",
      "latency",
      table(
        ["statistic", "A", "B", "Δ (B vs A)"],
        stats.map(([name, key]) => [name, msOrDash(la?.[key]), msOrDash(lb?.[key]), deltaCell(la?.[key], lb?.[key])]),
        "latency-table",
        stats.map(([name]) => name),
      ),
    ),
  );
  out.push(
    section(
      "Latency per iteration",
      "chart",
      renderChart([
        { label: `A ${a.runId}`, valuesMs: a.latenciesMs },
        { label: `B ${b.runId}`, valuesMs: b.latenciesMs },
      ]),
    ),
  );
  const ra = resourceRows(a);
  const rb = resourceRows(b);
  out.push(
    section(
      "Resources",
      "resources",
      table(
        ["measure", "A", "B", "Δ (B vs A)"],
        ra.map(([name, text, value, lower], i) => [name, text, rb[i][1], deltaCell(value, rb[i][2], lower)]),
        "resources-table",
      ),
    ),
  );
  const names = [...new Set([...a.budgets, ...b.budgets].map((v) => v.name))];
  if (names.length) {
    const cell = (r: RunReport, name: string) => {
      const v = r.budgets.find((x) => x.name === name);
      return v ? h("span", {}, verdictCell(v), v.actual === null ? "" : ` ${formatNumber(v.actual)} ${v.unit}`) : "—";
    };
    out.push(
      section(
        "Budgets",
        "budgets",
        table(
          ["budget", "A", "B"],
          names.map((n) => [n, cell(a, n), cell(b, n)]),
          "budgets-table",
          names,
        ),
      ),
    );
  }
  return out;
}

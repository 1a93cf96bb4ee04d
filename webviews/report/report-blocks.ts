// The building blocks of the report's sections, shared by one run's view (render.ts) and compare mode
// (compare-body.ts): a section with its heading, a table whose rows carry keys for tests, the latency statistics
// shown, the resource rows (with their values and which way is better), a budget's verdict and the budgets table.
// No inline styles: classes styled by report.css.
import type { BudgetVerdict, RunReport } from "../../common/report";
import { formatNumber } from "../../common/units";
import { codicon, h } from "../ui/toolkit";
import { bytesOrDash, msOrDash, rateOrDash } from "./format";

/** The latency statistics shown: label and report.json key. */
export const stats = [
  ["p50", "p50Ms"],
  ["p90", "p90Ms"],
  ["p95", "p95Ms"],
  ["p99", "p99Ms"],
  ["mean", "meanMs"],
  ["stdev", "stdevMs"],
  ["min", "minMs"],
  ["max", "maxMs"],
] as const;

export function section(title: string, id: string, ...children: Node[]): HTMLElement {
  return h("section", { attrs: { id } }, h("h2", { text: title }), ...children);
}

export function table(headers: string[], rows: (string | Node)[][], id?: string, rowKeys?: string[]): HTMLTableElement {
  const t = h("table", id ? { attrs: { id } } : {});
  t.append(h("thead", {}, h("tr", {}, ...headers.map((x) => h("th", { text: x })))));
  const body = h("tbody");
  rows.forEach((cells, i) => {
    const tr = h("tr", rowKeys ? { attrs: { "data-key": rowKeys[i] } } : {});
    for (const c of cells) tr.append(typeof c === "string" ? h("td", { text: c }) : h("td", {}, c));
    body.append(tr);
  });
  t.append(body);
  return t;
}

export function resourceRows(r: RunReport): [string, string, number | null, boolean][] {
  return [
    ["model size", bytesOrDash(r.model?.sizeBytes), r.model?.sizeBytes ?? null, true],
    ["peak memory (RSS)", bytesOrDash(r.memory?.peakRssBytes), r.memory?.peakRssBytes ?? null, true],
    ["throughput (1 / mean)", rateOrDash(r.throughput?.fromMeanIps), r.throughput?.fromMeanIps ?? null, false],
    ["throughput (wall clock)", rateOrDash(r.throughput?.wallClockIps), r.throughput?.wallClockIps ?? null, false],
    ["session creation", msOrDash(r.session?.creationMs), r.session?.creationMs ?? null, true],
    ["run duration", msOrDash(r.durationMs), r.durationMs, true],
  ];
}

export function verdictCell(v: BudgetVerdict): HTMLElement {
  const [icon, text] =
    v.pass === true ? ["pass", "pass"] : v.pass === false ? ["error", "exceeded"] : ["circle-slash", "not checked"];
  return h("span", { class: `verdict-${text.replace(" ", "-")}` }, codicon(icon), ` ${text}`);
}

export function budgetTable(budgets: BudgetVerdict[]): HTMLTableElement {
  return table(
    ["budget", "limit", "actual", "verdict"],
    budgets.map((v) => [
      v.name,
      `${formatNumber(v.limit)} ${v.unit}`.trim(),
      v.actual === null ? (v.reason ?? "—") : `${formatNumber(v.actual)} ${v.unit}`,
      verdictCell(v),
    ]),
    "budgets-table",
    budgets.map((v) => v.name),
  );
}

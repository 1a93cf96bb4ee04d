// The table tabs: op types and nodes (count, total, mean, p50, p95, share; sortable, filtered), iterations (the
// latency chart with outliers and the warm-up runs left out, and its table), the warm-up control above them, and
// compare (per op type and per node: before, after, speed-up, sorted by what changed most).
import type { WarmupReason } from "../../common/trace/trace-tables";
import { formatCount, formatPercent, formatRatio, formatUs } from "../../common/units";
import { el } from "../ui/dom";
import type { CompareRow, CompareTables, IterationRow, StatRow, TraceTables } from "./model/trace-views";
import { filterRows, type SortSpec } from "./model/table-sort";
import { iterationChart } from "./panels/iteration-chart";
import { sortTable, type Column } from "./panels/sort-table";

export interface TableHandlers {
  sort: SortSpec;
  filter: string;
  onSort(column: string): void;
  onNode(row: StatRow): void;
  onRun(row: IterationRow): void;
}

/** The warm-up runs the tables leave out, and why that many (the user chose, or the trace's default). */
export interface Warmup {
  runs: number;
  reason: WarmupReason | "user";
  /** model_runs in the trace. */
  runCount: number;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

const WARMUP_WHY: Record<Warmup["reason"], (w: Warmup) => string> = {
  user: () => "as you chose",
  report: (w) => `the run's report counts ${plural(w.runs, "warm-up run")} in this profile`,
  engine: () => "default for a profile Edge Studio wrote: it holds only the iterations it profiled",
  "other-tool": (w) =>
    `default for a trace from another tool with ${w.runCount} runs: onnxruntime's own profiles start with the warm-up`,
  "few-runs": (w) => `default: ${plural(w.runCount, "run")}, too few to leave one out`,
};

/** "Leave out the first [N] runs as warm-up", why that many, and how many runs the tables then cover. */
export function warmupControl(w: Warmup, change: (runs: number) => void): HTMLElement {
  if (w.runCount === 0)
    return el("p", {
      class: "warmup muted",
      attrs: { id: "warmup-control" },
      text: "No model_run events: every kernel counts.",
    });
  const input = el("input", {
    class: "warmup-input",
    attrs: { id: "warmup", type: "number", min: "0", max: String(w.runCount), step: "1", value: String(w.runs) },
  });
  input.addEventListener("change", () => {
    const n = Number(input.value);
    if (Number.isFinite(n)) change(n);
  });
  return el(
    "div",
    { class: "warmup", attrs: { id: "warmup-control", "data-runs": String(w.runs), "data-reason": w.reason } },
    el("label", { attrs: { for: "warmup" }, text: "Leave out the first " }),
    input,
    el("span", { text: ` of ${plural(w.runCount, "run")} as warm-up` }),
    el("span", { class: "muted warmup-why", attrs: { id: "warmup-why" }, text: ` (${WARMUP_WHY[w.reason](w)})` }),
  );
}

const us = (k: keyof StatRow, label: string): Column<StatRow> => ({
  key: k,
  label,
  numeric: true,
  text: (r) => formatUs(r[k] as number),
});

function statColumns(first: Column<StatRow>[]): Column<StatRow>[] {
  return [
    ...first,
    { key: "count", label: "Count", numeric: true, text: (r) => formatCount(r.count) },
    us("totalUs", "Total"),
    us("meanUs", "Mean"),
    us("p50Us", "p50"),
    us("p95Us", "p95"),
    { key: "share", label: "Share", numeric: true, text: (r) => formatPercent(r.share) },
  ];
}

export function opsView(t: TraceTables, h: TableHandlers): HTMLElement {
  const cols = statColumns([{ key: "key", label: "Op type", text: (r) => r.key }]);
  return sortTable("ops-table", cols, filterRows(t.ops, h.filter), h.sort, h.onSort);
}

export function nodesView(t: TraceTables, h: TableHandlers): HTMLElement {
  const cols = statColumns([
    { key: "key", label: "Node", text: (r) => r.key },
    { key: "opType", label: "Op", text: (r) => r.opType ?? "" },
    { key: "provider", label: "Provider", text: (r) => (r.provider ?? "").replace(/ExecutionProvider$/, "") },
  ]);
  return sortTable("nodes-table", cols, filterRows(t.nodes, h.filter), h.sort, h.onSort, h.onNode);
}

export function iterationsView(t: TraceTables, h: TableHandlers): HTMLElement {
  if (t.iterations.length === 0) return el("p", { class: "muted", text: "No model_run events in this trace." });
  const cols: Column<IterationRow>[] = [
    { key: "run", label: "Run", numeric: true, text: (r) => String(r.run) },
    {
      key: "durationUs",
      label: "Latency",
      numeric: true,
      text: (r) => formatUs(r.durationUs),
      cls: (r) => (r.outlier ? "outlier" : undefined),
    },
    { key: "kernelUs", label: "In kernels", numeric: true, text: (r) => formatUs(r.kernelUs) },
    { key: "kernels", label: "Kernels", numeric: true, text: (r) => formatCount(r.kernels) },
    { key: "outlier", label: "Outlier", text: (r) => (r.outlier ? "yes" : "") },
    { key: "warmup", label: "Warm-up", text: (r) => (r.warmup ? "left out" : "") },
  ];
  const sort = cols.some((c) => c.key === h.sort.column) ? h.sort : { column: "run", descending: false };
  return el(
    "div",
    { class: "iterations" },
    iterationChart(t.iterations, h.onRun),
    sortTable("iterations-table", cols, t.iterations, sort, h.onSort, h.onRun),
  );
}

/** Columns of a compare table; `names` are the two traces' names (trace-label.ts), shown in the time columns. */
function compareColumns(label: string, names: [string, string]): Column<CompareRow>[] {
  return [
    { key: "key", label, text: (r) => r.key },
    { key: "beforeUs", label: `Before: ${names[0]} (per run)`, numeric: true, text: (r) => formatUs(r.beforeUs) },
    { key: "afterUs", label: `After: ${names[1]} (per run)`, numeric: true, text: (r) => formatUs(r.afterUs) },
    {
      key: "speedup",
      label: "Speed-up",
      numeric: true,
      text: (r) => (Number.isFinite(r.speedup) ? formatRatio(r.speedup) : "gone"),
      cls: (r) => (r.speedup < 0.95 ? "slower" : r.speedup > 1.05 ? "faster" : undefined),
    },
  ];
}

export function compareView(
  c: CompareTables | undefined,
  labels: [string, string] | undefined,
  h: TableHandlers,
  choose: () => void,
): HTMLElement {
  if (!c || !labels) {
    const b = el("button", {
      class: "btn primary",
      attrs: { type: "button", id: "choose-compare" },
      text: "Choose a profile to compare with…",
    });
    b.addEventListener("click", choose);
    return el(
      "div",
      { class: "empty" },
      el("p", { text: "Compare this profile with another (float against int8, or two devices)." }),
      b,
    );
  }
  // Compare tables keep their own order (by what changed most) until a header is clicked.
  const sort = ["key", "beforeUs", "afterUs", "speedup"].includes(h.sort.column) ? h.sort : undefined;
  const table = (id: string, label: string, rows: CompareRow[]) =>
    sortTable(
      id,
      compareColumns(label, labels),
      filterRows(rows, h.filter),
      sort ?? { column: "__changed", descending: false },
      h.onSort,
    );
  return el(
    "div",
    { class: "compare" },
    el(
      "p",
      { class: "compare-header", attrs: { id: "compare-header" } },
      "Before: ",
      el("strong", { class: "trace-name", text: labels[0] }),
      " · After: ",
      el("strong", { class: "trace-name", text: labels[1] }),
    ),
    el("p", {
      class: "muted",
      attrs: { id: "compare-runs" },
      text: `Time per run over ${c.runs[0]} and ${c.runs[1]} measured runs (each trace's warm-up runs left out).`,
    }),
    el("h3", { text: "Op types" }),
    table("compare-ops", "Op type", c.ops),
    el("h3", { text: "Nodes" }),
    table("compare-nodes", "Node", c.nodes),
  );
}

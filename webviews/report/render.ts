// Builds the report's DOM from the state (one run, or two compared). No inline styles: classes styled by report.css.
import { fusionLines } from "../../common/fusion-text";
import { type BudgetVerdict, type RunReport, formatIterationRanges } from "../../common/report";
import { formatBytes, formatMs, formatNumber, formatPercent, formatRatio } from "../../common/units";
import type { ReportState, RunEntry } from "../protocol/report";
import { codicon, h, ui } from "../ui/toolkit";
import { renderChart } from "./chart";
import { generationSection } from "./generation";
import { bytesOrDash, deltaClass, formatDelta, msOrDash, rateOrDash } from "./format";

export interface RenderActions {
  openFile(runDir: string, path: string): void;
  compareWith(runDir: string): void;
  openModelGraph(runDir: string, path: string): void;
  /** The run's profile in the profile viewer (compared with another run's). */
  openProfile(runDir: string, compareRunDir?: string): void;
}

const stats = [
  ["p50", "p50Ms"],
  ["p90", "p90Ms"],
  ["p95", "p95Ms"],
  ["p99", "p99Ms"],
  ["mean", "meanMs"],
  ["stdev", "stdevMs"],
  ["min", "minMs"],
  ["max", "maxMs"],
] as const;

export function render(state: ReportState, actions: RenderActions): HTMLElement {
  const root = h("main", { class: `report mode-${state.mode}`, attrs: { "data-mode": state.mode } });
  if (state.mode === "single") {
    const [run] = state.runs;
    root.append(header(run, actions));
    if (!run.report) root.append(h("p", { class: "load-error", text: run.error ?? "no report" }));
    else root.append(...singleBody(run, run.report, actions));
    return root;
  }
  const [a, b] = state.runs;
  root.append(h("div", { class: "compare-headers" }, header(a, actions, "A"), header(b, actions, "B")));
  if (!a.report || !b.report) {
    for (const r of [a, b])
      if (!r.report) root.append(h("p", { class: "load-error", text: `${r.runId}: ${r.error ?? "no report"}` }));
    return root;
  }
  if (a.report.profile.path && b.report.profile.path) {
    // B is the run compared against A: B's profile is shown, A's is "before".
    const button = h(ui.button, { attrs: { appearance: "secondary", id: "compare-profiles" } }, "Compare profiles");
    button.addEventListener("click", () => actions.openProfile(b.runDir, a.runDir));
    root.append(button);
  }
  root.append(...compareBody(a.report, b.report));
  return root;
}

function header(run: RunEntry, actions: RenderActions, tag?: string): HTMLElement {
  const report = run.report;
  const status = report?.status ?? "unreadable";
  const failedBudgets = report?.budgets.filter((b) => b.pass === false).length ?? 0;
  const verdict = !report
    ? "report unreadable"
    : status === "ok"
      ? "all budgets met"
      : failedBudgets > 0
        ? `${failedBudgets} budget(s) exceeded`
        : status;
  const icon = status === "ok" ? "pass" : status === "aborted" ? "circle-slash" : "error";
  const el = h(
    "header",
    { class: `run-header status-${status}`, attrs: { "data-run": run.runId } },
    h("h1", {}, codicon(icon), ` ${tag ? `${tag}: ` : ""}${report?.recipe.name ?? run.runId}`),
    h(
      "div",
      { class: "verdict", attrs: { "data-status": status } },
      h("span", { class: "status-pill", text: status }),
      ` ${verdict}`,
    ),
  );
  if (report) {
    el.append(
      h("p", {
        class: "meta",
        text: `${report.device.name} (${report.device.kind}${deviceModel(report.device.probe)}${report.device.host ? `, ${report.device.host.cpuModel}, ${report.device.host.cores} cores, onnxruntime ${report.device.host.onnxruntimeVersion}` : ""}) · ${new Date(report.startedAt).toLocaleString()} · ${run.runId}`,
      }),
    );
  }
  if (!tag) {
    const button = h(ui.button, { attrs: { appearance: "secondary", id: "compare-with" } }, "Compare with…");
    button.addEventListener("click", () => actions.compareWith(run.runDir));
    el.append(button);
  }
  return el;
}

function section(title: string, id: string, ...children: Node[]): HTMLElement {
  return h("section", { attrs: { id } }, h("h2", { text: title }), ...children);
}

function table(headers: string[], rows: (string | Node)[][], id?: string, rowKeys?: string[]): HTMLTableElement {
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

function singleBody(run: RunEntry, r: RunReport, actions: RenderActions): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (r.errors.length)
    out.push(
      section(
        "Errors",
        "errors",
        h(
          "ul",
          {},
          ...r.errors.map((e) =>
            h(
              "li",
              { class: "error" },
              h("code", { text: e.code }),
              ` ${e.message}`,
              e.hint ? h("div", { class: "hint", text: e.hint }) : "",
            ),
          ),
        ),
      ),
    );
  const l = r.latency;
  // A generation run makes no measured iterations: its own section takes the latency's place.
  if (r.generation) out.push(generationSection(r.generation));
  if (!r.generation || l)
    out.push(
      section(
        "Latency",
        "latency",
        l
          ? table(
              ["statistic", "value"],
              stats.map(([name, key]) => [name, msOrDash(l[key])]),
              "latency-table",
              stats.map(([name]) => name),
            )
          : h("p", { text: "No measured iterations." }),
        h("p", {
          class: "note",
          text: `${r.run.iterationsDone} of ${r.run.iterationsRequested} iterations measured after ${r.run.warmupDone} warm-up.${r.profile.profiledIterations ? ` Profiled iterations: ${formatIterationRanges(r.profile.profiledIterations) || "none"}.` : ""}${r.profile.note ? ` ${r.profile.note}` : ""}`,
        }),
      ),
    );
  if (r.latenciesMs.length)
    out.push(section("Latency per iteration", "chart", renderChart([{ label: r.runId, valuesMs: r.latenciesMs }])));
  out.push(
    section(
      "Resources",
      "resources",
      table(
        ["measure", "value"],
        resourceRows(r).map(([k, v]) => [k, v]),
        "resources-table",
      ),
    ),
  );
  out.push(...optimizationSections(r));
  if (r.budgets.length) out.push(section("Budgets", "budgets", budgetTable(r.budgets)));
  const summary = r.profile.summary;
  if (summary?.opTypes.length) {
    out.push(
      section(
        "Top ops (profile)",
        "top-ops",
        table(
          ["op type", "nodes", "time / run", "share"],
          summary.opTypes
            .slice(0, 10)
            .map((o) => [o.opType, String(o.nodes), formatMs(o.meanUsPerRun / 1000), formatPercent(o.share)]),
          "top-ops-table",
        ),
      ),
    );
  }
  const models = run.models;
  if (models && (models.original || models.produced.length)) {
    const list = h("ul", { class: "files models" });
    const item = (path: string, role: string) => {
      const link = h(ui.link, { class: "graph-link", attrs: { href: "#", "data-model": path } }, "Open graph");
      link.addEventListener("click", (event) => {
        event.preventDefault();
        actions.openModelGraph(run.runDir, path);
      });
      list.append(
        h("li", {}, codicon("type-hierarchy"), ` ${path} `, h("span", { class: "kind", text: role }), " ", link),
      );
    };
    if (models.original) item(models.original, "original");
    for (const path of models.produced) item(path, "produced");
    out.push(section("Models", "models", list));
  }
  if (r.artifacts.length) {
    const list = h("ul", { class: "files" });
    for (const artifact of r.artifacts) {
      const link = h(ui.link, { class: "file-link", attrs: { href: "#", "data-path": artifact.path } }, artifact.path);
      link.addEventListener("click", (event) => {
        event.preventDefault();
        if (artifact.kind === "profile.json") actions.openProfile(run.runDir);
        else actions.openFile(run.runDir, artifact.path);
      });
      list.append(h("li", {}, codicon("file"), " ", link, h("span", { class: "kind", text: ` ${artifact.kind}` })));
    }
    out.push(section("Files", "files", list));
  }
  return out;
}

/** What quantize and compile did, and the produced model next to the original, with the worst quantized nodes. */
function optimizationSections(r: RunReport): HTMLElement[] {
  const out: HTMLElement[] = [];
  const q = r.optimization?.quantize;
  const c = r.optimization?.compile;
  if (q || c) {
    const rows: string[][] = [];
    if (q) {
      rows.push([
        "quantize",
        `${q.method}: ${q.quantized.length} nodes, ${q.weights} weights${q.skipped ? `, ${q.skipped} left in float` : ""}; ${formatBytes(q.sourceBytes)} → ${formatBytes(q.outputBytes)}`,
      ]);
      for (const w of q.warnings) rows.push(["", w]);
    }
    if (c) {
      rows.push(["compile", `${c.provider} at ${c.optimization}: ${c.nodesBefore} → ${c.nodesAfter} nodes`]);
      for (const line of fusionLines(c.fusions)) rows.push(["", line]);
      const s = c.support;
      if (s)
        rows.push([
          s.provider,
          `${s.providerNodes} of ${s.nodes} nodes in ${s.partitions} partitions; ${formatPercent(s.cpuFlopShare)} of compute stays on the CPU`,
        ]);
    }
    out.push(section("Optimization", "optimization", table(["step", "result"], rows, "optimization-table")));
  }
  const e = r.evaluation?.comparison;
  if (e) {
    const rows: string[][] = [
      ["size", formatBytes(e.original.sizeBytes), formatBytes(e.optimized.sizeBytes), formatRatio(e.sizeRatio)],
    ];
    const keys = ["size"];
    if (e.perplexity) {
      const p = e.perplexity;
      rows.push([
        "perplexity",
        formatNumber(p.original.perplexity),
        formatNumber(p.optimized.perplexity),
        formatPercent(p.increasePct / 100, { digits: 2, signed: true }),
      ]);
      keys.push("perplexity");
    }
    if (e.latency) {
      const l = e.latency;
      rows.push([
        "latency p50",
        formatMs(l.original.p50Ms),
        formatMs(l.optimized.p50Ms),
        l.speedup >= 1 ? `${formatRatio(l.speedup)} faster` : `${formatRatio(1 / l.speedup)} slower`,
      ]);
      keys.push("latency");
    }
    for (const o of e.outputs) {
      rows.push([
        `${o.name}: cosine`,
        "1",
        o.problem ?? o.cosine.toFixed(5),
        `max error ${formatNumber(o.maxAbsError)}`,
      ]);
      keys.push(`cosine:${o.name}`);
      if (o.top1Agreement !== null) {
        rows.push([`${o.name}: top-1 agreement`, formatPercent(1), formatPercent(o.top1Agreement), ""]);
        keys.push(`top1:${o.name}`);
      }
    }
    const children: Node[] = [
      table(["measure", "original", "optimized", "change"], rows, "evaluation-table", keys),
      h("p", { class: "note", text: `On ${e.samples} ${e.inputSource} sample(s).` }),
    ];
    const worst = r.evaluation?.quantError;
    if (worst?.worst.length) {
      children.push(h("h3", { text: `Quantized nodes with the most error (SQNR, ${worst.measured} measured)` }));
      children.push(
        table(
          ["node", "op", "SQNR"],
          worst.worst
            .slice(0, 10)
            .map((n) => [n.node, n.op_type, n.sqnr_db === null ? (n.note ?? "—") : `${n.sqnr_db.toFixed(1)} dB`]),
          "worst-nodes-table",
          worst.worst.slice(0, 10).map((n) => n.node),
        ),
      );
    }
    out.push(section("Original vs optimized", "evaluation", ...children));
  }
  return out;
}

function resourceRows(r: RunReport): [string, string, number | null, boolean][] {
  return [
    ["model size", bytesOrDash(r.model?.sizeBytes), r.model?.sizeBytes ?? null, true],
    ["peak memory (RSS)", bytesOrDash(r.memory?.peakRssBytes), r.memory?.peakRssBytes ?? null, true],
    ["throughput (1 / mean)", rateOrDash(r.throughput?.fromMeanIps), r.throughput?.fromMeanIps ?? null, false],
    ["throughput (wall clock)", rateOrDash(r.throughput?.wallClockIps), r.throughput?.wallClockIps ?? null, false],
    ["session creation", msOrDash(r.session?.creationMs), r.session?.creationMs ?? null, true],
    ["run duration", msOrDash(r.durationMs), r.durationMs, true],
  ];
}

function verdictCell(v: BudgetVerdict): HTMLElement {
  const [icon, text] =
    v.pass === true ? ["pass", "pass"] : v.pass === false ? ["error", "exceeded"] : ["circle-slash", "not checked"];
  return h("span", { class: `verdict-${text.replace(" ", "-")}` }, codicon(icon), ` ${text}`);
}

function budgetTable(budgets: BudgetVerdict[]): HTMLTableElement {
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

function deltaCell(a: number | null | undefined, b: number | null | undefined, lowerIsBetter = true): HTMLElement {
  return h("span", { class: `delta ${deltaClass(a, b, lowerIsBetter)}`, text: formatDelta(a, b) });
}

function compareBody(a: RunReport, b: RunReport): HTMLElement[] {
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

/** ", Pixel 8 (Android 14, Tensor G3)" for a phone, ", linux arm64" for a board; "" for this machine. */
function deviceModel(probe: RunReport["device"]["probe"]): string {
  if (!probe) return "";
  const a = probe.android;
  if (a)
    return `, ${[a.manufacturer, a.model].filter(Boolean).join(" ") || "Android"} (Android ${a.release ?? "?"}${a.soc ? `, ${a.soc}` : ""})`;
  return `, ${probe.os} ${probe.arch}`;
}

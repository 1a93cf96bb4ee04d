// Builds the report's DOM from the state (one run, or two compared: compare-body.ts). No inline styles: classes
// styled by report.css. The sections' building blocks are report-blocks.ts's.
import { type RunReport, formatIterationRanges } from "../../common/report";
import { formatMs, formatPercent } from "../../common/units";
import type { ReportState, RunEntry } from "../protocol/report";
import { codicon, h, ui } from "../ui/toolkit";
import { renderChart } from "./chart";
import { compareBody } from "./compare-body";
import { generationSection } from "./generation";
import { msOrDash } from "./format";
import { optimizationSections } from "./optimization-sections";
import { budgetTable, resourceRows, section, stats, table } from "./report-blocks";

export interface RenderActions {
  openFile(runDir: string, path: string): void;
  compareWith(runDir: string): void;
  openModelGraph(runDir: string, path: string): void;
  /** The run's profile in the profile viewer (compared with another run's). */
  openProfile(runDir: string, compareRunDir?: string): void;
}

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

/** ", Pixel 8 (Android 14, Tensor G3)" for a phone, ", linux arm64" for a board; "" for this machine. */
function deviceModel(probe: RunReport["device"]["probe"]): string {
  if (!probe) return "";
  const a = probe.android;
  if (a)
    return `, ${[a.manufacturer, a.model].filter(Boolean).join(" ") || "Android"} (Android ${a.release ?? "?"}${a.soc ? `, ${a.soc}` : ""})`;
  return `, ${probe.os} ${probe.arch}`;
}

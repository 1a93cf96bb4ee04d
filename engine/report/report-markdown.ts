// report.md: the human summary of a run report (GitHub-flavoured Markdown: it reads well in VS Code's preview,
// on GitHub and in a terminal).
import { type RunReport, formatIterationRanges } from "../../common/report";
import { formatBytes, formatCount, formatMs, formatNumber, formatPercent, formatSeconds } from "../../common/units";
import { renderGenerationMarkdown } from "./generation-markdown";
import { renderOptimizationMarkdown } from "./optimization-report";

const statusLine: Record<RunReport["status"], string> = { ok: "✓ ok", failed: "✗ failed", aborted: "⚠ aborted" };

function esc(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function table(head: string[], rows: string[][], align?: ("l" | "r")[]): string[] {
  const sep = head.map((_, i) => (align?.[i] === "r" ? "---:" : "---"));
  return [`| ${head.join(" | ")} |`, `| ${sep.join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

export function renderReportMarkdown(report: RunReport): string {
  const out: string[] = [];
  out.push(`# ${esc(report.recipe.name)} on ${esc(report.device.name)}`, "");
  out.push(
    `**${statusLine[report.status]}** · run \`${report.runId}\` · ${report.startedAt} · ${formatSeconds(report.durationMs)} · edge ${report.engineVersion}`,
    "",
  );
  if (report.errors.length > 0) {
    for (const e of report.errors)
      out.push(`- **${e.code}**: ${esc(e.message)}${e.hint ? ` (hint: ${esc(e.hint)})` : ""}`);
    out.push("");
  }

  out.push("## Summary", "");
  const rows: string[][] = [];
  if (report.model) {
    rows.push(["model", `\`${esc(report.model.path)}\``]);
    rows.push([
      "size on disk",
      `${formatBytes(report.model.sizeBytes)} (${formatCount(report.model.sizeBytes)} bytes, ${report.model.files.length} file${report.model.files.length > 1 ? "s" : ""})`,
    ]);
    rows.push([
      "inputs",
      report.model.inputs
        .map((i) => `\`${esc(i.name)}\` ${i.dtype} [${i.shape.join(", ")}] ${i.source}`)
        .join("<br>") || "none",
    ]);
  }
  const host = report.device.host;
  const deviceName =
    report.device.name === report.device.kind
      ? report.device.name
      : `${esc(report.device.name)} (${report.device.kind})`;
  if (host)
    rows.push([
      "device",
      `${deviceName}: ${esc(host.cpuModel)}, ${host.cores} cores, ${esc(host.os)}, node ${host.nodeVersion}, onnxruntime ${host.onnxruntimeVersion}`,
    ]);
  const probe = report.device.probe;
  if (probe) {
    const android = probe.android;
    const parts = [
      android
        ? `Android ${esc(android.release ?? "?")}${android.sdk ? ` (SDK ${android.sdk})` : ""}${android.manufacturer || android.model ? `, ${esc([android.manufacturer, android.model].filter(Boolean).join(" "))}` : ""}${android.soc ? `, ${esc(android.soc)}` : ""}`
        : `${esc(probe.os)}${probe.kernel ? ` ${esc(probe.kernel)}` : ""}`,
      `${esc(probe.abi)}`,
      probe.totalMemoryBytes ? `${formatBytes(probe.totalMemoryBytes)} RAM` : undefined,
      probe.freeBytes !== undefined ? `${formatBytes(probe.freeBytes)} free in \`${esc(probe.workdir)}\`` : undefined,
    ].filter((p): p is string => p !== undefined);
    rows.push(["device probe", parts.join(", ")]);
  }
  const transfer = report.device.transfer;
  if (transfer)
    rows.push([
      "deploy",
      `${formatBytes(transfer.pushedBytes)} pushed, ${formatBytes(transfer.skippedBytes)} already on the device, ${formatBytes(transfer.pulledBytes)} pulled`,
    ]);
  if (report.session) {
    const o = report.session.options;
    const threads = `intra-op ${o.intraOpThreads || "default"}, inter-op ${o.interOpThreads || "default"}`;
    rows.push([
      "session",
      `optimization ${o.optimization}, ${o.executionMode}, ${threads}; created in ${formatMs(report.session.creationMs)}`,
    ]);
    // What a runner other than the engine's own could not do as asked (perf-test: one warm-up, its own inputs, …).
    const notes = report.session.ortOptions.notes;
    if (Array.isArray(notes) && notes.length > 0)
      rows.push(["runner notes", notes.map((n) => esc(String(n))).join("<br>")]);
  }
  if (!report.generation)
    rows.push([
      "iterations",
      `${report.run.warmupDone}/${report.run.warmupRequested} warm-up, ${report.run.iterationsDone}/${report.run.iterationsRequested} measured; inputs ${report.run.datasetSamples > 0 ? `from ${report.run.datasetSamples} dataset samples` : `synthetic (seed ${report.run.seed})`}`,
    ]);
  if (report.throughput?.fromMeanIps != null) {
    rows.push([
      "throughput",
      `${formatNumber(report.throughput.fromMeanIps)} inferences/s (1000 / mean), ${formatNumber(report.throughput.wallClockIps ?? 0)} inferences/s (wall clock)`,
    ]);
  }
  if (report.memory)
    rows.push([
      "peak memory",
      `${formatBytes(report.memory.peakRssBytes)} RSS (sampled; ${formatBytes(report.memory.rssBeforeBytes)} before the session; OS high-water mark ${formatBytes(report.memory.osMaxRssBytes)})`,
    ]);
  out.push(...table(["", ""], rows), "");

  if (report.latency) {
    const l = report.latency;
    out.push(`## Latency (${l.count} iterations)`, "");
    out.push(
      ...table(
        ["p50", "p90", "p95", "p99", "mean", "stdev", "min", "max"],
        [[l.p50Ms, l.p90Ms, l.p95Ms, l.p99Ms, l.meanMs, l.stdevMs, l.minMs, l.maxMs].map(formatMs)],
        Array(8).fill("r"),
      ),
      "",
    );
    out.push(
      "Each latency is the time around one `session.run`; percentiles interpolate linearly between closest ranks.",
      "",
    );
  }

  out.push(...renderGenerationMarkdown(report.generation));

  out.push(...renderOptimizationMarkdown(report.optimization, report.evaluation));

  if (report.budgets.length > 0) {
    out.push("## Budgets", "");
    const rows = report.budgets.map((b) => [
      b.pass === true ? "✓" : b.pass === false ? "✗" : "–",
      `\`${b.name}\``,
      `${formatNumber(b.limit)} ${b.unit}`.trim(),
      b.actual === null ? `not checked: ${esc(b.reason ?? "")}` : `${formatNumber(b.actual)} ${b.unit}`,
    ]);
    out.push(...table(["", "budget", "limit", "actual"], rows, ["l", "l", "r", "r"]), "");
    out.push(`MB are 10^6 bytes (kB 10^3, GB 10^9), as everywhere in Edge Studio.`, "");
  }

  const summary = report.profile.summary;
  if (report.profile.enabled) {
    out.push("## Profile", "");
    if (report.profile.note) out.push(`> ${report.profile.note}`, "");
    const profiled = report.profile.profiledIterations;
    if (profiled) {
      const count = profiled.reduce((n, [a, b]) => n + b - a + 1, 0);
      const rows = [
        [
          "profiled iterations",
          count > 0
            ? `${formatIterationRanges(profiled)} (${count} in ${report.profile.profiledWindows ?? profiled.length} windows)`
            : "none",
        ],
      ];
      if (report.profile.profileOverheadMs !== undefined)
        rows.push(["time added by profiling", formatMs(report.profile.profileOverheadMs)]);
      out.push(...table(["", "value"], rows, ["l", "l"]), "");
    }
    if (summary && summary.opTypes.length > 0) {
      out.push(
        `Kernel time ${formatMs(summary.kernelTimePerRunUs / 1000)} per run over ${summary.runsSummarized} measured runs, ${summary.nodeCount} nodes.`,
        "",
      );
      out.push("### Op types by time", "");
      const opRows = summary.opTypes
        .slice(0, 15)
        .map((o) => [`\`${esc(o.opType)}\``, String(o.nodes), formatMs(o.meanUsPerRun / 1000), formatPercent(o.share)]);
      out.push(...table(["op type", "nodes", "time per run", "share"], opRows, ["l", "r", "r", "r"]), "");
      out.push("### Top nodes by time", "");
      const nodeRows = summary.topNodes
        .slice(0, 10)
        .map((n) => [`\`${esc(n.node)}\``, esc(n.opType), formatMs(n.meanUs / 1000), formatPercent(n.share)]);
      out.push(...table(["node", "op type", "mean", "share"], nodeRows, ["l", "l", "r", "r"]), "");
    } else {
      out.push("No kernel events were recorded.", "");
    }
  }

  out.push("## Files", "");
  for (const a of report.artifacts) out.push(`- [${esc(a.path)}](${encodeURI(a.path)})`);
  out.push("");
  return out.join("\n");
}

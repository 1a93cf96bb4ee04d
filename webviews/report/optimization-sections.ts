// The report's Optimization and "Original vs optimized" sections (used by render.ts): what quantize and compile did
// (fusions, the execution provider's support), and the produced model next to the original (size, perplexity,
// latency, each output's agreement) with the quantized nodes that lost the most (SQNR).
import { fusionLines } from "../../common/fusion-text";
import type { RunReport } from "../../common/report";
import { formatBytes, formatMs, formatNumber, formatPercent, formatRatio } from "../../common/units";
import { h } from "../ui/toolkit";
import { section, table } from "./report-blocks";

/** What quantize and compile did, and the produced model next to the original, with the worst quantized nodes. */
export function optimizationSections(r: RunReport): HTMLElement[] {
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

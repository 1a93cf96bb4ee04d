// The report's optimization and evaluation sections: what quantize and compile did, and the produced model next
// to the original (size, perplexity, output agreement, latency), with the quantized nodes that lost the most.
// Built from the pipeline's outcomes (the sections' types are report.json's, common/optimization.ts and
// common/evaluation.ts); rendered into report.md beside the run's own sections.
import type { ReportEvaluation } from "../../common/evaluation";
import type { ReportOptimization } from "../../common/optimization";
import { formatBytes, formatMs, formatNumber, formatPercent, formatRatio, formatSeconds } from "../../common/units";
import type { QuantizeResult } from "../quantize/types";
import type { CompileOutcome } from "../compile/compile-outcome";
import { fusionLines } from "../../common/fusion-text";

export type { ReportEvaluation } from "../../common/evaluation";
export type { ReportOptimization } from "../../common/optimization";

export function optimizationSection(
  quantize?: QuantizeResult,
  compile?: CompileOutcome,
): ReportOptimization | undefined {
  if (!quantize && !compile) return undefined;
  return {
    quantize: quantize
      ? { ...quantize, skipped: quantize.skipped.length, skippedExamples: quantize.skipped.slice(0, 20) }
      : undefined,
    compile,
  };
}

/** "input x dim 0 (batch)" entries → the distinct dim names ("batch, sequence_length"). */
function symbolicNames(dims: string[]): string {
  const names = [...new Set(dims.map((d) => /\(([^)]*)\)\s*$/.exec(d)?.[1] ?? d))];
  return names.map((n) => `\`${n}\``).join(", ");
}

function esc(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function renderOptimizationMarkdown(
  optimization: ReportOptimization | undefined,
  evaluation: ReportEvaluation | undefined,
): string[] {
  const out: string[] = [];
  const q = optimization?.quantize;
  const c = optimization?.compile;
  if (q || c) {
    out.push("## Optimization", "");
    if (q) {
      const byOp = new Map<string, number>();
      for (const n of q.quantized) byOp.set(n.opType, (byOp.get(n.opType) ?? 0) + 1);
      out.push(
        `- **quantize** \`${q.method}\`: ${q.quantized.length} nodes (${[...byOp].map(([op, n]) => `${op} ${n}`).join(", ")}), ${q.weights} weights; ${formatBytes(q.sourceBytes)} → ${formatBytes(q.outputBytes)} (${formatRatio(q.outputBytes / q.sourceBytes)}) in ${formatSeconds(q.durationMs)}`,
      );
      if (q.skipped > 0)
        out.push(
          `  - left in float: ${q.skipped} nodes${q.skippedExamples.length ? `, e.g. \`${esc(q.skippedExamples[0].node)}\`: ${esc(q.skippedExamples[0].reason)}` : ""}`,
        );
      if (q.opset.to !== q.opset.from) out.push(`  - opset ${q.opset.from} → ${q.opset.to}`);
      for (const w of q.warnings) out.push(`  - ⚠ ${esc(w)}`);
    }
    if (c) {
      out.push(
        `- **compile** for \`${c.provider}\` at \`${c.optimization}\`: ${c.nodesBefore} → ${c.nodesAfter} nodes, ${formatBytes(c.sizeBytes)}${
          Object.keys(c.fixed).length
            ? `; fixed ${Object.entries(c.fixed)
                .map(([d, n]) => `${d} (${n}×)`)
                .join(", ")}`
            : ""
        }${c.symbolicDims.length ? `; still symbolic: ${symbolicNames(c.symbolicDims)}` : ""}`,
      );
      const s = c.support;
      if (s) {
        const unsupported = Object.entries(s.unsupportedOps)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 8)
          .map(([op, n]) => `${op} ×${n}`)
          .join(", ");
        out.push(
          `  - on \`${s.provider}\`: ${s.providerNodes}/${s.nodes} nodes in ${s.partitions} partitions, ${s.transitions} CPU↔provider transitions; ${formatPercent(s.cpuFlopShare)} of compute and ${formatPercent(s.cpuNodeShare)} of nodes stay on the CPU${unsupported ? ` (${unsupported})` : ""}; see partitions.json`,
        );
      }
      for (const line of fusionLines(c.fusions)) out.push(`  - ${esc(line)}`);
      for (const w of c.warnings) out.push(`  - ⚠ ${esc(w)}`);
    }
    out.push("");
  }
  if (evaluation) {
    const e = evaluation.comparison;
    out.push("## Evaluation: original vs optimized", "");
    const rows: string[][] = [
      ["size", formatBytes(e.original.sizeBytes), formatBytes(e.optimized.sizeBytes), formatRatio(e.sizeRatio)],
    ];
    if (e.perplexity) {
      const p = e.perplexity;
      rows.push([
        `perplexity (${p.windows} windows of ${p.sequenceLength})`,
        formatNumber(p.original.perplexity),
        formatNumber(p.optimized.perplexity),
        formatPercent(p.increasePct / 100, { digits: 2, signed: true }),
      ]);
    }
    if (e.latency)
      rows.push([
        `latency p50 (${e.latency.iterations} iterations)`,
        formatMs(e.latency.original.p50Ms),
        formatMs(e.latency.optimized.p50Ms),
        e.latency.speedup >= 1
          ? `${formatRatio(e.latency.speedup)} faster`
          : `${formatRatio(1 / e.latency.speedup)} slower`,
      ]);
    out.push(
      "| | original | optimized | change |",
      "| --- | ---: | ---: | ---: |",
      ...rows.map((r) => `| ${r.join(" | ")} |`),
      "",
    );
    if (e.outputs.length) {
      out.push(`Outputs on ${e.samples} ${e.inputSource} sample${e.samples === 1 ? "" : "s"}:`, "");
      out.push(
        "| output | cosine | max abs error | mean abs error | top-1 agreement |",
        "| --- | ---: | ---: | ---: | ---: |",
      );
      for (const o of e.outputs) {
        out.push(
          `| \`${esc(o.name)}\` | ${o.problem ? esc(o.problem) : o.cosine.toFixed(5)} | ${formatNumber(o.maxAbsError)} | ${formatNumber(o.meanAbsError)} | ${o.top1Agreement === null ? "–" : formatPercent(o.top1Agreement)} |`,
        );
      }
      out.push("");
    }
    const qe = evaluation.quantError;
    if (qe && qe.worst.length) {
      out.push(
        `Quantized nodes with the most error (SQNR over ${qe.samples} sample${qe.samples === 1 ? "" : "s"}; ${qe.measured} measured, all in quant-error.json):`,
        "",
      );
      out.push("| node | op | SQNR |", "| --- | --- | ---: |");
      for (const n of qe.worst.slice(0, 5))
        out.push(
          `| \`${esc(n.node)}\` | ${n.op_type} | ${n.sqnr_db === null ? (n.note ?? "–") : `${n.sqnr_db.toFixed(1)} dB`} |`,
        );
      out.push("");
    }
    for (const w of e.warnings) out.push(`- ⚠ ${esc(w)}`);
    if (e.warnings.length) out.push("");
  }
  return out;
}

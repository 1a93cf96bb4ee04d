// The evaluation as text for a terminal: original and optimized side by side (size, perplexity, latency), then how each
// output differs, then the worst quantized nodes when a per-node error was measured.
// Numbers, bytes, durations, percentages and ratios in the product's formats (common/units.ts).
import { formatBytes, formatMs, formatNumber as number, formatPercent, formatRatio } from "../../common/units";
import type { CompareResult, NodeErrorResult } from "./types";

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c])))
      .join("  ")
      .trimEnd(),
  );
}

export function formatEvaluation(result: CompareResult, nodeErrors?: NodeErrorResult, worstNodes = 10): string {
  const lines: string[] = [];
  const rows: string[][] = [
    ["", "original", "optimized", "change"],
    [
      "size",
      formatBytes(result.original.sizeBytes),
      formatBytes(result.optimized.sizeBytes),
      formatRatio(result.sizeRatio),
    ],
  ];
  const ppl = result.perplexity;
  if (ppl)
    rows.push([
      "perplexity",
      number(ppl.original.perplexity),
      number(ppl.optimized.perplexity),
      formatPercent(ppl.increasePct / 100, { digits: 2, signed: true }),
    ]);
  const lat = result.latency;
  if (lat) {
    rows.push([
      "latency p50",
      formatMs(lat.original.p50Ms),
      formatMs(lat.optimized.p50Ms),
      lat.speedup >= 1 ? `${formatRatio(lat.speedup)} faster` : `${formatRatio(1 / lat.speedup)} slower`,
    ]);
    rows.push(["latency p95", formatMs(lat.original.p95Ms), formatMs(lat.optimized.p95Ms), ""]);
  }
  lines.push(...table(rows));
  lines.push(`  original:  ${result.original.path}`, `  optimized: ${result.optimized.path}`);
  if (ppl)
    lines.push(
      `  perplexity on ${ppl.windows} window(s) of up to ${ppl.sequenceLength} tokens (${ppl.predictedTokens} predicted tokens, ${result.inputSource} data)`,
    );
  else lines.push(`  on ${result.samples} sample(s) of ${result.inputSource} inputs`);
  if (lat) lines.push(`  latency over ${lat.iterations} iteration(s) per model, local runner, first sample`);
  lines.push("");
  if (result.outputs.length > 0) {
    const outRows = [["output", "cosine", "max abs err", "mean abs err", "top-1 agree"]];
    for (const o of result.outputs) {
      if (o.problem) outRows.push([o.name, "-", "-", "-", o.problem]);
      else
        outRows.push([
          o.name,
          o.cosine.toFixed(6),
          number(o.maxAbsError),
          number(o.meanAbsError),
          o.top1Agreement === null ? "-" : formatPercent(o.top1Agreement, { digits: 2 }),
        ]);
    }
    lines.push(...table(outRows));
    const nonFinite = result.outputs.filter((o) => o.nonFinite > 0);
    for (const o of nonFinite) lines.push(`  ${o.name}: ${o.nonFinite} non-finite element(s) left out`);
  }
  if (result.missingOutputs.length > 0)
    lines.push(`  not compared (in one model only): ${result.missingOutputs.join(", ")}`);
  for (const w of result.warnings) lines.push(`  warning: ${w}`);
  if (nodeErrors && nodeErrors.nodes.length > 0) {
    lines.push("", `worst quantized nodes (SQNR over ${nodeErrors.samples} sample(s), lower is worse):`);
    const nodeRows = [["node", "op", "SQNR dB", "max abs err"]];
    for (const n of nodeErrors.nodes.slice(0, worstNodes))
      nodeRows.push([
        n.node,
        n.op_type,
        n.sqnr_db === null ? (n.note ?? "-") : n.sqnr_db.toFixed(2),
        number(n.max_abs),
      ]);
    lines.push(...table(nodeRows).map((l) => `  ${l}`));
  }
  return `${lines.join("\n")}\n`;
}

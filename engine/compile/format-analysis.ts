// The human summary of a compile: what was written, then the provider analysis (placement shares, partitions,
// transitions, why nodes stay on the CPU, and the caveats of the source table).
import { formatBytes, formatPercent as pct } from "../../common/units";
import type { SupportAnalysis } from "./analyze-support";
import { fusionLines } from "../../common/fusion-text";
import type { CompileResult } from "./compile-model";

function flopsText(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GFLOPs`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} MFLOPs`;
  return `${Math.round(n)} FLOPs`;
}

export function formatCompile(result: CompileResult): string {
  const lines = [
    `wrote ${result.path} (${formatBytes(result.sizeBytes)}${result.dataPath ? ` + ${result.dataPath}` : ""}): optimization ${result.optimization}, ${result.nodesBefore} → ${result.nodesAfter} nodes`,
  ];
  const fixed = Object.entries(result.fixed);
  if (fixed.length) lines.push(`fixed dims: ${fixed.map(([k, n]) => `${k} (${n} dims)`).join(", ")}`);
  if (result.symbolicDims.length) lines.push(`still symbolic: ${result.symbolicDims.join("; ")}`);
  lines.push(...fusionLines(result.fusions));
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  return `${lines.join("\n")}\n`;
}

export function formatAnalysis(a: SupportAnalysis, maxReasons = 12): string {
  const s = a.summary;
  const lines = [
    `${a.provider}${a.variant ? ` (${a.variant})` : ""}: ${s.providerNodes}/${s.nodes} nodes on the provider, ${s.cpuNodes} on the CPU (${pct(s.cpuNodeShare)} of nodes, ${pct(s.cpuFlopShare)} of ${flopsText(s.flops)})`,
    `partitions: ${s.partitions}${a.partitions.length ? ` [${a.partitions.map((p) => p.nodes).join(", ")}]` : ""}; CPU↔provider transitions: ${s.transitions}`,
  ];
  const ops = Object.entries(s.unsupportedOps).sort((x, y) => y[1] - x[1]);
  if (ops.length) lines.push(`ops not supported: ${ops.map(([op, n]) => `${op} ×${n}`).join(", ")}`);
  const others = a.nodes.filter((n) => n.placement === "cpu" && n.reasonKind !== "op");
  for (const n of others.slice(0, maxReasons)) lines.push(`  ${n.node} (${n.opType}): ${n.reason}`);
  if (others.length > maxReasons) lines.push(`  … ${others.length - maxReasons} more in partitions.json`);
  if (s.symbolicDims.length) lines.push(`symbolic dims: ${s.symbolicDims.join("; ")}`);
  for (const note of s.notes) lines.push(`note: ${note}`);
  const caveats = Object.entries(a.caveats);
  if (caveats.length)
    lines.push(
      `table notes (partly checked) for ${a.provider}: ${caveats.map(([op, c]) => `${op}: ${c}`).join(" | ")}`,
    );
  const doc = a.source.documents[0];
  if (doc) lines.push(`rules: ${doc.url ?? `${doc.repository}/${doc.path}`} (retrieved ${a.source.retrieved})`);
  return `${lines.join("\n")}\n`;
}

// The fusions of a compile in a few lines of text, for `edge compile`, report.md and the report webview: what was
// fused (per op), what was dropped, the check, and the patterns that did not match grouped by reason with the first
// nodes of each.
import type { ReportFusions } from "./optimization";

/** Lines without a leading marker; the caller indents or bullets them. */
export function fusionLines(f: ReportFusions | undefined): string[] {
  if (!f) return [];
  if (f.skipped) return [`fusions: none (${f.skipped})`];
  const lines: string[] = [];
  const applied = Object.entries(f.applied);
  const v = f.verification;
  const check = v
    ? v.passed
      ? `; checked against the unfused model: max relative difference ${v.maxRelativeDiff.toExponential(1)} (tolerance ${v.tolerance})${v.kind === "decoder" ? `, greedy tokens equal over ${v.decodeSteps} decode steps` : ""}`
      : `; check failed: ${v.problem ?? `max relative difference ${v.maxRelativeDiff.toExponential(1)} at ${v.worst}${v.tokensEqual ? "" : ", greedy tokens differ"}`}`
    : "";
  lines.push(
    applied.length
      ? `fusions: ${applied.map(([op, n]) => `${op} ×${n}`).join(", ")}${check}`
      : `fusions: none applied${f.unmatchedCount ? "" : " (no attention or residual LayerNormalization pattern in the model)"}${check}`,
  );
  if (f.dropped.length) lines.push(`fusions dropped (they changed results): ${f.dropped.join(", ")}`);
  const groups = new Map<string, string[]>();
  for (const m of f.unmatched) {
    const key = `${m.fusion}: ${m.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), m.node]);
  }
  for (const [key, nodes] of groups)
    lines.push(`not fused ${nodes.length}× — ${key} (${nodes.slice(0, 2).join(", ")}${nodes.length > 2 ? ", …" : ""})`);
  if (f.unmatchedCount > f.unmatched.length)
    lines.push(`… and ${f.unmatchedCount - f.unmatched.length} more patterns not fused`);
  return lines;
}

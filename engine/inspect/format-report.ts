// The human-readable form of an inspect report: a two-column table for a terminal. Bytes in the product's units
// (common/units.ts: kB = 10^3, MB = 10^6 bytes). Names come from the model, so every line is shown through `visible`
// (common/terminal-text.ts): a control character in a node or input name is printed as an escape, not acted on.
import { basename } from "node:path";
import { visible } from "../../common/terminal-text";
import { formatBytes, formatCount as count } from "../../common/units";
import type { TensorSignature } from "../onnx/signature";
import type { Totals } from "./graph-stats";
import type { InspectReport } from "./report";

function dims(sig: TensorSignature): string {
  return sig.dims ? `[${sig.dims.map((d) => visible(String(d ?? "?"))).join(", ")}]` : "[rank unknown]";
}

function signatureRows(list: TensorSignature[]): string[] {
  if (list.length === 0) return ["(none)"];
  const names = list.map((s) => visible(s.name));
  const width = Math.max(...names.map((name) => name.length));
  const dtypeWidth = Math.max(...list.map((s) => s.dtype.length));
  return list.map((s, i) => `${names[i].padEnd(width)}  ${s.dtype.padEnd(dtypeWidth)}  ${dims(s)}`);
}

function histogram(ops: Record<string, number>, limit: number): string[] {
  const sorted = Object.entries(ops).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const rows: string[] = [];
  for (let i = 0; i < Math.min(sorted.length, limit); i += 4)
    rows.push(
      sorted
        .slice(i, Math.min(i + 4, limit))
        .map(([op, n]) => `${op} ${count(n)}`)
        .join(", "),
    );
  if (sorted.length > limit) rows.push(`… and ${sorted.length - limit} more op types`);
  return rows.length ? rows : ["(none)"];
}

function totalsLine(totals: Totals): string {
  return totals.tensors === 0
    ? "none"
    : `${count(totals.elements)} in ${count(totals.tensors)} tensors (${formatBytes(totals.bytes)})${totals.unknown ? `, ${count(totals.unknown)} of them of unknown size` : ""}`;
}

/** Renders the report as aligned `label  value` lines, ending with a newline. */
export function formatReport(report: InspectReport): string {
  const rows: [string, string[]][] = [];
  const m = report.model;
  const p = report.parameters;
  const n = report.nodes;
  const mem = report.memory;
  const file = `${basename(report.file.path)} (${formatBytes(report.file.sizeBytes)}${report.file.externalDataFiles.length ? ` + ${formatBytes(report.file.externalDataBytes)} external data in ${report.file.externalDataFiles.map((f) => basename(f)).join(", ")}` : ""})`;
  rows.push([
    "model",
    [
      file,
      `ONNX IR ${m.irVersion}; opsets ${m.opsetImports.map((o) => `${o.domain || "ai.onnx"} ${o.version}`).join(", ")}`,
    ],
  ]);
  if (m.producer.name || m.producer.version)
    rows.push(["producer", [`${m.producer.name} ${m.producer.version}`.trim()]]);
  rows.push([
    "problems",
    report.problems.length === 0
      ? ["none (tensor sizes, dims, cycles, dangling inputs checked)"]
      : report.problems.map((p) => `${p.message}${p.scope && p.scope !== "main" ? ` (in ${p.scope})` : ""}`),
  ]);
  rows.push(["inputs", signatureRows(report.inputs)]);
  rows.push(["outputs", signatureRows(report.outputs)]);
  const nested = [
    n.subgraphs ? `${count(n.inSubgraphs)} in ${count(n.subgraphs)} subgraphs` : "",
    n.functions ? `${count(n.inFunctions)} in ${count(n.functions)} functions` : "",
  ].filter(Boolean);
  rows.push([
    "nodes",
    [
      `${count(n.topLevel)} top level${nested.length ? `; ${count(n.total)} in all, with ${nested.join(" and ")}` : " (no subgraphs or functions)"}`,
    ],
  ]);
  rows.push(["ops (all)", histogram(n.opsAll, 16)]);
  const byDtype = Object.entries(p.all.byDtype)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .map(
      ([dtype, t]) =>
        `${dtype} ${count(t.elements)} (${formatBytes(t.bytes)})${t.unknown ? ` + ${count(t.unknown)} of unknown size` : ""}`,
    );
  rows.push([
    "parameters",
    [
      p.all.total.unknown
        ? `unknown: ${count(p.all.total.unknown)} tensor${p.all.total.unknown === 1 ? "" : "s"} of untrusted size (see problems); the rest: ${count(p.all.total.elements)} (${formatBytes(p.all.total.bytes)})${byDtype.length ? `: ${byDtype.join(", ")}` : ""}`
        : `${count(p.all.total.elements)} (${formatBytes(p.all.total.bytes)}): ${byDtype.join(", ") || "none"}`,
      `initializers ${totalsLine(p.initializers.total)}; Constant nodes ${totalsLine(p.constants.total)}`,
      ...(p.external.tensors
        ? [`${count(p.external.tensors)} tensors (${formatBytes(p.external.bytes)}) in external data`]
        : []),
    ],
  ]);
  const shapes = Object.entries(mem.inputShapes)
    .map(([name, s]) => `${name}=${s.join(",")}`)
    .join(" ");
  const at = mem.peakAt ? `, peak at ${mem.peakAt.scope}/${mem.peakAt.node} (${mem.peakAt.opType})` : "";
  rows.push([
    "memory",
    [
      `${mem.exact ? "" : "unknown (not every size could be counted); at least "}~${formatBytes(mem.estimatedPeakBytes)} estimated peak = ${formatBytes(mem.weightsBytes)} weights + ${formatBytes(mem.peakActivationBytes)} activations${at}`,
      `for input shapes ${shapes || "(none)"}`,
      ...mem.notes.map((note) => `note: ${note}`),
    ],
  ]);
  rows.push(["fits", [report.fits.summary.replace(/^fits: /, "")]]);
  rows.push([
    "method",
    ["estimate = weights + peak live activations (liveness walk in topological order); see --json memory.method"],
  ]);

  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return (
    rows
      .flatMap(([label, lines]) => lines.map((line, i) => `${(i === 0 ? label : "").padEnd(width)}${visible(line)}`))
      .join("\n") + "\n"
  );
}

// What `edge profile` prints: the human tables (per op type, the top N nodes, per iteration, the compare) as aligned
// text, the --json document, and the note about a trace read only in part (where it stopped, what was skipped).
import type { TraceModel } from "../../common/trace/trace-model";
import type {
  CompareRow,
  IterationTable,
  KernelGroupRow,
  KernelTables,
  TraceComparison,
} from "../../common/trace/trace-tables";

export interface ProfileView {
  file: string;
  model: TraceModel;
  tables: KernelTables;
  iterations: IterationTable;
  top: number;
  skipRuns: number;
  other?: { file: string; model: TraceModel; comparison: TraceComparison };
}

/** Where the read stopped and what it skipped, in a sentence; undefined for a trace read whole and clean. */
export function readNote(model: TraceModel): string | undefined {
  const n = model.notes;
  const parts: string[] = [];
  if (n.error)
    parts.push(
      `read up to byte ${n.error.offset} (line ${n.error.line}), where it stopped: ${n.error.message}; the ${n.eventCount} events before it are shown`,
    );
  else if (n.truncated)
    parts.push(
      `the trace is cut off: it ends at byte ${n.byteLength} before it is closed; the ${n.eventCount} complete events are shown`,
    );
  if (n.skipped > 0) parts.push(`${n.skipped} events of other phases skipped (${otherPhases(n.phaseCounts)})`);
  if (n.unmatchedBegins > 0) parts.push(`${n.unmatchedBegins} B events without an E (closed at the trace's end)`);
  if (n.unmatchedEnds > 0) parts.push(`${n.unmatchedEnds} E events without a B (dropped)`);
  return parts.length > 0 ? parts.join("; ") : undefined;
}

function otherPhases(counts: Record<string, number>): string {
  const shown = new Set(["X", "B", "E", "i", "I", "n", "C", "M"]);
  return Object.entries(counts)
    .filter(([ph]) => !shown.has(ph))
    .map(([ph, c]) => `${ph}: ${c}`)
    .join(", ");
}

const us = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} ms` : `${x.toFixed(x >= 100 ? 0 : 1)} µs`);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Rows as aligned columns; the first column left-aligned, the others right-aligned. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

function groupTable(first: string, rows: KernelGroupRow[], nodeColumns: boolean): string {
  const header = [
    first,
    ...(nodeColumns ? ["op", "provider"] : ["nodes"]),
    "count",
    "total",
    "mean",
    "p50",
    "p95",
    "per run",
    "share",
  ];
  return table(
    header,
    rows.map((r) => [
      r.key,
      ...(nodeColumns ? [r.opType, r.provider ?? ""] : [String(r.nodes)]),
      String(r.count),
      us(r.totalUs),
      us(r.meanUs),
      us(r.p50Us),
      us(r.p95Us),
      us(r.perRunUs),
      pct(r.share),
    ]),
  );
}

function compareTable(first: string, rows: CompareRow[]): string {
  return table(
    [first, "before", "after", "change", "speedup"],
    rows.map((r) => [
      r.key,
      us(r.beforeUs),
      us(r.afterUs),
      `${r.deltaUs >= 0 ? "+" : "−"}${us(Math.abs(r.deltaUs))}`,
      Number.isFinite(r.speedup) ? `${r.speedup.toFixed(2)}×` : "gone",
    ]),
  );
}

export function formatProfile(v: ProfileView): string {
  const { model, tables, iterations } = v;
  const out: string[] = [];
  const runs = model.runs.length;
  out.push(
    `${v.file}: ${model.notes.eventCount} events, ${model.slices.count} slices on ${model.tracks.length} tracks, ` +
      `${runs} runs (${v.skipRuns} left out as warm-up), kernel time ${us(tables.kernelUs)}` +
      (tables.runsMeasured > 0 ? ` (${us(tables.kernelUs / tables.runsMeasured)} per run)` : "") +
      "\n",
  );
  const note = readNote(model);
  if (note) out.push(`note: ${note}\n`);
  if (tables.opTypes.length === 0) out.push("\nno onnxruntime kernels (Node events) in this trace\n");
  else {
    out.push(`\nper op type\n${groupTable("op type", tables.opTypes, false)}`);
    const shown = tables.nodes.slice(0, v.top);
    out.push(`\ntop ${shown.length} of ${tables.nodes.length} nodes\n${groupTable("node", shown, true)}`);
  }
  if (runs > 0) {
    const i = iterations;
    out.push(
      `\nper iteration (model_run): ${runs - v.skipRuns} measured, mean ${us(i.meanUs)}, p50 ${us(i.p50Us)}, ` +
        `p95 ${us(i.p95Us)}, outliers ${i.outliers} (outside ${us(Math.max(0, i.lowFenceUs))}–${us(i.highFenceUs)})\n`,
    );
    // Long traces: the outliers and warm-ups, else every run.
    const rows = runs <= 50 ? i.rows : i.rows.filter((r) => r.outlier || r.warmup);
    if (runs > 50 && rows.length < runs) out.push(`(${rows.length} of ${runs} runs shown: warm-ups and outliers)\n`);
    out.push(
      table(
        ["run", "start", "latency", "kernels", "kernel time", ""],
        rows.map((r) => [
          String(r.run),
          us(r.startUs - model.startUs),
          us(r.durationUs),
          String(r.kernels),
          us(r.kernelUs),
          r.warmup ? "warm-up" : r.outlier ? "outlier" : "",
        ]),
      ),
    );
  }
  if (v.other) {
    const c = v.other.comparison;
    out.push(
      `\ncompare with ${v.other.file}: kernel time per run ${us(c.before.kernelPerRunUs)} → ${us(c.after.kernelPerRunUs)}` +
        (c.after.kernelPerRunUs > 0 ? ` (${(c.before.kernelPerRunUs / c.after.kernelPerRunUs).toFixed(2)}×)` : "") +
        "\n",
    );
    out.push(`\nper op type (per run)\n${compareTable("op type", c.opTypes)}`);
    out.push(`\nnodes that changed most (per run)\n${compareTable("node", c.nodes.slice(0, v.top))}`);
  }
  return out.join("");
}

export function profileJson(v: ProfileView): unknown {
  const { model, tables, iterations } = v;
  return {
    file: v.file,
    events: model.notes.eventCount,
    slices: model.slices.count,
    tracks: model.tracks.map((t) => ({
      pid: t.pid,
      tid: t.tid,
      process: t.processName,
      thread: t.threadName,
      slices: t.count,
    })),
    runs: model.runs.length,
    warmupRuns: v.skipRuns,
    notes: model.notes,
    kernelUs: tables.kernelUs,
    opTypes: tables.opTypes,
    nodes: tables.nodes.slice(0, v.top),
    nodeCount: tables.nodes.length,
    iterations,
    ...(v.other ? { compare: { file: v.other.file, notes: v.other.model.notes, ...v.other.comparison } } : {}),
  };
}

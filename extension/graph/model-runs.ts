// Which runs a model belongs to, from the runs' report.json (pure: the reports come in, nothing is read here): the
// models a run started from and produced (quantize, compile), the overlays it can give (profile.json,
// partitions.json, quant-error.json), and the runs listed for a model's viewer, its own runs first.
import { isAbsolute, join, resolve } from "node:path";
import type { OverlayKind } from "../../common/graph/overlays";
import type { RunReport } from "../../common/report";
import { runModelPaths } from "../../common/run-models";
import type { RunChoice } from "../../webviews/protocol/graph";

/** A run folder and its report (absent when report.json is missing or unreadable). */
export interface ScannedRun {
  /** Absolute path of the run folder. */
  runDir: string;
  runId: string;
  report?: RunReport;
}

export interface RunModels {
  /** The model the recipe names (what quantize or compile started from, or what ran). */
  original?: string;
  /** Models the run wrote (quantize's output, compile's output), in the order they were made. */
  produced: string[];
}

/** A run's model files as absolute paths (the report's paths may be relative to the run folder). */
export function runModels(report: RunReport, runDir: string): RunModels {
  const abs = (p: string) => resolve(isAbsolute(p) ? p : join(runDir, p));
  const paths = runModelPaths(report, abs);
  return { original: paths.original, produced: paths.produced };
}

/** The overlays a run's files can give. */
export function runOverlayKinds(report: RunReport): OverlayKind[] {
  const kinds: OverlayKind[] = [];
  if (report.profile.enabled && report.profile.path) kinds.push("latency");
  if (report.artifacts.some((a) => a.kind === "partitions.json")) kinds.push("partitions");
  if (report.artifacts.some((a) => a.kind === "quant-error.json")) kinds.push("quantError");
  return kinds;
}

/** What `model` is to the run: its original, a model it produced, or neither. */
export function roleOf(model: string, models: RunModels): RunChoice["role"] {
  const m = resolve(model);
  if (models.produced.includes(m)) return "produced";
  return models.original === m ? "original" : "other";
}

/**
 * The runs to offer overlays from in `model`'s viewer: the runs that started from it or produced it (every one), then
 * other runs that wrote overlays (node names often match across a model and its quantized form); newest first in
 * each group (run ids start with their time). Runs without a readable report are left out.
 */
export function runsForModel(model: string, runs: ScannedRun[], maxOthers = 20): RunChoice[] {
  const own: RunChoice[] = [];
  const others: RunChoice[] = [];
  for (const run of runs) {
    if (!run.report) continue;
    const role = roleOf(model, runModels(run.report, run.runDir));
    const choice: RunChoice = { runDir: run.runDir, runId: run.runId, role, overlays: runOverlayKinds(run.report) };
    if (role !== "other") own.push(choice);
    else if (choice.overlays.length > 0) others.push(choice);
  }
  const newestFirst = (a: RunChoice, b: RunChoice) => b.runId.localeCompare(a.runId);
  return [...own.sort(newestFirst), ...others.sort(newestFirst).slice(0, maxOthers)];
}

/** The model to open for a run (the Runs view's "Open Model Graph"): the last one it produced, else its original. */
export function modelToOpen(models: RunModels): string | undefined {
  return models.produced.at(-1) ?? models.original;
}

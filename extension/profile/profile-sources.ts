// What a trace file is to the profile viewer (pure: reports come in, nothing is read here): the run it belongs to
// (its folder holds report.json), the model its kernels' nodes are revealed in (the run's produced model when it made
// one, else its original: common/run-models.ts through model-runs.ts), its label, and the other runs' profiles offered
// to compare it with (those of runs of the same models first, newest first in each group).
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { PROFILE_FILE } from "../../common/profile-summary";
import type { RunReport } from "../../common/report";
import type { TraceSource } from "../../webviews/protocol/profile";
import { modelToOpen, runModels, type ScannedRun } from "../graph/model-runs";

/** The trace file of a run: the report's profile path (relative to the run folder), else `<runDir>/profile.json`. */
export function runProfilePath(runDir: string, report: RunReport | undefined): string | undefined {
  if (report && !report.profile.enabled) return undefined;
  const path = report?.profile.path ?? PROFILE_FILE;
  return resolve(isAbsolute(path) ? path : join(runDir, path));
}

/** Every model file of a run (produced and original), absolute. */
export function runModelList(runDir: string, report: RunReport | undefined): string[] {
  if (!report) return [];
  const models = runModels(report, runDir);
  return [...models.produced, ...(models.original ? [models.original] : [])];
}

/**
 * The source shown for `path`. `run` is the run folder the file is in (its report, when readable); `recipeModel` the
 * model recipe.resolved.json names, for a run whose report is not written yet.
 */
export function traceSourceOf(
  path: string,
  sizeBytes: number | undefined,
  run?: { runDir: string; runId: string; report?: RunReport; recipeModel?: string },
): TraceSource {
  const source: TraceSource = { path, label: run ? run.runId : basename(path) };
  if (sizeBytes !== undefined) source.sizeBytes = sizeBytes;
  if (!run) return source;
  source.runDir = run.runDir;
  const summary = run.report?.profile.summary;
  if (summary) source.warmupRuns = Math.max(0, summary.runsInTrace - summary.runsSummarized);
  const model = run.report ? modelToOpen(runModels(run.report, run.runDir)) : undefined;
  const chosen = model ?? run.recipeModel;
  if (chosen) source.model = resolve(isAbsolute(chosen) ? chosen : join(run.runDir, chosen));
  return source;
}

/** The folder a trace file's run would be: the file's own folder. */
export function runDirCandidate(path: string): string {
  return dirname(resolve(path));
}

export interface CompareCandidate {
  path: string;
  runDir: string;
  runId: string;
  /** The run ran or produced one of the models of the trace shown. */
  sameModel: boolean;
  /** For the quick pick: recipe, device, status. */
  detail: string;
}

/**
 * The profiles to offer for comparing `current` with: every other run with a profile, the runs that share a model
 * with `currentModels` first, each group newest first (run ids start with their time).
 */
export function compareCandidates(
  current: { path: string; models: readonly string[] },
  runs: readonly ScannedRun[],
): CompareCandidate[] {
  const shown = resolve(current.path);
  const mine = new Set(current.models.map((m) => resolve(m)));
  const out: CompareCandidate[] = [];
  for (const run of runs) {
    if (!run.report?.profile.enabled || !run.report.profile.path) continue;
    const path = runProfilePath(run.runDir, run.report);
    if (!path || path === shown) continue;
    const sameModel = runModelList(run.runDir, run.report).some((m) => mine.has(m));
    const r = run.report;
    out.push({
      path,
      runDir: run.runDir,
      runId: run.runId,
      sameModel,
      detail: `${r.recipe.name} on ${r.device.name} · ${r.status}${sameModel ? " · same model" : ""}`,
    });
  }
  return out.sort((a, b) => Number(b.sameModel) - Number(a.sameModel) || b.runId.localeCompare(a.runId));
}

// Builds a RunReport from a runner's result (or from the error that stopped a run before it measured anything),
// checking the budgets on the way. Pure: writing is write-report.ts's job.
import { isAbsolute, relative } from "node:path";
import type { ReportEvaluation } from "../../common/evaluation";
import type { ReportGeneration } from "../../common/generation";
import type { ReportOptimization } from "../../common/optimization";
import { PROFILE_FILE } from "../../common/profile-summary";
import {
  type BudgetVerdict,
  REPORT_JSON_FILE,
  REPORT_MD_FILE,
  REPORT_SCHEMA_VERSION,
  type ReportArtifact,
  type RunErrorInfo,
  type RunReport,
} from "../../common/report";
import { isEdgeError } from "../errors";
import type { RunResult } from "../run/result";
import { ENGINE_VERSION } from "../version";
import { type Budgets, checkBudgets, describeVerdict } from "./budgets";

export interface ReportContext {
  runId: string;
  /** The run directory (artifact paths in the report are relative to it). */
  outDir: string;
  recipe: { name: string; path?: string };
  budgets?: Budgets;
  /** Further files of the run (a copy of the recipe, produced models), absolute or relative to outDir. */
  artifacts?: ReportArtifact[];
  optimization?: ReportOptimization;
  evaluation?: ReportEvaluation;
  /** Errors of steps after the run (evaluation) that leave the run's measurements standing. */
  extraErrors?: RunErrorInfo[];
  /** The generation section, with the original model's comparison (pipeline); default the result's own. */
  generation?: ReportGeneration;
}

const PROFILE_NOTE =
  "Profiling was on during the measured iterations: onnxruntime records every kernel, which adds overhead to the latencies. Run without profiling for the most faithful figures.";
const LIVE_PROFILE_NOTE =
  "Profiling was on for the profiled iterations only, replayed on profiled sessions of their own: the measured latencies carry no profiling overhead.";

function profileNote(incomplete: string | undefined, note: string): string {
  return incomplete ? `The profile is incomplete: ${incomplete}. ${note}` : note;
}

function rel(outDir: string, path: string): string {
  return isAbsolute(path) ? relative(outDir, path) : path;
}

function budgetError(verdicts: BudgetVerdict[]): RunErrorInfo | undefined {
  const failed = verdicts.filter((v) => v.pass === false);
  if (failed.length === 0) return undefined;
  return {
    code: "budget/failed",
    message: `budget${failed.length > 1 ? "s" : ""} exceeded: ${failed.map(describeVerdict).join("; ")}`,
    where: {},
  };
}

function reportArtifacts(context: ReportContext, profilePath?: string): ReportArtifact[] {
  const list: ReportArtifact[] = [
    { kind: REPORT_JSON_FILE, path: REPORT_JSON_FILE },
    { kind: REPORT_MD_FILE, path: REPORT_MD_FILE },
  ];
  if (profilePath) list.push({ kind: PROFILE_FILE, path: rel(context.outDir, profilePath) });
  for (const a of context.artifacts ?? []) list.push({ kind: a.kind, path: rel(context.outDir, a.path) });
  return list;
}

/** The report of a run that returned a result (status ok, aborted or failed). */
export function buildRunReport(result: RunResult, context: ReportContext): RunReport {
  const budgets = checkBudgets(
    context.budgets,
    result,
    context.evaluation && { comparison: context.evaluation.comparison, metrics: context.evaluation.metrics },
  );
  const errors: RunErrorInfo[] = result.error ? [result.error] : [];
  errors.push(...(context.extraErrors ?? []));
  const overBudget = budgetError(budgets);
  if (overBudget) errors.push(overBudget);
  const status = result.status === "ok" && (overBudget || context.extraErrors?.length) ? "failed" : result.status;
  const profile = result.profile;
  const generation = context.generation ?? result.generation;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    engineVersion: ENGINE_VERSION,
    runId: context.runId,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    durationMs: result.durationMs,
    status,
    errors,
    recipe: context.recipe,
    device: result.device,
    model: result.model,
    session: result.session,
    run: {
      warmupRequested: result.warmup.requested,
      warmupDone: result.warmup.done,
      iterationsRequested: result.iterations.requested,
      iterationsDone: result.iterations.done,
      seed: result.seed,
      datasetSamples: result.datasetSamples,
    },
    latency: result.stats,
    latenciesMs: result.latenciesMs,
    warmupLatenciesMs: result.warmup.latenciesMs,
    throughput: result.throughput,
    memory: result.memory,
    profile: profile.enabled
      ? {
          enabled: true,
          path: profile.path ? rel(context.outDir, profile.path) : undefined,
          note: profileNote(profile.incomplete, profile.iterations ? LIVE_PROFILE_NOTE : PROFILE_NOTE),
          incomplete: profile.incomplete,
          summary: profile.summary,
          profiledIterations: profile.iterations,
          profiledWindows: profile.windows,
          profileOverheadMs: profile.overheadMs,
        }
      : { enabled: false },
    budgets,
    artifacts: reportArtifacts(context, profile.path),
    optimization: context.optimization,
    evaluation: context.evaluation,
    ...(generation ? { generation } : {}),
  };
}

/** The report of a run stopped by an error before it measured anything (model missing, bad inputs, …). */
export function buildFailedReport(
  error: unknown,
  context: ReportContext & { device: { name: string; kind: "local" | "ssh" | "adb" }; startedAt: Date },
): RunReport {
  const info: RunErrorInfo = isEdgeError(error)
    ? error.toJSON()
    : { code: "internal/bug", message: (error as Error)?.message ?? String(error), where: {} };
  const endedAt = new Date();
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    engineVersion: ENGINE_VERSION,
    runId: context.runId,
    startedAt: context.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - context.startedAt.getTime(),
    status: "failed",
    errors: [info],
    recipe: context.recipe,
    device: context.device,
    model: null,
    session: null,
    run: { warmupRequested: 0, warmupDone: 0, iterationsRequested: 0, iterationsDone: 0, seed: 0, datasetSamples: 0 },
    latency: null,
    latenciesMs: [],
    warmupLatenciesMs: [],
    throughput: null,
    memory: null,
    profile: { enabled: false },
    budgets: Object.entries(context.budgets ?? {}).map(([name, limit]) => ({
      name,
      limit,
      actual: null,
      unit: "",
      pass: null,
      reason: "the run failed",
    })),
    artifacts: reportArtifacts(context),
    optimization: context.optimization,
  };
}

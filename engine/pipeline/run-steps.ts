// The steps of a recipe's run in order, once its run folder exists: quantize and compile (optimize.ts), the
// dataset, the local run, then evaluation (evaluate-step.ts); and the report they add up to. A step that fails
// makes a failed report keeping what the earlier steps made; an evaluation that fails is reported beside the run's
// measurements, which stand. A stop (the context's signal) at any step makes an "aborted" report of what was done,
// whatever the step in progress threw when it stopped: nothing runs after it, and the measurements stand. Also the
// exit code a report stands for.
import { readDataset } from "../data/dataset";
import { EdgeError, exitCodeFor, exitCodes, isEdgeError } from "../errors";
import { type ReportContext, buildFailedReport, buildRunReport } from "../report/build-report";
import { optimizationSection } from "../report/optimization-report";
import type { ReportArtifact, RunReport } from "../report/report-types";
import type { RunPlan } from "../run/plan";
import type { RunErrorInfo, RunResult } from "../run/result";
import { runLocal } from "../run/run-local";
import type { Sample } from "../data/typed-tensor";
import { abortedReport } from "./aborted-report";
import type { RecipeRunContext } from "./context";
import { evaluateForRecipe, type EvaluateOutcome } from "./evaluate-step";
import { datasetPrompts, generationSection } from "./generate-step";
import { optimizeForRecipe, type OptimizeOutcome } from "./optimize";

export interface RunStepsOptions {
  /** What the report says of the run besides the steps' results (id, folder, recipe, budgets, the recipe's copy). */
  report: ReportContext;
  /** The device, for a report of a run that failed before it measured anything. */
  device: { name: string; kind: "local" | "ssh" | "adb" };
  /** The error of a device this engine cannot run on: the run stops with it after the optimization steps. */
  deviceError?: EdgeError;
  /** Filled as each optimization step finishes (the caller may read it while the steps run); default a new one. */
  optimized?: OptimizeOutcome;
  /** When the run started (default now). */
  startedAt?: Date;
  /** Runs the plan: on this machine (the default, `runLocal`) or on a device through its transport. */
  runOn?: (plan: RunPlan, sink: RecipeRunContext["sink"], signal?: AbortSignal) => Promise<RunResult>;
}

/** Runs the steps on `plan` (its model becomes the optimized one) and returns the report; writes no report. */
export async function runSteps(context: RecipeRunContext, plan: RunPlan, options: RunStepsOptions): Promise<RunReport> {
  const { recipe, sink, signal } = context;
  const base = options.report;
  const startedAt = options.startedAt ?? new Date();
  const optimized: OptimizeOutcome = options.optimized ?? { model: context.paths.model };
  const stopped = () => signal?.aborted === true;
  const aborted = () => {
    sink.emit({ type: "log", level: "warning", message: "run stopped before it measured anything" });
    return abortedReport({
      ...base,
      artifacts: [...(base.artifacts ?? []), ...stepArtifacts(optimized)],
      optimization: optimizationSection(optimized.quantize, optimized.compile),
      device: options.device,
      startedAt,
    });
  };
  try {
    if (stopped()) return aborted();
    await optimizeForRecipe(context, optimized);
    if (stopped()) return aborted();
    plan.modelPath = optimized.model;
    if (options.deviceError) throw options.deviceError;
    const generateData = recipe.run?.generate?.data;
    if (plan.generate && generateData)
      plan.generate.prompts = await datasetPrompts(context, generateData, plan.generate.promptTokens);
    else if (recipe.run?.data) plan.samples = await runSamples(context, recipe.run.data);
    if (stopped()) return aborted();
    const runOn = options.runOn ?? runLocal;
    const result = await runOn(plan, sink, signal);
    // The original model generates too when the model was optimized (the comparison of tokens and speed).
    const generation = await generationSection(context, plan, result, runOn);
    let evaluation: EvaluateOutcome | undefined;
    const extraErrors: RunErrorInfo[] = [];
    if (recipe.evaluate && result.status === "ok" && !stopped()) {
      try {
        evaluation = await evaluateForRecipe(context, optimized);
      } catch (e) {
        // Stopped during the evaluation: no evaluation, the run's measurements stand.
        if (!stopped()) {
          if (!isEdgeError(e)) throw e;
          sink.emit({ type: "error", code: e.code, message: e.message, where: e.where, hint: e.hint });
          extraErrors.push(e.toJSON());
        }
      }
    }
    // A stop that came after the runner's last check still ends the run as stopped.
    const status = result.status === "ok" && stopped() ? "aborted" : result.status;
    if (status === "aborted" && result.status === "ok")
      sink.emit({
        type: "log",
        level: "warning",
        message: `run stopped after ${result.latenciesMs.length} measured iterations${recipe.evaluate ? (evaluation ? "" : ", before its evaluation ended") : ""}`,
      });
    return buildRunReport(
      { ...result, status },
      {
        ...base,
        artifacts: [...(base.artifacts ?? []), ...stepArtifacts(optimized, evaluation)],
        optimization: optimizationSection(optimized.quantize, optimized.compile),
        evaluation,
        extraErrors,
        generation,
      },
    );
  } catch (e) {
    // Whatever a step threw as it stopped (quantize says it "stopped before it finished"): a stop, not a failure.
    if (stopped()) return aborted();
    if (!isEdgeError(e)) throw e;
    sink.emit({ type: "error", code: e.code, message: e.message, where: e.where, hint: e.hint });
    return buildFailedReport(e, {
      ...base,
      artifacts: [...(base.artifacts ?? []), ...stepArtifacts(optimized)],
      optimization: optimizationSection(optimized.quantize, optimized.compile),
      device: options.device,
      startedAt,
    });
  }
}

/** The samples of the dataset `run.data` names. */
async function runSamples(context: RecipeRunContext, name: string): Promise<Sample[]> {
  const dataset = context.recipe.data?.[name];
  const where = context.paths.datasets[name];
  if (!dataset || !where)
    throw new EdgeError("recipe/invalid", `run.data names an unknown dataset "${name}"`, {
      where: { file: context.file },
    });
  return readDataset(where.path, {
    format: dataset.format,
    inputs: dataset.inputs,
    tokenizer: where.tokenizer,
    sequenceLength: dataset.sequence_length,
  });
}

/** The files the optimization and evaluation steps wrote, for the report's list. */
function stepArtifacts(optimized: OptimizeOutcome, evaluation?: EvaluateOutcome): ReportArtifact[] {
  const list: ReportArtifact[] = [];
  if (optimized.quantize) list.push({ kind: "model", path: optimized.quantize.output });
  if (optimized.compile) list.push({ kind: "model", path: optimized.compile.path });
  if (optimized.compile?.support)
    list.push({ kind: "partitions.json", path: optimized.compile.support.partitionsPath });
  if (evaluation) list.push({ kind: "evaluation.json", path: evaluation.path });
  if (evaluation?.quantError) list.push({ kind: "quant-error.json", path: evaluation.quantError.path });
  return list;
}

/** The exit code of a report: 0 ok, 130 aborted, else the first error's area (a budget failure is 1, …). */
export function exitCodeForReport(report: Pick<RunReport, "status" | "errors">): number {
  if (report.status === "ok") return exitCodes.ok;
  if (report.status === "aborted") return exitCodes.aborted;
  const first = report.errors.find((e) => !e.code.startsWith("budget/")) ?? report.errors[0];
  if (!first) return exitCodes.failed;
  return exitCodeFor(new EdgeError(first.code as never, ""));
}

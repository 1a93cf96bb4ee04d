// `edge run RECIPE [--device NAME] [--out DIR] [--events jsonl]`: load and check the recipe, run it on its device,
// profile, write the report and check the budgets. Ctrl-C (SIGINT/SIGTERM) stops after the current iteration and
// still writes the partial report.
import { promises as fs } from "node:fs";
import { basename, join, resolve } from "node:path";
import { EdgeError, exitCodeFor, exitCodes, isEdgeError } from "../errors";
import { createEventSink, type EngineEvent, type EventSink } from "../events";
import { writeFileAtomic } from "../fs/atomic";
import { evaluateForRecipe, type EvaluateOutcome } from "../pipeline/evaluate-step";
import { optimizeForRecipe, type OptimizeOutcome } from "../pipeline/optimize";
import { chooseDevice, planFromRecipe } from "../pipeline/plan-from-recipe";
import { optimizationSection } from "../report/optimization-report";
import type { RunErrorInfo } from "../run/result";
import type { ReportArtifact } from "../report/report-types";
import type { RunPlan } from "../run/plan";
import { formatProblem, loadRecipe, requireValidRecipe } from "../recipe";
import { readDataset } from "../data/dataset";
import { buildFailedReport, buildRunReport } from "../report/build-report";
import { createRunDir } from "../report/run-dir";
import { emitBudgetVerdicts, writeReport } from "../report/write-report";
import { runLocal } from "../run/run-local";
import { parseArgs } from "./args";
import { humanEventWriter } from "./human-events";
import type { CliIO } from "./io";

/** Exit code of a run stopped by the user (128 + SIGINT), as shells report it. */
const EXIT_ABORTED = 130;

export async function runCommand(argv: string[], io: CliIO, signal?: AbortSignal): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { device: "string", out: "string", events: "string", runs: "string" }, "run");
  if (positionals.length !== 1) throw new EdgeError("cli/usage", "edge run takes exactly one recipe", {}, "usage: edge run RECIPE [--device NAME] [--out DIR] [--events jsonl]");
  const events = flags.events as string | undefined;
  if (events !== undefined && events !== "jsonl") throw new EdgeError("cli/usage", `edge run: --events takes "jsonl", not "${events}"`);

  const human = humanEventWriter(io.stderr);
  // Human text always goes to stderr; with --events jsonl the events themselves go to stdout as well.
  const write = (event: EngineEvent) => {
    if (events === "jsonl") io.stdout(`${JSON.stringify(event)}\n`);
    human(event);
  };
  const startMs = performance.now();
  const sink = createEventSink(write, startMs);
  const file = positionals[0];
  try {
    return await runRecipe(file, flags, io, sink, signal);
  } catch (e) {
    // Errors before a run directory exists: the dispatcher prints them for humans; machines get them as events
    // too, so the extension can place them on the recipe's line.
    if (events === "jsonl") {
      const machine = createEventSink((event) => io.stdout(`${JSON.stringify(event)}\n`), startMs);
      if (isEdgeError(e)) machine.emit({ type: "error", code: e.code, message: e.message, where: e.where, hint: e.hint });
      machine.emit({ type: "run/end", ok: false, exitCode: exitCodeFor(e) });
    }
    throw e;
  }
}

async function runRecipe(file: string, flags: Record<string, unknown>, io: CliIO, sink: EventSink, outerSignal?: AbortSignal): Promise<number> {
  const loaded = await loadRecipe(file, { cwd: io.cwd });
  const { recipe, paths, problems } = requireValidRecipe(loaded);
  for (const p of problems) if (p.severity === "warning") sink.emit({ type: "log", level: "warning", message: formatProblem(p) });
  const device = chooseDevice(recipe, flags.device as string | undefined, file);

  const runDir = flags.out
    ? { runId: basename(resolve(io.cwd, flags.out as string)), dir: resolve(io.cwd, flags.out as string) }
    : await createRunDir(resolve(io.cwd, (flags.runs as string | undefined) ?? join(".edge", "runs")), recipe.name, device.name);
  await fs.mkdir(runDir.dir, { recursive: true });
  // A device this engine cannot run on yet (ssh, adb, a provider this machine lacks) still gets the recipe's quantize
  // and compile steps (with the provider's support analysis); the run then stops with that error.
  let deviceError: EdgeError | undefined;
  let plan: RunPlan;
  try {
    plan = planFromRecipe(recipe, paths, device, runDir.dir, file);
  } catch (e) {
    if (!isEdgeError(e) || e.code !== "device/unsupported" || (!recipe.quantize && !recipe.compile)) throw e;
    deviceError = e;
    const cpuRecipe = { ...recipe, compile: recipe.compile && { ...recipe.compile, provider: "cpu" as const } };
    plan = planFromRecipe(cpuRecipe, paths, { name: device.name, device: { local: {} }, kind: "local" }, runDir.dir, file);
  }
  sink.emit({ type: "run/start", runId: runDir.runId, recipe: file, device: device.name, outDir: runDir.dir });

  // The resolved recipe goes with the run, so a report can always be traced to exactly what ran.
  const recipeCopy = join(runDir.dir, "recipe.resolved.json");
  await writeFileAtomic(recipeCopy, `${JSON.stringify({ source: loaded.absolutePath, device: device.name, recipe, paths }, null, 2)}\n`);
  sink.emit({ type: "artifact", kind: "recipe", path: recipeCopy });

  const context = {
    runId: runDir.runId,
    outDir: runDir.dir,
    recipe: { name: recipe.name, path: loaded.absolutePath },
    budgets: recipe.budgets as Record<string, number> | undefined,
    artifacts: [{ kind: "recipe" as const, path: recipeCopy }],
  };

  const startedAt = new Date();
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  outerSignal?.addEventListener("abort", stop, { once: true });
  const timeoutS = recipe.run?.timeout_s;
  const timer = timeoutS ? setTimeout(stop, timeoutS * 1000) : undefined;
  const optimized: OptimizeOutcome = { model: paths.model };
  const provider = device.device.provider ?? recipe.compile?.provider ?? "cpu";
  try {
    let report;
    try {
      await optimizeForRecipe(recipe, paths, provider, runDir.dir, sink, file, optimized, { signal: controller.signal, inputs: plan.inputs });
      plan.modelPath = optimized.model;
      if (deviceError) throw deviceError;
      if (recipe.run?.data) {
        const dataset = recipe.data?.[recipe.run.data];
        const datasetPath = paths.datasets[recipe.run.data]?.path;
        if (!dataset || !datasetPath) throw new EdgeError("recipe/invalid", `run.data names an unknown dataset "${recipe.run.data}"`, { file });
        plan.samples = await readDataset(datasetPath, { format: dataset.format, inputs: dataset.inputs, tokenizer: paths.datasets[recipe.run.data]?.tokenizer, sequenceLength: dataset.sequence_length });
      }
      const result = await runLocal(plan, sink, controller.signal);
      // Evaluation follows a completed run; its failure is reported beside the run's measurements, which stand.
      let evaluation: EvaluateOutcome | undefined;
      const extraErrors: RunErrorInfo[] = [];
      if (recipe.evaluate && result.status === "ok") {
        try {
          evaluation = await evaluateForRecipe(recipe, paths, optimized, plan.inputs ?? {}, runDir.dir, sink, file);
        } catch (e) {
          if (!isEdgeError(e)) throw e;
          sink.emit({ type: "error", code: e.code, message: e.message, where: e.where, hint: e.hint });
          extraErrors.push(e.toJSON());
        }
      }
      report = buildRunReport(result, { ...context, artifacts: [...context.artifacts, ...stepArtifacts(optimized, evaluation)], optimization: optimizationSection(optimized.quantize, optimized.compile), evaluation, extraErrors });
    } catch (e) {
      if (!isEdgeError(e)) throw e;
      sink.emit({ type: "error", code: e.code, message: e.message, where: e.where, hint: e.hint });
      report = buildFailedReport(e, { ...context, artifacts: [...context.artifacts, ...stepArtifacts(optimized)], optimization: optimizationSection(optimized.quantize, optimized.compile), device: { name: device.name, kind: device.kind }, startedAt });
    }
    emitBudgetVerdicts(sink, report.budgets);
    const written = await writeReport(runDir.dir, report, sink);
    const exitCode = report.status === "ok" ? exitCodes.ok : report.status === "aborted" ? EXIT_ABORTED : failedExitCode(report.errors);
    sink.emit({ type: "run/end", ok: report.status === "ok", exitCode, reportPath: written.jsonPath });
    return exitCode;
  } finally {
    clearTimeout(timer);
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

/** The files the optimization and evaluation steps wrote, for the report's list. */
function stepArtifacts(optimized: OptimizeOutcome, evaluation?: EvaluateOutcome): ReportArtifact[] {
  const list: ReportArtifact[] = [];
  if (optimized.quantize) list.push({ kind: "model", path: optimized.quantize.output });
  if (optimized.compile) list.push({ kind: "model", path: optimized.compile.path });
  if (optimized.compile?.support) list.push({ kind: "partitions.json", path: optimized.compile.support.partitionsPath });
  if (evaluation) list.push({ kind: "evaluation.json", path: evaluation.path });
  if (evaluation?.quantError) list.push({ kind: "quant-error.json", path: evaluation.quantError.path });
  return list;
}

/** A failed run's exit code: the first error's area (a budget failure is 1, an onnxruntime failure 5, …). */
function failedExitCode(errors: { code: string }[]): number {
  const first = errors.find((e) => !e.code.startsWith("budget/")) ?? errors[0];
  if (!first) return exitCodes.failed;
  return exitCodeFor(new EdgeError(first.code as never, ""));
}

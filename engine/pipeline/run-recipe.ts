// A recipe's whole run as one library call, what `edge run` does: load and check the recipe, choose the device,
// make the run folder, then the steps in order (quantize → compile → run → evaluate, see run-steps.ts), write the
// report, check the budgets and say the exit code. Events go to the caller's sink; the caller's AbortSignal (and the
// recipe's `run.timeout_s`) stop the run after the current iteration, and the partial report is still written.
//
// Errors: problems found before the run starts (a missing or invalid recipe, an unknown device, a device this
// engine cannot run on, a run folder it cannot make) are thrown as EdgeError, and no `run/end` event is emitted.
// Once the run has started, a failed step ends in a failed report and a non-zero exit code instead.
import { promises as fs } from "node:fs";
import { basename, join, resolve } from "node:path";
import { type EventSink, nullSink } from "../events";
import { writeFileAtomic } from "../fs/atomic";
import { type LoadedRecipe, formatProblem, loadRecipe, requireValidRecipe } from "../recipe";
import type { RunReport } from "../report/report-types";
import { createRunDir, type RunDir } from "../report/run-dir";
import { emitBudgetVerdicts, writeReport } from "../report/write-report";
import type { RecipeRunContext } from "./context";
import { chooseDevice, planWithFallback } from "./plan-from-recipe";
import { refuseRunFolderOverSources } from "./protect-run-folder";
import { exitCodeForReport, runSteps } from "./run-steps";

export interface RunRecipeOptions {
  /** Folder the recipe file, `outDir` and `runsDir` are relative to; default the process's. */
  cwd?: string;
  /** The device to run on instead of the recipe's `run.device` (`--device`). */
  device?: string;
  /** The run folder itself, made when missing (`--out`); default a new folder under `runsDir`. */
  outDir?: string;
  /** Where new run folders go (`--runs`); default `.edge/runs`. */
  runsDir?: string;
  /** Stops the run after the current iteration; the partial report is still written (status "aborted", exit 130). */
  signal?: AbortSignal;
  /** Receives the run's events; default nowhere. */
  sink?: EventSink;
}

export interface RunRecipeResult {
  report: RunReport;
  /** What `edge run` exits with: 0 ok, 1 a budget failed, 130 aborted, else the first error's area. */
  exitCode: number;
  /** report.json in the run folder (report.md is beside it). */
  reportPath: string;
  runId: string;
  /** The run folder. */
  runDir: string;
}

/** Runs a recipe: a file (loaded and checked here) or one already loaded with `loadRecipe`. */
export async function runRecipe(
  source: string | LoadedRecipe,
  options: RunRecipeOptions = {},
): Promise<RunRecipeResult> {
  const cwd = options.cwd ?? process.cwd();
  const sink = options.sink ?? nullSink;
  const loaded = typeof source === "string" ? await loadRecipe(source, { cwd }) : source;
  const file = loaded.file;
  const { recipe, paths, problems } = requireValidRecipe(loaded);
  for (const p of problems)
    if (p.severity === "warning") sink.emit({ type: "log", level: "warning", message: formatProblem(p) });
  const device = chooseDevice(recipe, options.device, file);

  const runDir = await makeRunDir(cwd, options, recipe.name, device.name);
  await refuseRunFolderOverSources(runDir.dir, { recipe, paths, recipeFile: loaded.absolutePath });
  const { plan, deviceError } = planWithFallback(recipe, paths, device, runDir.dir, file);
  sink.emit({ type: "run/start", runId: runDir.runId, recipe: file, device: device.name, outDir: runDir.dir });

  // The resolved recipe goes with the run, so a report can always be traced to exactly what ran.
  const recipeCopy = join(runDir.dir, "recipe.resolved.json");
  await writeFileAtomic(
    recipeCopy,
    `${JSON.stringify({ source: loaded.absolutePath, device: device.name, recipe, paths }, null, 2)}\n`,
  );
  sink.emit({ type: "artifact", kind: "recipe", path: recipeCopy });

  const stop = stopSignal(options.signal, recipe.run?.timeout_s);
  try {
    const context: RecipeRunContext = {
      recipe,
      paths,
      file,
      outDir: runDir.dir,
      sink,
      signal: stop.signal,
      inputs: plan.inputs ?? {},
      provider: device.device.provider ?? recipe.compile?.provider ?? "cpu",
    };
    const report = await runSteps(context, plan, {
      report: {
        runId: runDir.runId,
        outDir: runDir.dir,
        recipe: { name: recipe.name, path: loaded.absolutePath },
        budgets: recipe.budgets as Record<string, number> | undefined,
        artifacts: [{ kind: "recipe", path: recipeCopy }],
      },
      device: { name: device.name, kind: device.kind },
      deviceError,
    });
    emitBudgetVerdicts(sink, report.budgets);
    const written = await writeReport(runDir.dir, report, sink);
    const exitCode = exitCodeForReport(report);
    sink.emit({ type: "run/end", ok: report.status === "ok", exitCode, reportPath: written.jsonPath });
    return { report, exitCode, reportPath: written.jsonPath, runId: runDir.runId, runDir: runDir.dir };
  } finally {
    stop.dispose();
  }
}

/** `outDir` as given (its last part is the run id), else a new timestamped folder under `runsDir`. */
async function makeRunDir(
  cwd: string,
  options: RunRecipeOptions,
  recipeName: string,
  deviceName: string,
): Promise<RunDir> {
  let runDir: RunDir;
  if (options.outDir) {
    const dir = resolve(cwd, options.outDir);
    runDir = { runId: basename(dir), dir };
  } else {
    runDir = await createRunDir(resolve(cwd, options.runsDir ?? join(".edge", "runs")), recipeName, deviceName);
  }
  await fs.mkdir(runDir.dir, { recursive: true });
  return runDir;
}

/** The caller's signal combined with the recipe's `run.timeout_s`; `dispose` clears the timer. */
function stopSignal(
  outer: AbortSignal | undefined,
  timeoutS: number | undefined,
): { signal: AbortSignal; dispose(): void } {
  const timeout = new AbortController();
  const timer = timeoutS ? setTimeout(() => timeout.abort(), timeoutS * 1000) : undefined;
  return {
    signal: outer ? AbortSignal.any([outer, timeout.signal]) : timeout.signal,
    dispose: () => clearTimeout(timer),
  };
}

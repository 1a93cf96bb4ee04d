// A recipe's whole run as one library call, what `edge run` does: load and check the recipe, choose the device and
// plan the run, then make (or reuse) the run folder and lock it for the run (report/run-dir.ts: `run/busy` when
// another run holds it; a reused folder loses its previous run's files; dead runs' leftovers are swept), then the
// steps in order (quantize → compile → run → evaluate, see run-steps.ts), write the report, check the budgets and
// say the exit code. Events go to the caller's sink; the caller's AbortSignal (and the recipe's `run.timeout_s`) stop
// the run after the current unit of work (an iteration, a sample, a stage of the profile's collection; a quantize or
// compile step as soon as it can), and the partial report is still written.
// The caller's `stopNow` signal abandons the run at once: the partial report of what is known is written
// synchronously, the run's temporary files are removed, `run/end` is emitted and the call returns; the step in
// progress is left to the process's exit (a CLI exits right after).
//
// Errors: problems found before the run starts (a missing or invalid recipe, an unknown device, a device this
// engine cannot run on, a run folder it cannot make or that another run holds) are thrown as EdgeError, no `run/end`
// event is emitted, and no run folder is made.
// Once the run has started, a failed step ends in a failed report and a non-zero exit code instead.
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import { RECIPE_RESOLVED_FILE, REPORT_JSON_FILE } from "../../common/report";
import { EdgeError } from "../errors";
import { exportedRecipe } from "./export-step";
import {
  type DeviceTools,
  type PerfTestRunOptions,
  openDevice,
  prepareRunnerBundle,
  runOnDevice,
  runPerfTestOnDevice,
} from "../devices";
import { type EventSink, nullSink } from "../events";
import { writeFileAtomic } from "../fs/atomic";
import { removeTempPathsSync } from "../fs/temp-paths";
import { writeError } from "../fs/write-errors";
import { type LoadedRecipe, type RecipePaths, formatProblem, loadRecipe, requireValidRecipe } from "../recipe";
import type { ReportContext } from "../report/build-report";
import { optimizationSection } from "../report/optimization-report";
import type { RunReport } from "../report/report-types";
import { type OpenRunDir, openRunDir } from "../report/run-dir";
import { emitBudgetVerdicts, writeReport, writeReportSync } from "../report/write-report";
import type { RunPlan } from "../run/plan";
import { abortedReport } from "./aborted-report";
import type { RecipeRunContext } from "./context";
import type { OptimizeOutcome } from "./optimize";
import { type DeviceChoice, chooseDevice, planWithFallback } from "./plan-from-recipe";
import { refuseRunFolderOverSources } from "./protect-run-folder";
import { RunProgress, recordingSink } from "./run-progress";
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
  /** Stops the run after the current unit of work; the partial report is still written (status "aborted", exit 130). */
  signal?: AbortSignal;
  /**
   * Abandons the run at once (a second Ctrl-C): when it fires, the partial report of what is known is written
   * synchronously (status "aborted", exit 130), the run's temporary files are removed, `run/end` is emitted and
   * the call resolves; later events of the step in progress are dropped. Before the run folder exists it only stops.
   */
  stopNow?: AbortSignal;
  /** Receives the run's events; default nowhere. */
  sink?: EventSink;
  /** The programs that reach ssh and adb devices (the editor's settings); default from the environment and PATH. */
  tools?: DeviceTools;
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
  const outer = options.sink ?? nullSink;
  const loaded = await exportedRecipe(
    typeof source === "string" ? await loadRecipe(source, { cwd }) : source,
    cwd,
    outer,
    options.signal,
  );
  const file = loaded.file;
  const { recipe, paths, problems } = requireValidRecipe(loaded);
  for (const p of problems)
    if (p.severity === "warning") outer.emit({ type: "log", level: "warning", message: formatProblem(p) });
  const device = chooseDevice(recipe, options.device, file);

  // The plan first: a device or plan that fails leaves no run folder behind. Its folder is set once made.
  const planned = planWithFallback(recipe, paths, device, "", file);
  // Before the folder is locked and a previous run's files in it are cleared: none of what the run writes or clears
  // may be a file it reads (a new timestamped folder holds nothing yet).
  if (options.outDir)
    await refuseRunFolderOverSources(resolve(cwd, options.outDir), { recipe, paths, recipeFile: loaded.absolutePath });
  // A device reached over ssh or adb, or any device with `runner: perf-test`: its transport (adb: the phone must be
  // attached now; ssh connects on first use).
  const perfTest =
    device.device.runner === "perf-test" ? perfTestBinary(device, paths, options.tools, file) : undefined;
  const opened =
    (device.kind !== "local" || perfTest) && !planned.deviceError
      ? await openDevice(device.name, device.device, loaded.absolutePath, options.tools)
      : undefined;
  let runDir: OpenRunDir;
  try {
    runDir = await makeRunDir(cwd, options, recipe.name, device.name, file);
  } catch (e) {
    await opened?.transport.close();
    throw e;
  }
  const plan: RunPlan = { ...planned.plan, outDir: runDir.dir };
  const deviceError = planned.deviceError;
  const startedAt = new Date();
  const progress = new RunProgress();
  let abandoned: RunRecipeResult | undefined;
  // Once the run is abandoned, the step still in progress says nothing more.
  const sink = recordingSink(outer, progress, () => abandoned !== undefined);
  sink.emit({ type: "run/start", runId: runDir.runId, recipe: file, device: device.name, outDir: runDir.dir });
  if (runDir.cleared.length > 0)
    sink.emit({
      type: "log",
      level: "info",
      message: `${runDir.dir} held a previous run: removed its ${runDir.cleared.map((p) => basename(p)).join(", ")}`,
    });

  const stop = stopSignal([options.signal, options.stopNow], recipe.run?.timeout_s);
  const optimized: OptimizeOutcome = { model: paths.model };
  const base: ReportContext = {
    runId: runDir.runId,
    outDir: runDir.dir,
    recipe: { name: recipe.name, path: loaded.absolutePath },
    budgets: recipe.budgets as Record<string, number> | undefined,
    artifacts: [],
  };
  let ended = false;
  let onAbandoned: (result: RunRecipeResult) => void = () => {};
  const abandonedRun = new Promise<RunRecipeResult>((done) => (onAbandoned = done));
  const abandon = () => {
    if (ended || abandoned) return;
    abandoned = abandonNow(
      outer,
      progress,
      {
        ...base,
        optimization: optimizationSection(optimized.quantize, optimized.compile),
        device: { name: device.name, kind: device.kind },
        startedAt,
      },
      plan,
    );
    onAbandoned(abandoned);
  };
  options.stopNow?.addEventListener("abort", abandon);

  const work = async (): Promise<RunRecipeResult> => {
    // The resolved recipe goes with the run, so a report can always be traced to exactly what ran.
    const recipeCopy = join(runDir.dir, RECIPE_RESOLVED_FILE);
    await writeFileAtomic(
      recipeCopy,
      `${JSON.stringify({ source: loaded.absolutePath, device: device.name, recipe, paths }, null, 2)}\n`,
    );
    sink.emit({ type: "artifact", kind: "recipe", path: recipeCopy });
    base.artifacts = [{ kind: "recipe", path: recipeCopy }];
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
    const target = opened && {
      transport: opened.transport,
      device: {
        name: device.name,
        kind: opened.kind,
        workdir: opened.workdir,
        env: device.device.env,
        nodePath: perfTest ? undefined : device.device.runner_path,
      },
      runId: runDir.runId,
    };
    const runOn =
      target && perfTest
        ? (p: RunPlan, s: EventSink, signal?: AbortSignal) =>
            runPerfTestOnDevice(p, {
              ...target,
              binary: perfTest,
              provider: context.provider,
              // compile.provider_options belong to compile.provider: passed only when the device runs that one.
              providerOptions:
                context.provider === (recipe.compile?.provider ?? "cpu")
                  ? providerOptionStrings(recipe.compile?.provider_options)
                  : undefined,
              sink: s,
              signal,
            })
        : target
          ? (p: RunPlan, s: EventSink, signal?: AbortSignal) =>
              runOnDevice(p, {
                ...target,
                prepareBundle: (probe) =>
                  prepareRunnerBundle({
                    os: probe.os === "android" ? "linux" : probe.os,
                    arch: probe.arch,
                    android: probe.os === "android",
                    nodeOnDevice: probe.node,
                    glibcDir: options.tools?.glibcDir,
                    env: options.tools?.env,
                    signal,
                  }),
                sink: s,
                signal,
              })
          : undefined;
    const report = await runSteps(context, plan, {
      report: base,
      device: { name: device.name, kind: device.kind },
      deviceError,
      optimized,
      startedAt,
      runOn,
    });
    if (abandoned) return abandoned;
    emitBudgetVerdicts(sink, report.budgets);
    const written = await writeReport(runDir.dir, report, sink);
    const exitCode = exitCodeForReport(report);
    if (abandoned) return abandoned;
    ended = true;
    sink.emit({ type: "run/end", ok: report.status === "ok", exitCode, reportPath: written.jsonPath });
    return { report, exitCode, reportPath: written.jsonPath, runId: runDir.runId, runDir: runDir.dir };
  };
  try {
    if (options.stopNow?.aborted) abandon();
    return await Promise.race([work(), abandonedRun]);
  } finally {
    stop.dispose();
    options.stopNow?.removeEventListener("abort", abandon);
    // Abandoned: the lock went with the temporary files after the report (abandonNow).
    if (!abandoned) runDir.lock.release();
    await opened?.transport.close().catch(() => {});
  }
}

/**
 * The onnxruntime_perf_test of a `runner: perf-test` device: its `perf_test_path` (on this machine, pushed), else its
 * `runner_path` (on the device), else the `edge.perfTest.path` setting (EDGE_PERF_TEST_PATH, pushed).
 */
function perfTestBinary(
  device: DeviceChoice,
  paths: RecipePaths,
  tools: DeviceTools | undefined,
  file: string,
): PerfTestRunOptions["binary"] {
  const own = paths.perfTestBinaries[device.name];
  if (own) return { hostPath: own };
  if (device.device.runner_path) return { devicePath: device.device.runner_path };
  const setting = tools?.perfTestPath ?? ((tools?.env ?? process.env).EDGE_PERF_TEST_PATH || undefined);
  if (setting) {
    const home = setting === "~" || setting.startsWith("~/") ? resolve(homedir(), setting.slice(2)) : undefined;
    return { hostPath: home ?? resolve(setting) };
  }
  throw new EdgeError(
    "device/runner",
    `device "${device.name}" has \`runner: perf-test\` but no onnxruntime_perf_test to run`,
    { file, device: device.name },
    "set the device's `perf_test_path` (your onnxruntime_perf_test built for the device, on this machine), its `runner_path` (one already on the device), or the `edge.perfTest.path` setting (EDGE_PERF_TEST_PATH)",
  );
}

/** Provider options as onnxruntime_perf_test's `-i` takes them (text values). */
function providerOptionStrings(options: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!options) return undefined;
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, String(v)]));
}

/**
 * The run abandoned at once: its partial report (what `progress` saw: the steps that finished, the iterations
 * measured) written synchronously, its temporary files removed, and `run/end` emitted.
 */
function abandonNow(
  sink: EventSink,
  progress: RunProgress,
  context: Parameters<typeof abortedReport>[0],
  plan: RunPlan,
): RunRecipeResult {
  const during = progress.currentStep;
  const measured =
    progress.warmupMs.length + progress.latenciesMs.length > 0
      ? { plan, warmupMs: progress.warmupMs, latenciesMs: progress.latenciesMs }
      : undefined;
  const artifacts = [...(context.artifacts ?? []), ...progress.artifacts].filter(
    (a, i, all) => all.findIndex((b) => b.path === a.path) === i,
  );
  const report = abortedReport({ ...context, artifacts }, measured);
  sink.emit({
    type: "log",
    level: "warning",
    message: `run stopped at once${during ? ` during ${during}` : ""}; the report keeps what was done`,
  });
  const exitCode = exitCodeForReport(report);
  let reportPath: string | undefined;
  try {
    const written = writeReportSync(context.outDir, report);
    reportPath = written.jsonPath;
    sink.emit({ type: "artifact", kind: "report.json", path: written.jsonPath });
    sink.emit({ type: "artifact", kind: "report.md", path: written.markdownPath });
  } catch (e) {
    // On the way out: say why there is no report rather than throw from a signal handler.
    const error = writeError(e, join(context.outDir, REPORT_JSON_FILE));
    sink.emit({ type: "error", code: error.code, message: error.message, where: error.where, hint: error.hint });
  }
  // The temporary files and the run folder's lock (tracked with them) go once the report is written.
  removeTempPathsSync(context.outDir);
  sink.emit({ type: "run/end", ok: false, exitCode, reportPath });
  return {
    report,
    exitCode,
    reportPath: reportPath ?? join(context.outDir, REPORT_JSON_FILE),
    runId: context.runId,
    runDir: context.outDir,
  };
}

/**
 * `outDir` as given (its last part is the run id), else a new timestamped folder under `runsDir`; locked for this
 * run, swept, and cleared of a previous run's files (report/run-dir.ts).
 */
async function makeRunDir(
  cwd: string,
  options: RunRecipeOptions,
  recipeName: string,
  deviceName: string,
  file: string,
): Promise<OpenRunDir> {
  const runsRoot = resolve(cwd, options.runsDir ?? join(".edge", "runs"));
  const purpose = `edge run ${file}`;
  if (options.outDir) return openRunDir({ dir: resolve(cwd, options.outDir), runsRoot }, purpose);
  return openRunDir({ runsRoot, recipe: recipeName, device: deviceName }, purpose);
}

/** The caller's signals combined with the recipe's `run.timeout_s`; `dispose` clears the timer. */
function stopSignal(
  outer: (AbortSignal | undefined)[],
  timeoutS: number | undefined,
): { signal: AbortSignal; dispose(): void } {
  const timeout = new AbortController();
  const timer = timeoutS ? setTimeout(() => timeout.abort(), timeoutS * 1000) : undefined;
  return {
    signal: AbortSignal.any([...outer.filter((s): s is AbortSignal => s !== undefined), timeout.signal]),
    dispose: () => clearTimeout(timer),
  };
}

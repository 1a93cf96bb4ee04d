// The device runner: the program that runs a model on a device. The host pushes it as `runner.cjs` (the bundle
// scripts/build.mjs makes from this file, with onnxruntime-node beside it in node_modules/) and starts it:
//
//   node runner.cjs PLAN.json
//
// PLAN.json is a DeviceRunPlan (plan-file.ts): a RunPlan with paths on the device (relative ones are taken from the
// plan file's folder), dataset tensors in a samples file (`samplesPath`, samples-file.ts), and `saveOutputs`.
// Everything it reads is on the device; it never reaches back to the host.
//
// What it does, in order:
//   - stdout: every engine event runLocal emits (step/start, step/end, progress, iteration, kernel, log, error), one
//     JSON object per line, stamped with `timeMs` since the runner started, as `edge run --events jsonl` prints
//     them (jsonl-stdout.ts). It prints no run/start or run/end: the host's run owns those. stderr is for node
//     and onnxruntime themselves.
//   - `<outDir>/runner.pid`: its pid, written before the run and removed at the end (the host stops a runner with
//     `kill` through a second exec; see RUNNER_FILES).
//   - runs the plan with runLocal (engine/run/run-local.ts), which writes `<outDir>/profile.json` when the plan
//     asks for a profile; with `saveOutputs`, `<outDir>/outputs.json` (save-outputs.ts).
//   - `<outDir>/result.json`: the RunResult, written atomically once the run has ended.
//
// Exit codes (runnerExitCodes in plan-file.ts):
//   0    ok                       result.json, status "ok"
//   1    failed while measuring   result.json, status "failed" (and an `error` event)
//   2    did not start            no result.json; one `error` event says why: a bad command line or plan file
//                                 (device/runner), a model missing or invalid (model/*), inputs that cannot be made
//                                 (run/input, data/invalid), a session onnxruntime cannot create (run/failed), an
//                                 outDir it cannot write (io/write)
//   70   internal                 no result.json; an `error` event with code internal/bug (a bug in the runner)
//   130  aborted                  result.json, status "aborted"
//
// Stops: SIGTERM, SIGINT or SIGHUP, or the host going away (stdout's pipe breaks), stop the run after the current
// iteration; the result of what was measured is still written (exit 130). A second signal exits at once (130)
// without a result.json, removing the temporary files it made (a profile capture) and its pid file.
import { rmSync } from "node:fs";
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { EdgeError, isEdgeError } from "../errors";
import { writeFileAtomic } from "../fs/atomic";
import { removeTempPathsSync } from "../fs/temp-paths";
import { ensureDir } from "../fs/write-errors";
import type { RunPlan } from "../run/plan";
import { runLocal } from "../run/run-local";
import type { RunResult } from "../run/result";
import { jsonlStdout } from "./jsonl-stdout";
import { type DeviceRunPlan, RUNNER_FILES, readPlanFile, runnerExitCodes } from "./plan-file";
import { decodeSamples } from "./samples-file";
import { saveOutputs } from "./save-outputs";

const USAGE = "usage: node runner.cjs PLAN.json";
const STOP_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
/** Largest samples file read into memory. */
const MAX_SAMPLES_BYTES = 2e9;

async function readSamples(path: string): Promise<RunPlan["samples"]> {
  let bytes: Buffer;
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) throw new Error("not a regular file");
    if (stat.size > MAX_SAMPLES_BYTES) throw new Error(`${stat.size} bytes is more than ${MAX_SAMPLES_BYTES}`);
    bytes = await fs.readFile(path);
  } catch (e) {
    throw new EdgeError("data/invalid", `samples file ${path} cannot be read: ${(e as Error).message}`, {
      where: { file: path },
    });
  }
  return decodeSamples(bytes, path);
}

function statusExitCode(result: RunResult): number {
  if (result.status === "ok") return runnerExitCodes.ok;
  if (result.status === "aborted") return runnerExitCodes.aborted;
  return runnerExitCodes.failed;
}

/** Runs the runner with its command-line arguments; resolves to its exit code once stdout has drained. */
export async function deviceRunner(argv: string[]): Promise<number> {
  const startMs = performance.now();
  const stop = new AbortController();
  let pidFile: string | undefined;
  const out = jsonlStdout(startMs, () => stop.abort());
  const { sink } = out;

  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    if (signals === 1) {
      sink.emit({
        type: "log",
        level: "warning",
        message: `${name}: stopping after the current iteration; a second signal stops at once`,
      });
      stop.abort();
      return;
    }
    removeTempPathsSync();
    if (pidFile) rmSync(pidFile, { force: true });
    process.exit(runnerExitCodes.aborted);
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);

  try {
    if (argv.length !== 1 || argv[0].startsWith("-"))
      throw new EdgeError("device/runner", `the runner takes one plan file, got ${argv.length} arguments`, {
        hint: USAGE,
      });
    const devicePlan: DeviceRunPlan = await readPlanFile(argv[0]);
    const { samplesPath, saveOutputs: wantOutputs, ...rest } = devicePlan;
    const plan: RunPlan = { ...rest, samples: samplesPath ? await readSamples(samplesPath) : undefined };

    await ensureDir(plan.outDir);
    pidFile = join(plan.outDir, RUNNER_FILES.pid);
    await writeFileAtomic(pidFile, `${process.pid}\n`);

    const result = await runLocal(plan, sink, stop.signal);
    if (wantOutputs && result.status === "ok" && !stop.signal.aborted) {
      try {
        const path = await saveOutputs(plan);
        sink.emit({ type: "log", level: "info", message: `outputs of the first feed: ${path}` });
      } catch (e) {
        result.status = "failed";
        result.error = isEdgeError(e)
          ? e.toJSON()
          : { code: "run/failed", message: `could not save the outputs: ${(e as Error).message}`, where: {} };
        sink.emit({ type: "error", ...result.error });
      }
    }
    await writeFileAtomic(join(plan.outDir, RUNNER_FILES.result), `${JSON.stringify(result, null, 2)}\n`);
    return statusExitCode(result);
  } catch (e) {
    if (isEdgeError(e)) {
      sink.emit({ type: "error", ...e.toJSON() });
      return runnerExitCodes.notStarted;
    }
    const message = `the device runner failed: ${(e as Error)?.stack ?? String(e)}`;
    sink.emit({ type: "error", code: "internal/bug", message, where: {} });
    return runnerExitCodes.internal;
  } finally {
    if (pidFile) rmSync(pidFile, { force: true });
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
    await out.flush();
  }
}

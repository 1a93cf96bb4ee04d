// The device runner's contract with the host: the plan file it is given (a RunPlan in JSON with device-side paths,
// plus two runner-only fields), the files it writes in the plan's outDir, and its exit codes. The host side
// (engine/devices) writes the plan and reads the rest; the runner (main.ts) reads the plan with `readPlanFile`.
import { promises as fs } from "node:fs";
import { dirname, resolve } from "node:path";
import { EdgeError } from "../errors";
import type { RunPlan } from "../run/plan";

/** The plan file: a RunPlan without its typed-array samples, which come from `samplesPath` instead. */
export interface DeviceRunPlan extends Omit<RunPlan, "samples"> {
  /** A samples file (samples-file.ts) holding the dataset's tensors; absent = synthetic inputs only. */
  samplesPath?: string;
  /**
   * Write `<outDir>/outputs.json` with the output tensors of the first feed (the one the first iteration used),
   * from a second session with the same options after the measured run, to compare numerics across devices.
   */
  saveOutputs?: boolean;
}

/** The files the runner writes in the plan's outDir (besides runLocal's profile.json). */
export const RUNNER_FILES = {
  /** The runner's pid, written at start and removed at the end: the host stops a runner with `kill $(cat …)`. */
  pid: "runner.pid",
  /** The RunResult, written atomically when the run has ended (ok, failed or aborted). */
  result: "result.json",
  /** With `saveOutputs`: { feed: 0, outputs: { NAME: { dtype, shape, data } } } (non-finite floats as strings). */
  outputs: "outputs.json",
} as const;

/**
 * Exit codes. With 0, 1 and 130 there is a result.json; with 2 and 70 there is none and the last `error` event on
 * stdout says why.
 */
export const runnerExitCodes = {
  ok: 0,
  /** The run failed while measuring (result.json has status "failed" and the error). */
  failed: 1,
  /**
   * The run did not start or its result could not be written: a bad command line or plan file, a model that is
   * missing or invalid, inputs that cannot be made, a session onnxruntime cannot create, an unwritable outDir.
   */
  notStarted: 2,
  /** A surprise (a bug): an exception that is not an EdgeError. */
  internal: 70,
  /** Stopped by SIGTERM, SIGINT or SIGHUP (result.json has status "aborted"); also a second signal, without it. */
  aborted: 130,
} as const;

/** Largest plan file read (a plan is small; the samples travel in their own file). */
const MAX_PLAN_BYTES = 16 << 20;

/**
 * Reads and checks a plan file. Relative paths in it (modelPath, outDir, samplesPath) are resolved against the
 * plan file's folder, so a host can push a folder with the plan beside the model.
 */
export async function readPlanFile(path: string): Promise<DeviceRunPlan> {
  const bad = (message: string, cause?: unknown) =>
    new EdgeError("device/runner", `runner plan ${path}: ${message}`, { where: { file: path }, cause });
  let text: string;
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) throw bad("is not a regular file");
    if (stat.size > MAX_PLAN_BYTES) throw bad(`is ${stat.size} bytes; a plan is at most ${MAX_PLAN_BYTES}`);
    text = await fs.readFile(path, "utf8");
  } catch (e) {
    if (e instanceof EdgeError) throw e;
    throw bad(`cannot be read: ${(e as Error).message}`, e);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw bad(`is not JSON: ${(e as Error).message}`, e);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("is not a JSON object");
  const plan = value as Record<string, unknown>;
  for (const key of ["modelPath", "outDir"] as const)
    if (typeof plan[key] !== "string" || plan[key] === "") throw bad(`needs "${key}" (a path on the device)`);
  if (plan.samplesPath !== undefined && typeof plan.samplesPath !== "string") throw bad(`"samplesPath" is a path`);
  if (plan.saveOutputs !== undefined && typeof plan.saveOutputs !== "boolean") throw bad(`"saveOutputs" is a boolean`);
  if ("samples" in plan) throw bad(`dataset samples go in a samples file named by "samplesPath", not in the plan`);
  const base = dirname(resolve(path));
  const result = { ...plan } as unknown as DeviceRunPlan;
  result.modelPath = resolve(base, result.modelPath);
  result.outDir = resolve(base, result.outDir);
  if (result.samplesPath !== undefined) result.samplesPath = resolve(base, result.samplesPath);
  return result;
}

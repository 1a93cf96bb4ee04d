// A run on a device reached through a transport (ssh, adb): the `deploy` step (probe the device, push the runner
// bundle and the model unless the device already has them by content hash, push the plan), then the runner on the
// device, whose JSON-lines events are handed on to the caller's sink as they arrive, then the results pulled back
// (result.json, profile.json) and the run's folder on the device removed.
//
// The pushes by content, the run's folder and its removal are deploy.ts's (shared with perf-test-run.ts); the
// run's folder here holds plan.json, result.json, profile.json and runner.pid.
//
// Stopping: the caller's signal sends SIGTERM to the runner (its pid file), which ends after the current iteration
// and still writes result.json; when it has not ended 1.5 s later, the transport stops it hard. A device that goes
// away mid-run, or a runner that ends without result.json, gives a failed (or aborted) result with the iterations
// the events reported, so the report keeps what was measured.
import { promises as fs } from "node:fs";
import { basename, join } from "node:path";
import type { DeviceProbe } from "../../common/devices";
import type { DeviceTransfer } from "../../common/report";
import { PROFILE_FILE } from "../../common/profile-summary";
import { EdgeError, isEdgeError } from "../errors";
import type { EventInput } from "../events";
import { nullSink } from "../events";
import { writeFileAtomic } from "../fs/atomic";
import { step } from "../step";
import type { ModelFiles } from "../run/model-files";
import { type RunPlan, planDefaults } from "../run/plan";
import type { RunErrorInfo, RunResult, RunStatus } from "../run/result";
import { latencyStats, throughput } from "../run/stats";
import { shellQuote } from "../transports/shell-quote";
import type { Transport } from "../transports/transport";
import { encodeSamples } from "../device-runner/samples-file";
import { type DeviceRunPlan, RUNNER_FILES } from "../device-runner/plan-file";
import {
  type DeviceRunTarget,
  deployFiles,
  hostFromProbe,
  pullRemoving,
  readRemoteText,
  removeRunFolder,
} from "./deploy";
import type { RunnerBundle } from "./runner-bundle";
import { LineSplitter } from "./json-lines";

export interface DeviceRunOptions extends DeviceRunTarget {
  /** The runner bundle for what the probe found. */
  prepareBundle(probe: DeviceProbe): Promise<RunnerBundle>;
}

/** Time the runner gets to end after SIGTERM before the transport stops it hard. */
const GRACE_MS = 1500;
const RESULT_FILE = RUNNER_FILES.result;
const PLAN_FILE = "plan.json";
const PID_FILE = RUNNER_FILES.pid;
const SAMPLES_FILE = "samples.bin";

interface Deployed {
  probe: DeviceProbe;
  bundle: RunnerBundle;
  runnerDir: string;
  runDir: string;
  modelFiles: ModelFiles;
  /** The plan file's text, written on the device as the runner starts. */
  plan: string;
  /** The run's folder on the device is gone already. */
  removed?: boolean;
}

export async function runOnDevice(plan: RunPlan, options: DeviceRunOptions): Promise<RunResult> {
  const { transport, device } = options;
  const sink = options.sink ?? nullSink;
  const signal = options.signal;
  const startedAt = new Date();
  const t0 = performance.now();
  const where = { file: plan.modelPath, device: device.name };
  const transfer: DeviceTransfer = { pushedBytes: 0, skippedBytes: 0, pulledBytes: 0 };

  const deployed = await step(sink, "deploy", () => deploy(plan, options, transfer), {
    detail: `${device.name} (${device.kind})`,
  });
  const { probe, bundle, runnerDir, runDir } = deployed;

  const warmupMs: number[] = [];
  const latenciesMs: number[] = [];
  const stdoutNoise: string[] = [];
  let runnerError: RunErrorInfo | undefined;
  let stderrTail = "";
  const lines = new LineSplitter((line) => {
    const event = parseEvent(line);
    if (!event) {
      if (line.trim() !== "") stdoutNoise.push(line.slice(0, 500));
      if (stdoutNoise.length > 20) stdoutNoise.shift();
      return;
    }
    // Files the runner wrote are named by their paths on the device; the host says where its copies are.
    if (event.type === "artifact") return;
    if (event.type === "iteration") (event.warmup ? warmupMs : latenciesMs).push(event.latencyMs);
    if (event.type === "error") runnerError = { code: event.code, message: event.message, where: event.where };
    sink.emit(event);
  });

  const { argv, env } = bundle.launch(runnerDir);
  const hard = new AbortController();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void signalRunner(transport, runDir).catch(() => {});
    setTimeout(() => hard.abort(), GRACE_MS).unref?.();
  };
  if (signal?.aborted) stop();
  signal?.addEventListener("abort", stop);
  let exit: { code: number | null; signal?: string } | undefined;
  let failure: RunErrorInfo | undefined;
  try {
    const planPath = `${runDir}/${PLAN_FILE}`;
    exit = await transport.exec(["sh", "-c", 'p="$1"; shift; cat > "$p" && exec "$@" "$p"', "sh", planPath, ...argv], {
      stdin: deployed.plan,
      cwd: runDir,
      env: { ...device.env, ...env },
      onStdout: (c) => lines.push(c),
      onStderr: (c) => (stderrTail = (stderrTail + c.toString("utf8")).slice(-4000)),
      signal: hard.signal,
    });
  } catch (e) {
    if (!isEdgeError(e)) throw e;
    failure = { ...e.toJSON(), where: { ...e.where, ...where } };
    sink.emit({ type: "error", ...failure });
  } finally {
    signal?.removeEventListener("abort", stop);
    lines.end();
  }

  let result: RunResult | undefined;
  try {
    if (!failure) {
      result = await pullResults(plan, deployed, options, transfer);
      if (!result && runnerError) {
        // The runner said why it could not start (its `error` event, already handed on).
        failure = { ...runnerError, where: { ...where, ...runnerError.where, device: device.name } };
      } else if (!result && exit?.code !== 130 && !stopping) {
        failure = runnerFailure(exit, stderrTail, stdoutNoise, where, probe);
        sink.emit({ type: "error", ...failure });
      }
    }
  } catch (e) {
    if (!isEdgeError(e)) throw e;
    failure = { ...e.toJSON(), where: { ...e.where, ...where } };
    sink.emit({ type: "error", ...failure });
  } finally {
    if (!options.keepRemote && !deployed.removed && !failure?.code.startsWith("transport/"))
      await removeRunFolder(transport, runDir, exit === undefined || stopping ? `${runDir}/${PID_FILE}` : undefined);
  }

  const deviceInfo = (host: RunResult["device"]["host"]) => ({
    name: device.name,
    kind: device.kind,
    host,
    probe,
    transfer,
  });
  if (result) {
    return { ...result, startedAt: startedAt.toISOString(), device: deviceInfo(result.device.host) };
  }
  // No result from the device: what its events said, so the report keeps the measurements.
  const status: RunStatus = failure ? "failed" : "aborted";
  const stats = latencyStats(latenciesMs);
  return {
    status,
    error: failure,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    durationMs: performance.now() - t0,
    device: deviceInfo(hostFromProbe(probe)),
    model: {
      path: plan.modelPath,
      sizeBytes: deployed.modelFiles.sizeBytes,
      files: deployed.modelFiles.files,
      inputs: [],
      outputs: deployed.modelFiles.signature.outputs.map((o) => o.name),
    },
    session: {
      options: {
        ...plan.session,
        optimization: plan.session?.optimization ?? planDefaults.optimization,
        executionMode: plan.session?.executionMode ?? planDefaults.executionMode,
      },
      ortOptions: {},
      creationMs: 0,
    },
    warmup: { requested: plan.warmup ?? planDefaults.warmup, done: warmupMs.length, latenciesMs: warmupMs },
    iterations: { requested: plan.iterations ?? planDefaults.iterations, done: latenciesMs.length },
    latenciesMs,
    stats,
    throughput: throughput(stats, latenciesMs.length, 0),
    memory: { rssBeforeBytes: 0, peakRssBytes: 0, osMaxRssBytes: 0 },
    profile: { enabled: plan.profile === true },
    datasetSamples: 0,
    seed: plan.seed ?? planDefaults.seed,
  };
}

/** Probe, runner bundle, model, plan: everything the device needs, each pushed only when not there yet. */
async function deploy(plan: RunPlan, options: DeviceRunOptions, transfer: DeviceTransfer): Promise<Deployed> {
  const { transport, device } = options;
  const probe = await transport.probe(device.workdir, { nodePath: device.nodePath });
  const bundle = await options.prepareBundle(probe);
  const files = await deployFiles(
    plan,
    options,
    probe,
    { id: bundle.hash, dir: bundle.dir, files: bundle.files },
    transfer,
  );
  const { modelFiles, modelDir, runDir } = files;
  const runnerDir = files.runnerDir ?? "";

  const { samples, ...planFields } = plan;
  const remotePlan: DeviceRunPlan = {
    ...planFields,
    modelPath: `${modelDir}/${basename(plan.modelPath)}`,
    outDir: runDir,
    deviceName: device.name,
  };
  const local = (name: string) => join(plan.outDir, `.device-${name}`);
  try {
    if (samples && samples.length > 0) {
      // The dataset's tensors travel in their own file (device-runner/samples-file.ts), pushed with the plan.
      await writeFileAtomic(local(SAMPLES_FILE), encodeSamples(samples));
      await transport.push(local(SAMPLES_FILE), `${runDir}/${SAMPLES_FILE}`, { signal: options.signal });
      transfer.pushedBytes += (await fs.stat(local(SAMPLES_FILE))).size;
      remotePlan.samplesPath = `${runDir}/${SAMPLES_FILE}`;
    }
  } finally {
    await fs.rm(local(SAMPLES_FILE), { force: true });
  }
  // The plan goes with the runner's start (its stdin), saving a round trip.
  return { probe, bundle, runnerDir, runDir, modelFiles, plan: `${JSON.stringify(remotePlan)}\n` };
}

/** result.json and profile.json back from the device; undefined when the runner wrote no result. */
async function pullResults(
  plan: RunPlan,
  deployed: Deployed,
  options: DeviceRunOptions,
  transfer: DeviceTransfer,
): Promise<RunResult | undefined> {
  const { transport } = options;
  const { runDir } = deployed;
  const text = await readRemoteText(transport, `${runDir}/${RESULT_FILE}`);
  if (text === undefined) return undefined;
  transfer.pulledBytes += Buffer.byteLength(text);
  let result: RunResult;
  try {
    result = JSON.parse(text) as RunResult;
  } catch (e) {
    throw new EdgeError("run/failed", `the runner's result from ${options.device.name} is unreadable: ${String(e)}`, {
      where: { device: options.device.name },
    });
  }
  const profile = result.profile;
  if (profile?.path) {
    const local = join(plan.outDir, PROFILE_FILE);
    // One round trip: the profile streamed into a temporary file (renamed when whole), and the run's folder removed.
    const pulled = await pullRemoving(
      transport,
      `${runDir}/${PROFILE_FILE}`,
      local,
      options.keepRemote ? undefined : runDir,
    );
    transfer.pulledBytes += pulled;
    profile.path = local;
    deployed.removed = !options.keepRemote;
    options.sink?.emit({ type: "artifact", kind: PROFILE_FILE, path: local });
  }
  // The model as the host knows it (its files on the device are copies in the content store).
  result.model = { ...result.model, path: plan.modelPath, files: deployed.modelFiles.files };
  return result;
}

/** SIGTERM to the runner by its pid file: it ends after the current iteration and writes its result. */
async function signalRunner(transport: Transport, runDir: string): Promise<void> {
  const pidFile = shellQuote(`${runDir}/${PID_FILE}`);
  await transport.exec(["sh", "-c", `[ -f ${pidFile} ] && kill -TERM "$(cat ${pidFile})"`]);
}

function parseEvent(line: string): EventInput | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(line) as { type?: unknown; timeMs?: unknown };
    if (typeof value !== "object" || value === null || typeof value.type !== "string") return undefined;
    const { timeMs: _ignored, ...event } = value;
    return event as EventInput;
  } catch {
    return undefined;
  }
}

/** Why a runner that wrote no result ended: its exit, its last words, and the likely way out. */
function runnerFailure(
  exit: { code: number | null; signal?: string } | undefined,
  stderr: string,
  stdoutNoise: string[],
  where: { file: string; device: string },
  probe: DeviceProbe,
): RunErrorInfo {
  const said = (stderr.trim() || stdoutNoise.join("\n")).split("\n").slice(-8).join("\n");
  const how = exit ? (exit.code !== null ? `exit code ${exit.code}` : `signal ${exit.signal}`) : "no exit status";
  let hint = "the runner's last output is in the message";
  if (/not found|No such file/i.test(said) && exit?.code === 127)
    hint = "the runner's program is missing on the device (a wrong ABI, or a loader the device lacks)";
  else if (/Exec format error|cannot execute binary/i.test(said))
    hint = `the runner was built for another CPU than the device's ${probe.abi}`;
  else if (/Permission denied|Operation not permitted|Bad system call/i.test(said) || exit?.signal === "SIGSYS")
    hint =
      "the device refused to start the runner (noexec work directory, SELinux or seccomp): set `workdir` to an executable location, or use `runner: perf-test`";
  return {
    code: "device/runner",
    message: `the runner on ${where.device} ended (${how}) without a result${said ? `:\n${said}` : ""}`,
    where,
    hint,
  };
}

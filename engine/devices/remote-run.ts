// A run on a device reached through a transport (ssh, adb): the `deploy` step (probe the device, push the runner
// bundle and the model unless the device already has them by content hash, push the plan), then the runner on the
// device, whose JSON-lines events are handed on to the caller's sink as they arrive, then the results pulled back
// (result.json, profile.json) and the run's folder on the device removed.
//
// Device layout, under the device's work directory:
//   runners/<bundle hash>/…, `ready` written last   the runner bundle, pushed once per bundle content
//   models/<model hash>/<file names>, `ready` last     the model's files, pushed once per content
//   runs/<run id>/plan.json, result.json, profile.json, runner.pid   one run; removed at the end
//
// Stopping: the caller's signal sends SIGTERM to the runner (its pid file), which ends after the current iteration
// and still writes result.json; when it has not ended 1.5 s later, the transport stops it hard. A device that goes
// away mid-run, or a runner that ends without result.json, gives a failed (or aborted) result with the iterations
// the events reported, so the report keeps what was measured.
import { promises as fs } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import type { DeviceKind, DeviceProbe } from "../../common/devices";
import type { DeviceTransfer } from "../../common/report";
import { PROFILE_FILE } from "../../common/profile-summary";
import { formatBytes } from "../../common/units";
import { EdgeError, isEdgeError } from "../errors";
import type { EventInput, EventSink } from "../events";
import { nullSink } from "../events";
import { commitTempFile, tempPathFor, writeFileAtomic } from "../fs/atomic";
import { step } from "../step";
import { readModelFiles } from "../run/model-files";
import { type RunPlan, planDefaults } from "../run/plan";
import type { RunErrorInfo, RunResult, RunStatus } from "../run/result";
import { latencyStats, throughput } from "../run/stats";
import { RUNNERS_DIR } from "../transports/probe";
import { shellQuote } from "../transports/shell-quote";
import type { Transport } from "../transports/transport";
import { encodeSamples } from "../device-runner/samples-file";
import { type DeviceRunPlan, RUNNER_FILES } from "../device-runner/plan-file";
import { manifestHash, sha256File } from "./file-hash";
import type { RunnerBundle } from "./runner-bundle";
import { LineSplitter } from "./json-lines";

export interface DeviceRunOptions {
  transport: Transport;
  device: {
    name: string;
    kind: DeviceKind;
    /** The work directory as the recipe says it (`~/` allowed); the probe resolves it. */
    workdir: string;
    /** Extra environment of the runner (the recipe device's `env`). */
    env?: Record<string, string>;
  };
  /** The runner bundle for what the probe found. */
  prepareBundle(probe: DeviceProbe): Promise<RunnerBundle>;
  /** The run's id: its folder's name on the device. */
  runId: string;
  sink?: EventSink;
  signal?: AbortSignal;
  /** Keep the run's folder on the device (to look at it); default removed. */
  keepRemote?: boolean;
}

/** Time the runner gets to end after SIGTERM before the transport stops it hard. */
const GRACE_MS = 1500;
/** Room left free on the device beyond what is pushed. */
const SPARE_BYTES = 16e6;
const RESULT_FILE = RUNNER_FILES.result;
const PLAN_FILE = "plan.json";
const PID_FILE = RUNNER_FILES.pid;
const SAMPLES_FILE = "samples.bin";

interface Deployed {
  probe: DeviceProbe;
  bundle: RunnerBundle;
  runnerDir: string;
  runDir: string;
  modelFiles: Awaited<ReturnType<typeof readModelFiles>>;
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
      await removeRemote(transport, runDir, exit === undefined || stopping);
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
    device: deviceInfo({
      os: `${probe.os} ${probe.kernel ?? ""} (${probe.arch})`.replace("  ", " "),
      platform: probe.os,
      arch: probe.arch,
      cpuModel: probe.android?.soc ?? "unknown",
      cores: probe.cores ?? 0,
      totalMemoryBytes: probe.totalMemoryBytes ?? 0,
      nodeVersion: probe.node?.version ?? "unknown",
      onnxruntimeVersion: "unknown",
    }),
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
  const where = { file: plan.modelPath, device: device.name };
  const probe = await transport.probe(device.workdir);
  const workdir = probe.workdir;
  const modelFiles = await readModelFiles(plan.modelPath, device.name);
  const bundle = await options.prepareBundle(probe);
  const runnerDir = `${workdir}/${RUNNERS_DIR}/${bundle.hash}`;
  const haveRunner = probe.cachedRunners?.includes(bundle.hash) === true;
  const bundleBytes = bundle.files.reduce((s, f) => s + f.sizeBytes, 0);

  // The model's files by content, named as the model names them (external data is found next to the model).
  const modelDirHost = dirname(plan.modelPath);
  const entries = [];
  for (const f of modelFiles.files) {
    const rel = relative(modelDirHost, f.path).split(sep).join("/");
    if (rel.startsWith("../")) {
      throw new EdgeError("model/external-data", `external data file ${f.path} is outside the model's folder`, {
        where,
      });
    }
    entries.push({ name: rel, sha256: await sha256File(f.path), path: f.path, sizeBytes: f.sizeBytes });
  }
  const modelDir = `${workdir}/models/${manifestHash(entries).slice(0, 32)}`;
  const runDir = `${workdir}/runs/${options.runId}`;
  // One round trip: the run's folder made, and whether the model is there already.
  const prepared = await capture(
    transport,
    ["sh", "-c", 'mkdir -p "$1" && if [ -f "$2" ]; then echo have-model; fi', "sh", runDir, `${modelDir}/ready`],
    "make the run's folder",
  );
  const haveModel = prepared.includes("have-model");

  const needBytes = (haveRunner ? 0 : bundleBytes) + (haveModel ? 0 : modelFiles.sizeBytes);
  if (probe.freeBytes !== undefined && probe.freeBytes < needBytes + SPARE_BYTES) {
    throw new EdgeError(
      "device/disk-full",
      `${device.name} has ${formatBytes(probe.freeBytes)} free in ${workdir}; the run needs ${formatBytes(needBytes + SPARE_BYTES)}`,
      { where, hint: `free space on the device, or set the device's \`workdir\` to a larger file system` },
    );
  }

  if (haveRunner) transfer.skippedBytes += bundleBytes;
  else {
    await pushAll(
      transport,
      bundle.files.map((f) => ({
        local: join(bundle.dir, ...f.rel.split("/")),
        remote: `${runnerDir}/${f.rel}`,
        ...f,
      })),
      options,
      transfer,
    );
    const programs = bundle.files.filter((f) => (f.mode & 0o111) !== 0).map((f) => `${runnerDir}/${f.rel}`);
    await capture(
      transport,
      [
        "sh",
        "-c",
        'r="$1"; shift; if [ $# -gt 0 ]; then chmod 755 "$@" || exit 1; fi; touch "$r"',
        "sh",
        `${runnerDir}/ready`,
        ...programs,
      ],
      "make the runner executable",
    );
  }
  if (haveModel) transfer.skippedBytes += modelFiles.sizeBytes;
  else {
    await pushAll(
      transport,
      entries.map((e) => ({ local: e.path, remote: `${modelDir}/${e.name}`, sizeBytes: e.sizeBytes })),
      options,
      transfer,
    );
    await capture(transport, ["touch", `${modelDir}/ready`], "mark the model complete");
  }

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

async function pushAll(
  transport: Transport,
  files: { local: string; remote: string; sizeBytes: number }[],
  options: DeviceRunOptions,
  transfer: DeviceTransfer,
): Promise<void> {
  const total = files.reduce((s, f) => s + f.sizeBytes, 0);
  let done = 0;
  for (const f of files) {
    options.signal?.throwIfAborted();
    await transport.push(f.local, f.remote, {
      signal: options.signal,
      onProgress: (p) => options.sink?.emit({ type: "progress", step: "deploy", done: done + p.doneBytes, total }),
    });
    done += f.sizeBytes;
    transfer.pushedBytes += f.sizeBytes;
    options.sink?.emit({ type: "progress", step: "deploy", done, total });
  }
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
  const chunks: Buffer[] = [];
  const read = await transport.exec(["cat", `${runDir}/${RESULT_FILE}`], { onStdout: (c) => chunks.push(c) });
  if (read.code !== 0) return undefined;
  const text = Buffer.concat(chunks).toString("utf8");
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

/** Removes the run's folder; `stopRunner` first kills a runner that may have outlived its stop. */
async function removeRemote(transport: Transport, runDir: string, stopRunner: boolean): Promise<void> {
  try {
    const pidFile = `${runDir}/${PID_FILE}`;
    await transport.exec(
      stopRunner
        ? [
            "sh",
            "-c",
            'if [ -f "$1" ]; then kill -KILL "$(cat "$1")" 2>/dev/null; fi; rm -rf "$2"',
            "sh",
            pidFile,
            runDir,
          ]
        : ["rm", "-rf", runDir],
    );
  } catch {
    // The device went away: its run folder stays until the next run's sweep; nothing here depends on it.
  }
}

/** Streams a device file into `localPath` (a temporary name renamed when whole); then removes `removeDir`. */
async function pullRemoving(
  transport: Transport,
  remotePath: string,
  localPath: string,
  removeDir: string | undefined,
): Promise<number> {
  const tmp = tempPathFor(localPath);
  const out = await fs.open(tmp, "w");
  let bytes = 0;
  let writing = Promise.resolve();
  let stderr = "";
  try {
    const script = removeDir ? 'cat "$1" && rm -rf "$2"' : 'cat "$1"';
    const r = await transport.exec(["sh", "-c", script, "sh", remotePath, ...(removeDir ? [removeDir] : [])], {
      onStdout: (c) => {
        bytes += c.length;
        writing = writing.then(() => out.write(c).then(() => undefined));
      },
      onStderr: (c) => (stderr += c.toString("utf8")),
    });
    await writing;
    await out.close();
    if (r.code !== 0)
      throw new EdgeError("transport/failed", `could not read ${remotePath} on ${transport.name}: ${stderr.trim()}`, {
        where: { device: transport.name },
      });
    await commitTempFile(tmp, localPath);
    return bytes;
  } catch (e) {
    await out.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Runs a command that must succeed; its stdout. A full disk is `device/disk-full`. */
async function capture(transport: Transport, argv: string[], what: string): Promise<string> {
  let stderr = "";
  let stdout = "";
  const r = await transport.exec(argv, {
    onStdout: (c) => (stdout += c.toString("utf8")),
    onStderr: (c) => (stderr += c.toString("utf8")),
  });
  if (r.code !== 0) {
    const full = /No space left/i.test(stderr);
    throw new EdgeError(
      full ? "device/disk-full" : "transport/failed",
      `could not ${what} on ${transport.name}: ${stderr.trim() || `exit ${r.code ?? r.signal}`}`,
      { where: { device: transport.name } },
    );
  }
  return stdout;
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

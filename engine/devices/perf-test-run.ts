// A run on a device through ONNX Runtime's own `onnxruntime_perf_test` (recipe `runner: perf-test`), for devices
// where the engine's node runner cannot start. The user supplies the binary, built for the device: on this machine
// (`perf_test_path`, the `edge.perfTest.path` setting), pushed with the `libonnxruntime*.so*` files of its folder
// to `<workdir>/runners/perf-test-<hash>/` (content-addressed like the node runner's bundle, `ready` last, the binary
// made 755), or already on the device (`runner_path`). deploy.ts pushes the model and makes the run's folder.
//
// The run: the tool started with perfTestArgs' arguments in the run's folder (LD_LIBRARY_PATH = the pushed folder),
// its output streamed as `log` events of the lines that matter and the steps `session` (until it prints the session
// creation time) and `run`; it prints nothing per iteration, so there are no `iteration` events (a log says so).
// Then its output parsed (parse-perf-test.ts), its result file (one line per measured request) and profile pulled,
// and the figures mapped to a RunResult (perf-test-result.ts), with the statistics' source and the notes in
// `session.ortOptions`. A tool that cannot start (another CPU, a missing library) or that fails is `device/runner`
// with what it said; a stop (the signal) kills it on the device through the transport, and the run is "aborted".
import { promises as fs } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { DeviceProbe } from "../../common/devices";
import { PROFILE_FILE } from "../../common/profile-summary";
import type { DeviceTransfer } from "../../common/report";
import { EdgeError, isEdgeError } from "../errors";
import { type EventSink, nullSink } from "../events";
import { KernelCollector, kernelsToStream, summarizeKernels } from "../run/profile";
import { type RunProfile, emitKernelEvents, readTraceFile } from "../run/profile-capture";
import { type RunPlan, planDefaults } from "../run/plan";
import type { RunErrorInfo, RunResult } from "../run/result";
import { throughput } from "../run/stats";
import { step } from "../step";
import {
  type DeployedFiles,
  type DeviceRunTarget,
  type RunnerFiles,
  capture,
  deployFiles,
  hostFromProbe,
  pullRemoving,
  readRemoteText,
  removeRunFolder,
} from "./deploy";
import { manifestHash, sha256File } from "./file-hash";
import { LineSplitter } from "./json-lines";
import { parsePerfTestOutput, parsePerfTestResultFile } from "./perf-test/parse-perf-test";
import { type PerfTestProvider, perfTestArgs } from "./perf-test/perf-test-args";
import { findProfileFile, perfTestRunResult } from "./perf-test/perf-test-result";

export interface PerfTestRunOptions extends DeviceRunTarget {
  /** The binary: on this machine (pushed with its folder's libonnxruntime*.so*), or already on the device. */
  binary: { hostPath: string } | { devicePath: string };
  /** The execution provider (`-e`); default cpu. The user's build decides which it has. */
  provider?: string;
  /** Provider options (`-i`). */
  providerOptions?: Record<string, string>;
}

const RESULT_FILE = "result.csv";
const PROFILE_PREFIX = "profile";
const PID_FILE = "perf-test.pid";
/** Output kept for parsing and messages (the tool prints a few hundred bytes; a verbose log is cut to its end). */
const KEEP_OUTPUT_CHARS = 256_000;
/** At most this many `log` events of the tool's output. */
const MAX_LOG_LINES = 60;
/** Lines of the tool's stdout worth a `log` event (its figures, its failures). */
const notableLine =
  /time cost|inference requests|inferences per second|CPU usage|working set|Latency|iterations:|Runs:|failed|error|intra_op|inter_op/i;
/** Lines of its stderr (onnxruntime's log) worth one. */
const notableErrorLine = /error|fail|cannot|not found|No such file|denied|CANNOT LINK/i;
/** A library may be unversioned or versioned (libonnxruntime.so.1.20.0) and carry providers (…_providers_qnn.so). */
const libraryName = /^libonnxruntime[^/]*\.so(\.[0-9.]+)?$/;

export async function runPerfTestOnDevice(plan: RunPlan, options: PerfTestRunOptions): Promise<RunResult> {
  const { transport, device } = options;
  const sink = options.sink ?? nullSink;
  const startedAt = new Date();
  const where = { file: plan.modelPath, device: device.name };
  const transfer: DeviceTransfer = { pushedBytes: 0, skippedBytes: 0, pulledBytes: 0 };

  const runner = "hostPath" in options.binary ? await perfTestFiles(options.binary.hostPath, device.name) : undefined;
  const deployed = await step(
    sink,
    "deploy",
    async () => {
      const probe = await transport.probe(device.workdir);
      return { probe, ...(await deployFiles(plan, options, probe, runner, transfer)) };
    },
    { detail: `${device.name} (${device.kind}), onnxruntime_perf_test` },
  );
  const { probe, runDir, runnerDir } = deployed;
  const binary =
    "hostPath" in options.binary ? `${runnerDir}/${basename(options.binary.hostPath)}` : options.binary.devicePath;

  let result: RunResult | undefined;
  let failure: RunErrorInfo | undefined;
  let aborted = false;
  try {
    const invocation = perfTestArgs(plan, {
      modelPath: `${deployed.modelDir}/${basename(plan.modelPath)}`,
      provider: (options.provider ?? "cpu") as PerfTestProvider,
      providerOptions: options.providerOptions,
      profilePrefix: plan.profile ? `${runDir}/${PROFILE_PREFIX}` : undefined,
      resultFile: `${runDir}/${RESULT_FILE}`,
      deviceName: device.name,
    });
    const env: Record<string, string> = { ...device.env };
    if (runnerDir) env.LD_LIBRARY_PATH = [runnerDir, device.env?.LD_LIBRARY_PATH].filter(Boolean).join(":");
    const ran = await runTool(options, sink, { argv: [binary, ...invocation.args], env, runDir });
    if (ran.aborted) aborted = true;
    else {
      const parsed = toolOutcome(ran, { binary, probe, deviceName: device.name });
      const finished = await finishRun(plan, options, deployed, parsed, transfer, sink);
      const endedAt = new Date().toISOString();
      const mapped = perfTestRunResult({
        plan,
        parsed,
        args: invocation.args,
        argNotes: invocation.notes,
        device: {
          name: device.name,
          kind: device.kind,
          host: hostFromProbe(probe, { node: "none (onnxruntime_perf_test)", onnxruntime: parsed.ortVersion }),
          probe,
          transfer,
        },
        model: modelOf(plan, deployed),
        startedAt: startedAt.toISOString(),
        endedAt,
        profile: finished.profile,
      });
      for (const note of mapped.notes) sink.emit({ type: "log", level: "info", message: note });
      result = mapped.result;
      result.session.ortOptions = {
        ...result.session.ortOptions,
        statsSource: mapped.statsSource,
        notes: mapped.notes,
      };
    }
  } catch (e) {
    if (!isEdgeError(e)) throw e;
    failure = { ...e.toJSON(), where: { ...where, ...e.where, device: device.name } };
    sink.emit({ type: "error", ...failure });
  } finally {
    if (!options.keepRemote && !failure?.code.startsWith("transport/"))
      await removeRunFolder(transport, runDir, aborted ? `${runDir}/${PID_FILE}` : undefined);
  }
  return result ?? unmeasured(plan, options, deployed, { startedAt, failure, transfer });
}

interface ToolRun {
  code: number | null;
  signal?: string;
  aborted: boolean;
  stdout: string;
  stderr: string;
}

/** Runs the tool, streaming its notable lines as `log` events and its progress as the `session` and `run` steps. */
async function runTool(
  options: PerfTestRunOptions,
  sink: EventSink,
  command: { argv: string[]; env: Record<string, string>; runDir: string },
): Promise<ToolRun> {
  let stdout = "";
  let stderr = "";
  let logged = 0;
  const log = (message: string) => {
    if (logged++ < MAX_LOG_LINES) sink.emit({ type: "log", level: "info", message: `perf-test: ${message}` });
  };
  const t0 = performance.now();
  let phase: "session" | "run" = "session";
  let phaseStart = t0;
  sink.emit({ type: "step/start", step: "session", detail: "onnxruntime_perf_test" });
  sink.emit({
    type: "log",
    level: "info",
    message:
      "onnxruntime_perf_test reports no single iterations while it runs: its figures come when it ends (no iteration events)",
  });
  const endPhase = (ok: boolean) => {
    sink.emit({ type: "step/end", step: phase, ok, durationMs: performance.now() - phaseStart });
  };
  const out = new LineSplitter((line) => {
    stdout = (stdout + line + "\n").slice(-KEEP_OUTPUT_CHARS);
    const text = line.trim();
    if (text === "") return;
    if (phase === "session" && /^Session creation time cost/.test(text)) {
      log(text);
      endPhase(true);
      phase = "run";
      phaseStart = performance.now();
      sink.emit({ type: "step/start", step: "run", detail: "onnxruntime_perf_test" });
      return;
    }
    if (notableLine.test(text)) log(text);
  });
  const err = new LineSplitter((line) => {
    stderr = (stderr + line + "\n").slice(-KEEP_OUTPUT_CHARS);
    if (notableErrorLine.test(line)) log(line.trim());
  });
  const pidFile = `${command.runDir}/${PID_FILE}`;
  let exit: { code: number | null; signal?: string };
  try {
    // The tool's pid in the run's folder, so a stop can be made sure of when the run's folder is removed.
    exit = await options.transport.exec(
      ["sh", "-c", 'echo $$ > "$1"; shift; exec "$@"', "sh", pidFile, ...command.argv],
      {
        cwd: command.runDir,
        env: command.env,
        onStdout: (c) => out.push(c),
        onStderr: (c) => err.push(c),
        signal: options.signal,
      },
    );
  } catch (e) {
    endPhase(false);
    throw e;
  } finally {
    out.end();
    err.end();
  }
  const aborted = exit.signal === "aborted" || options.signal?.aborted === true;
  endPhase(!aborted && exit.code === 0);
  return { ...exit, aborted, stdout, stderr };
}

/** The figures of a run that ended, or the `device/runner` error of one that could not start or failed. */
function toolOutcome(
  ran: ToolRun,
  context: { binary: string; probe: DeviceProbe; deviceName: string },
): ReturnType<typeof parsePerfTestOutput> {
  const said = (ran.stderr.trim() || ran.stdout.trim()).split("\n").slice(-8).join("\n");
  const how = ran.code !== null ? `exit code ${ran.code}` : `signal ${ran.signal}`;
  const cannotStart =
    ran.code === 126 ||
    ran.code === 127 ||
    /error while loading shared libraries|CANNOT LINK EXECUTABLE|Exec format error|cannot execute|not executable/i.test(
      ran.stderr,
    );
  if (cannotStart) {
    let hint = "run it by hand on the device to see why it does not start";
    if (/Exec format error|cannot execute binary|not executable/i.test(said))
      hint = `the binary was built for another CPU or OS than the device's (${context.probe.os}, ${context.probe.abi})`;
    else if (/shared libraries|CANNOT LINK|library .* not found/i.test(said))
      hint =
        "a library it needs is missing on the device: put libonnxruntime.so (and the provider libraries) beside the binary on this machine, or set the device's `env.LD_LIBRARY_PATH`";
    else if (/not found|No such file/i.test(said))
      hint =
        "the binary is not there, or it needs a loader the device lacks (a glibc build on Android): build it for the device";
    else if (/Permission denied/i.test(said))
      hint = "the device refused to run it (a noexec work directory, SELinux): set `workdir` to an executable location";
    throw new EdgeError(
      "device/runner",
      `onnxruntime_perf_test (${context.binary}) could not start on ${context.deviceName} (${how})${said ? `:\n${said}` : ""}`,
      { where: { device: context.deviceName }, hint },
    );
  }
  // `Run failed:`, missing test data, or no figures: parsePerfTestOutput says so with the output's tail.
  const parsed = parsePerfTestOutput(`${ran.stdout}\n${ran.stderr}`, { deviceName: context.deviceName });
  if (ran.code !== 0) {
    throw new EdgeError(
      "device/runner",
      `onnxruntime_perf_test ended with ${how} on ${context.deviceName} after printing its figures${said ? `:\n${said}` : ""}`,
      { where: { device: context.deviceName } },
    );
  }
  return parsed;
}

/** The result file's per-request times and the profile, pulled back (the run's folder goes with the profile). */
async function finishRun(
  plan: RunPlan,
  options: PerfTestRunOptions,
  deployed: DeployedFiles,
  parsed: ReturnType<typeof parsePerfTestOutput>,
  transfer: DeviceTransfer,
  sink: EventSink,
): Promise<{ profile?: Partial<RunProfile> }> {
  const { transport } = options;
  const { runDir } = deployed;
  const csv = await readRemoteText(transport, `${runDir}/${RESULT_FILE}`);
  if (csv !== undefined) {
    transfer.pulledBytes += Buffer.byteLength(csv);
    const latencies = parsePerfTestResultFile(csv);
    if (latencies.length > 0) parsed.latenciesMs = latencies;
  }
  if (!plan.profile) return {};
  const prefix = `${runDir}/${PROFILE_PREFIX}`;
  const listing = await capture(transport, ["ls", "-1", runDir], "list the run's folder");
  const remote = findProfileFile(prefix, { parsed, listing: listing.split("\n") });
  if (!remote) {
    const incomplete = `onnxruntime_perf_test wrote no profile (${prefix}_<time>.json) on ${options.device.name}`;
    sink.emit({ type: "log", level: "warning", message: `profile incomplete: ${incomplete}` });
    return { profile: { kernelEventsEmitted: 0, incomplete } };
  }
  const local = join(plan.outDir, PROFILE_FILE);
  transfer.pulledBytes += await pullRemoving(transport, remote, local, undefined);
  sink.emit({ type: "artifact", kind: PROFILE_FILE, path: local });
  return { profile: await summarizeProfile(local, plan, sink) };
}

/** The pulled trace summarized as a local run's (the one untimed inference skipped), its last run's kernels emitted. */
async function summarizeProfile(path: string, plan: RunPlan, sink: EventSink): Promise<Partial<RunProfile>> {
  const collector = new KernelCollector();
  let incomplete: string | undefined;
  try {
    const read = await readTraceFile(path, (e) => collector.add(e));
    if (read.truncated) incomplete = "the trace ends before it is closed";
  } catch (e) {
    incomplete = `the trace could not be read to its end (${e instanceof Error ? e.message : String(e)})`;
  }
  const records = collector.finish();
  const summary = summarizeKernels(records, { skipRuns: 1 });
  const kernels = kernelsToStream(records, plan.maxKernelEvents ?? planDefaults.maxKernelEvents);
  emitKernelEvents(sink, kernels);
  if (incomplete) sink.emit({ type: "log", level: "warning", message: `profile incomplete: ${incomplete}` });
  return { path, summary, kernelEventsEmitted: kernels.length, incomplete };
}

/** The binary and the onnxruntime libraries beside it, named by their content. */
async function perfTestFiles(hostPath: string, deviceName: string): Promise<RunnerFiles> {
  const missing = (why: string) =>
    new EdgeError("device/runner", `onnxruntime_perf_test ${why}: ${hostPath}`, {
      where: { device: deviceName, file: hostPath },
      hint: "set the device's `perf_test_path` (or the `edge.perfTest.path` setting) to your onnxruntime_perf_test built for the device",
    });
  let size: number;
  try {
    const st = await fs.stat(hostPath);
    if (!st.isFile()) throw missing("is not a file");
    size = st.size;
  } catch (e) {
    if (isEdgeError(e)) throw e;
    throw missing("is not on this machine");
  }
  const dir = dirname(hostPath);
  const files: (RunnerFiles["files"][number] & { sha256: string })[] = [
    { rel: basename(hostPath), local: hostPath, sizeBytes: size, mode: 0o755, sha256: await sha256File(hostPath) },
  ];
  for (const name of (await fs.readdir(dir)).sort()) {
    if (!libraryName.test(name) || name === basename(hostPath)) continue;
    const st = await fs.stat(join(dir, name)).catch(() => undefined); // a symlink counts as the file it names
    if (!st?.isFile()) continue;
    files.push({ rel: name, sizeBytes: st.size, mode: 0o644, sha256: await sha256File(join(dir, name)) });
  }
  const id = `perf-test-${manifestHash(files.map((f) => ({ name: f.rel, sha256: f.sha256 }))).slice(0, 32)}`;
  return { id, dir, files };
}

function modelOf(plan: RunPlan, deployed: DeployedFiles): RunResult["model"] {
  return {
    path: plan.modelPath,
    sizeBytes: deployed.modelFiles.sizeBytes,
    files: deployed.modelFiles.files,
    inputs: [],
    outputs: deployed.modelFiles.signature.outputs.map((o) => o.name),
  };
}

/** A run that measured nothing (failed or stopped): what is known of the device and the model. */
function unmeasured(
  plan: RunPlan,
  options: PerfTestRunOptions,
  deployed: DeployedFiles & { probe: DeviceProbe },
  run: { startedAt: Date; failure?: RunErrorInfo; transfer: DeviceTransfer },
): RunResult {
  const session = plan.session ?? {};
  const endedAt = new Date();
  return {
    status: run.failure ? "failed" : "aborted",
    error: run.failure,
    startedAt: run.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - run.startedAt.getTime(),
    device: {
      name: options.device.name,
      kind: options.device.kind,
      host: hostFromProbe(deployed.probe, { node: "none (onnxruntime_perf_test)" }),
      probe: deployed.probe,
      transfer: run.transfer,
    },
    model: modelOf(plan, deployed),
    session: {
      options: {
        ...session,
        optimization: session.optimization ?? planDefaults.optimization,
        executionMode: session.executionMode ?? planDefaults.executionMode,
      },
      ortOptions: { runner: "onnxruntime_perf_test" },
      creationMs: 0,
    },
    warmup: { requested: plan.warmup ?? planDefaults.warmup, done: 0, latenciesMs: [] },
    iterations: { requested: plan.iterations ?? planDefaults.iterations, done: 0 },
    latenciesMs: [],
    stats: null,
    throughput: throughput(null, 0, 0),
    memory: { rssBeforeBytes: 0, peakRssBytes: 0, osMaxRssBytes: 0 },
    profile: { enabled: plan.profile === true },
    datasetSamples: 0,
    seed: plan.seed ?? planDefaults.seed,
  };
}

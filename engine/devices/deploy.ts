// What every device run does before and after its runner, whichever runner it is (the engine's node runner in
// remote-run.ts, onnxruntime_perf_test in perf-test-run.ts): the runner's files and the model pushed by content hash
// (nothing pushed twice), the run's folder made and removed, files streamed back, and the device's description for
// the report.
//
// Device layout, under the device's work directory:
//   runners/<runner id>/…, `ready` written last    a runner's files, pushed once per content (its id names the content)
//   models/<model hash>/<file names>, `ready` last  the model's files, pushed once per content
//   runs/<run id>/…                                 one run; removed at the end
import { promises as fs } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import type { DeviceKind, DeviceProbe } from "../../common/devices";
import type { HostInfo } from "../../common/measurements";
import type { DeviceTransfer } from "../../common/report";
import { formatBytes } from "../../common/units";
import { EdgeError } from "../errors";
import type { EventSink } from "../events";
import { commitTempFile, tempPathFor } from "../fs/atomic";
import { type ModelFiles, readModelFiles } from "../run/model-files";
import type { RunPlan } from "../run/plan";
import { RUNNERS_DIR } from "../transports/probe";
import type { Transport } from "../transports/transport";
import { manifestHash, sha256File } from "./file-hash";

/** Where and how a device run happens: what both runners take. */
export interface DeviceRunTarget {
  transport: Transport;
  device: {
    name: string;
    kind: DeviceKind;
    /** The work directory as the recipe says it (`~/` allowed); the probe resolves it. */
    workdir: string;
    /** Extra environment of the runner (the recipe device's `env`). */
    env?: Record<string, string>;
    /** The node runner's node on the device when it is not on PATH (the recipe device's `runner_path`). */
    nodePath?: string;
  };
  /** The run's id: its folder's name on the device. */
  runId: string;
  sink?: EventSink;
  signal?: AbortSignal;
  /** Keep the run's folder on the device (to look at it); default removed. */
  keepRemote?: boolean;
}

/** A runner's files on the host: pushed to `runners/<id>/` unless the device has `runners/<id>/ready`. */
export interface RunnerFiles {
  /** Names the content (a hash, or a prefix and a hash). */
  id: string;
  /** The host folder the files' `rel` paths start from. */
  dir: string;
  /** Files with their mode: executable ones (any x bit) are made 755 on the device. */
  files: readonly { rel: string; sizeBytes: number; mode: number; local?: string }[];
}

export interface DeployedFiles {
  modelFiles: ModelFiles;
  /** The model's folder on the device (the files keep their names, so external data is found beside the model). */
  modelDir: string;
  /** The runner's folder on the device (when the run pushed one). */
  runnerDir?: string;
  /** The run's folder on the device, made empty. */
  runDir: string;
}

/** Room left free on the device beyond what is pushed. */
const SPARE_BYTES = 16e6;

/** The run's folder made, and the runner and the model pushed unless the device has them (by content). */
export async function deployFiles(
  plan: RunPlan,
  target: DeviceRunTarget,
  probe: DeviceProbe,
  runner: RunnerFiles | undefined,
  transfer: DeviceTransfer,
): Promise<DeployedFiles> {
  const { transport, device } = target;
  const where = { file: plan.modelPath, device: device.name };
  const workdir = probe.workdir;
  const modelFiles = await readModelFiles(plan.modelPath, device.name);
  const runnerDir = runner ? `${workdir}/${RUNNERS_DIR}/${runner.id}` : undefined;
  const haveRunner = !runner || probe.cachedRunners?.includes(runner.id) === true;
  const runnerBytes = runner ? runner.files.reduce((s, f) => s + f.sizeBytes, 0) : 0;

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
  const runDir = `${workdir}/runs/${target.runId}`;
  // One round trip: the run's folder made, and whether the model is there already.
  const prepared = await capture(
    transport,
    ["sh", "-c", 'mkdir -p "$1" && if [ -f "$2" ]; then echo have-model; fi', "sh", runDir, `${modelDir}/ready`],
    "make the run's folder",
  );
  const haveModel = prepared.includes("have-model");

  const needBytes = (haveRunner ? 0 : runnerBytes) + (haveModel ? 0 : modelFiles.sizeBytes);
  if (probe.freeBytes !== undefined && probe.freeBytes < needBytes + SPARE_BYTES) {
    throw new EdgeError(
      "device/disk-full",
      `${device.name} has ${formatBytes(probe.freeBytes)} free in ${workdir}; the run needs ${formatBytes(needBytes + SPARE_BYTES)}`,
      { where, hint: `free space on the device, or set the device's \`workdir\` to a larger file system` },
    );
  }

  if (runner && runnerDir) {
    if (haveRunner) transfer.skippedBytes += runnerBytes;
    else {
      await pushAll(
        runner.files.map((f) => ({
          local: f.local ?? join(runner.dir, ...f.rel.split("/")),
          remote: `${runnerDir}/${f.rel}`,
          sizeBytes: f.sizeBytes,
        })),
        target,
        transfer,
      );
      const programs = runner.files.filter((f) => (f.mode & 0o111) !== 0).map((f) => `${runnerDir}/${f.rel}`);
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
  }
  if (haveModel) transfer.skippedBytes += modelFiles.sizeBytes;
  else {
    await pushAll(
      entries.map((e) => ({ local: e.path, remote: `${modelDir}/${e.name}`, sizeBytes: e.sizeBytes })),
      target,
      transfer,
    );
    await capture(transport, ["touch", `${modelDir}/ready`], "mark the model complete");
  }
  return { modelFiles, modelDir, runnerDir, runDir };
}

/** Pushes files in order, with `progress` events of the deploy step over all of them. */
export async function pushAll(
  files: { local: string; remote: string; sizeBytes: number }[],
  target: DeviceRunTarget,
  transfer: DeviceTransfer,
): Promise<void> {
  const total = files.reduce((s, f) => s + f.sizeBytes, 0);
  let done = 0;
  for (const f of files) {
    target.signal?.throwIfAborted();
    await target.transport.push(f.local, f.remote, {
      signal: target.signal,
      onProgress: (p) => target.sink?.emit({ type: "progress", step: "deploy", done: done + p.doneBytes, total }),
    });
    done += f.sizeBytes;
    transfer.pushedBytes += f.sizeBytes;
    target.sink?.emit({ type: "progress", step: "deploy", done, total });
  }
}

/** A device file's text; undefined when it cannot be read (absent). */
export async function readRemoteText(transport: Transport, path: string): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  const read = await transport.exec(["cat", path], { onStdout: (c) => chunks.push(c) });
  if (read.code !== 0) return undefined;
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Removes the run's folder; with `killPidFile`, first kills (SIGKILL) the process whose pid that file holds, a
 * runner that may have outlived its stop. A device that went away keeps the folder (nothing depends on it).
 */
export async function removeRunFolder(transport: Transport, runDir: string, killPidFile?: string): Promise<void> {
  try {
    await transport.exec(
      killPidFile
        ? [
            "sh",
            "-c",
            'if [ -f "$1" ]; then kill -KILL "$(cat "$1")" 2>/dev/null; fi; rm -rf "$2"',
            "sh",
            killPidFile,
            runDir,
          ]
        : ["rm", "-rf", runDir],
    );
  } catch {
    // The device went away: its run folder stays until the next run's sweep; nothing here depends on it.
  }
}

/** Streams a device file into `localPath` (a temporary name renamed when whole); then removes `removeDir`. */
export async function pullRemoving(
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
export async function capture(transport: Transport, argv: string[], what: string): Promise<string> {
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

/** The device as a report's host, from its probe (what the runner could not say itself). */
export function hostFromProbe(probe: DeviceProbe, versions: { node?: string; onnxruntime?: string } = {}): HostInfo {
  return {
    os: `${probe.os} ${probe.kernel ?? ""} (${probe.arch})`.replace("  ", " "),
    platform: probe.os,
    arch: probe.arch,
    cpuModel: probe.android?.soc ?? "unknown",
    cores: probe.cores ?? 0,
    totalMemoryBytes: probe.totalMemoryBytes ?? 0,
    nodeVersion: versions.node ?? probe.node?.version ?? "unknown",
    onnxruntimeVersion: versions.onnxruntime ?? "unknown",
  };
}

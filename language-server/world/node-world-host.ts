// The real world host: models summarized in a worker thread and cached by path, size and mtime; adb devices from
// `adb devices -l` (cached a few seconds); ssh hosts from ~/.ssh/config; files; quantization findings of past runs.
// The server creates one; tests create one per case with a fake adb and a temporary HOME.
import { promises as fs } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { listAdbDevices } from "./adb-devices";
import { ModelSummaryCache } from "./model-summary-cache";
import { modelFileProblem, summarizeModelFile } from "./model-summary";
import {
  defaultSummaryWorker,
  ModelSummaryWorker,
  type SummaryWorkerLocation,
  type SummaryWorkerOptions,
} from "./model-summary-worker-client";
import { readQuantFindings } from "./quant-findings";
import { sshConfigHosts } from "../../engine/transports";
import type { AdbDevice, WorldHost } from "./world-host";

export interface NodeWorldHostOptions {
  /** Where the summary worker's script is; `false` reads models on the calling thread (tools, not the server). */
  summaryWorker?: SummaryWorkerLocation | false;
  /** The worker's script as a file path (a `.ts` file runs under tsx); `summaryWorker` wins when both are given. */
  workerPath?: string;
  /** Limits of the summary worker: how long a read may take, its heap. */
  summaryLimits?: SummaryWorkerOptions;
  /** Most model summaries kept (default 8). */
  maxCachedModels?: number;
  /** The adb executable (default "adb", found on PATH). */
  adbPath?: string;
  /** How long `adb devices` may take (default 3000 ms) and how long its answer is kept (default 5000 ms). */
  adbTimeoutMs?: number;
  adbCacheMs?: number;
  /** The home folder (default os.homedir()); ~/.ssh/config is read from it unless `sshConfigPath` is given. */
  homeDir?: string;
  sshConfigPath?: string;
  /** How long the ssh hosts are kept (default 5000 ms). */
  sshCacheMs?: number;
}

export interface NodeWorldHost extends WorldHost {
  /** How often the slow things actually ran (the caches' effect, for tests and status). */
  readonly stats: { readonly modelReads: number; readonly adbCalls: number };
  /** Whether a model is being read, and whether a stopped reader has not ended (exit must then be forced). */
  readonly modelReader: { readonly busy: boolean; readonly stuck: boolean };
  /** Stops the summary worker (waits `waitMs` at most, default 1 s). */
  dispose(waitMs?: number): Promise<void>;
}

/** A value computed at most once per `ttlMs`, concurrent callers sharing the computation. */
function cachedFor<T>(ttlMs: number, compute: () => Promise<T>, onCompute: () => void = () => {}): () => Promise<T> {
  let value: { at: number; result: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (value && now - value.at < ttlMs) return value.result;
    onCompute();
    const result = compute();
    value = { at: now, result };
    return result;
  };
}

function workerAt(path: string): SummaryWorkerLocation {
  return { url: pathToFileURL(path), tsx: path.endsWith(".ts") };
}

export function createNodeWorldHost(options: NodeWorldHostOptions = {}): NodeWorldHost {
  const homeDir = options.homeDir ?? homedir();
  const location =
    options.summaryWorker ?? (options.workerPath ? workerAt(options.workerPath) : defaultSummaryWorker());
  const worker = location === false ? undefined : new ModelSummaryWorker(location, options.summaryLimits);
  const models = new ModelSummaryCache(async (path, signal) => {
    // Checked here first, so what is not a regular file (a device, a pipe) never even reaches the worker.
    const problem = await modelFileProblem(path);
    if (problem) return { ok: false, error: problem };
    return worker ? worker.summarize(path, signal) : summarizeModelFile(path);
  }, options.maxCachedModels ?? 8);
  let adbCalls = 0;
  const adbDevices = cachedFor<AdbDevice[]>(
    options.adbCacheMs ?? 5000,
    () => listAdbDevices(options.adbPath ?? "adb", options.adbTimeoutMs ?? 3000),
    () => adbCalls++,
  );
  const sshHosts = cachedFor(options.sshCacheMs ?? 5000, () =>
    sshConfigHosts(options.sshConfigPath ?? join(homeDir, ".ssh", "config"), homeDir),
  );

  return {
    homeDir,
    get stats() {
      return { modelReads: models.reads, adbCalls };
    },
    modelReader: {
      get busy() {
        return worker?.busy ?? false;
      },
      get stuck() {
        return worker?.stuck ?? false;
      },
    },
    modelSummary: (path) => models.get(path),
    cachedModelSummary: (path) => models.cached(path),
    adbDevices,
    sshHosts,
    async pathKind(path) {
      const stat = await fs.stat(path).catch(() => undefined);
      if (!stat) return undefined;
      return stat.isDirectory() ? "directory" : "file";
    },
    async listDirectory(path) {
      let entries;
      try {
        entries = await fs.readdir(path, { withFileTypes: true });
      } catch {
        return [];
      }
      const listed: { name: string; kind: "file" | "directory" }[] = [];
      for (const entry of entries) {
        let directory = entry.isDirectory();
        if (entry.isSymbolicLink())
          directory = (await fs.stat(join(path, entry.name)).catch(() => undefined))?.isDirectory() ?? false;
        listed.push({ name: entry.name, kind: directory ? "directory" : "file" });
      }
      return listed;
    },
    quantFindings: (recipePath, recipeName) => readQuantFindings(recipePath, recipeName),
    dispose: async (waitMs) => {
      await worker?.dispose(waitMs);
    },
  };
}

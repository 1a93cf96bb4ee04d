// report.json: what a run of a recipe measured and decided, written by `edge run` into its run directory
// (`.edge/runs/<id>/`) beside report.md, and read by the extension's report view. Versioned: readers check
// `schemaVersion`; fields are only added within a version. engine/report builds it.
import type { DeviceKind, DeviceProbe } from "./devices";
import type { ErrorCode, Where } from "./error-codes";
import type { BudgetVerdict } from "./budget-verdict";
import type { ArtifactKind } from "./events";
import type { ReportEvaluation } from "./evaluation";
import type { ReportGeneration } from "./generation";
import type { HostInfo, LatencyStats, ModelFile, Throughput } from "./measurements";
import type { GraphOptimization, ReportOptimization } from "./optimization";
import type { ProfileSummary } from "./profile-summary";

export type { BudgetVerdict } from "./budget-verdict";

export const REPORT_SCHEMA_VERSION = 1;
export const REPORT_JSON_FILE = "report.json";
export const REPORT_MD_FILE = "report.md";
/** The recipe as the run resolved it (paths, device), so a report can be traced to exactly what ran. */
export const RECIPE_RESOLVED_FILE = "recipe.resolved.json";

export type RunStatus = "ok" | "aborted" | "failed";

/** An error as report.json and the `error` event carry it (the engine's EdgeError.toJSON()). */
export interface RunErrorInfo {
  code: ErrorCode;
  message: string;
  where: Where;
  hint?: string;
}

export type { DeviceKind };

/** Bytes a device run copied: pushed to the device (runner, model, plan) and skipped as already there. */
export interface DeviceTransfer {
  pushedBytes: number;
  skippedBytes: number;
  pulledBytes: number;
}

export interface ReportArtifact {
  kind: ArtifactKind | "other";
  /** Relative to the run directory. */
  path: string;
}

/** One model input as it was fed. */
export interface ReportInput {
  name: string;
  /** The element type fed ("float32", "int64", …). */
  dtype: string;
  /** The shape fed (for dataset inputs: the first sample's). */
  shape: number[];
  source: "synthetic" | "dataset";
}

export interface ReportModel {
  path: string;
  /** The .onnx file plus its external data files. */
  sizeBytes: number;
  files: ModelFile[];
  inputs: ReportInput[];
  outputs: string[];
}

export type ExecutionMode = "sequential" | "parallel";

/** The session's options with the defaults filled in. */
export interface SessionOptions {
  /** Threads inside one operator; absent or 0 = onnxruntime's default (one per physical core). */
  intraOpThreads?: number;
  /** Threads across operators (only used with executionMode "parallel"); absent or 0 = onnxruntime's default. */
  interOpThreads?: number;
  optimization: GraphOptimization;
  executionMode: ExecutionMode;
  /** onnxruntime's memory pattern optimization (enableMemPattern); absent = onnxruntime's default (on). */
  memoryPattern?: boolean;
  /** onnxruntime's CPU memory arena (enableCpuMemArena); absent = onnxruntime's default (on). */
  cpuArena?: boolean;
}

export interface ReportSession {
  options: SessionOptions;
  /** Exactly what was given to onnxruntime, profiling options aside. */
  ortOptions: Record<string, unknown>;
  /** Time to create the session (load, optimize, allocate); 0 when the run stopped before. */
  creationMs: number;
}

export interface ReportMemory {
  /** Resident set size before the session was created. */
  rssBeforeBytes: number;
  /** Largest RSS sampled after session creation and after every iteration. */
  peakRssBytes: number;
  /** The OS's high-water mark of RSS for this whole process (getrusage maxrss), which includes anything the process did before the run. */
  osMaxRssBytes: number;
}

export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  engineVersion: string;
  runId: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** "failed" also when the run went well but a budget was exceeded (an error `budget/failed` says which). */
  status: RunStatus;
  errors: RunErrorInfo[];
  recipe: { name: string; path?: string };
  /**
   * The machine that ran the model. `host` is what the runner read there (node's view); `probe` is what the engine
   * read of a device it reached over ssh or adb; `transfer` what was copied to it for this run.
   */
  device: { name: string; kind: DeviceKind; host?: HostInfo; probe?: DeviceProbe; transfer?: DeviceTransfer };
  /** null when the run failed before the model was read. */
  model: ReportModel | null;
  /** null when the run failed before a session was made. */
  session: ReportSession | null;
  run: {
    warmupRequested: number;
    warmupDone: number;
    iterationsRequested: number;
    iterationsDone: number;
    seed: number;
    /** Dataset samples fed in rotation; 0 when the inputs were synthetic. */
    datasetSamples: number;
  };
  /** Over the measured iterations; null when there were none. */
  latency: LatencyStats | null;
  latenciesMs: number[];
  warmupLatenciesMs: number[];
  throughput: Throughput | null;
  memory: ReportMemory | null;
  profile: {
    enabled: boolean;
    /** Relative to the run directory. */
    path?: string;
    /** Said when profiling was on: it adds overhead to the measured latencies (and why the profile is incomplete). */
    note?: string;
    /** Why the profile could not be read to its end (truncated, malformed, missing); the summary covers what was read. */
    incomplete?: string;
    summary?: ProfileSummary;
    /**
     * The measured iterations that were profiled, as inclusive ranges of 0-based indices ([[0, 0], [40, 47]]): each
     * was replayed, with the same inputs, on a profiled session of its window, and its kernels streamed live as
     * `kernel` events with that iteration. Absent in reports of older engines and of device runs that profile the
     * whole run.
     */
    profiledIterations?: [number, number][];
    /** How many profiled windows profile.json merges. */
    profiledWindows?: number;
    /** Wall time the profiled windows added to the run (replays, flushes, reads, sessions), ms. */
    profileOverheadMs?: number;
  };
  budgets: BudgetVerdict[];
  artifacts: ReportArtifact[];
  /** What the recipe's quantize and compile steps did (absent when it has neither). */
  optimization?: ReportOptimization;
  /** The produced model against the original (the recipe's `evaluate:` step). */
  evaluation?: ReportEvaluation;
  /**
   * The generation benchmark (`run.generate`): per prompt length, time to first token, prefill and decode rates, the
   * per-step latencies and the tokens; with an optimized model, the original's beside it. Then `latency` is null:
   * the run made no measured iterations.
   */
  generation?: ReportGeneration;
}

/** Profiled iteration ranges for people: [[0, 2], [5, 5]] → "0–2, 5" (at most `max` ranges, then "… (N more)"). */
export function formatIterationRanges(ranges: readonly (readonly [number, number])[], max = 12): string {
  const text = ranges.slice(0, max).map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`));
  if (ranges.length > max) text.push(`… (${ranges.length - max} more)`);
  return text.join(", ");
}

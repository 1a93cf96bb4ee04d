// From a parsed `onnxruntime_perf_test` run to the engine's RunResult (engine/run/result.ts), as far as its figures
// go, and finding the profile it wrote. Pure: the caller (the device run) knows the model, the device and the
// times, pulls the files and passes them in.
//
// What the tool's figures become:
//   - latencies: the result file's per-request times when it was pulled (the engine's own statistics over them),
//     else none, and the statistics are perf-test's printed ones: p50…p99, min and max as it computes them
//     (sorted[floor(n·p)], no interpolation), the mean from its average, and no standard deviation (0, and a note);
//   - session.creationMs: "Session creation time cost"; warm-up: the one untimed inference, its whole-ms time;
//   - throughput: 1000 / average, and requests / "Total inference run time" for the wall clock;
//   - memory: "Peak working set size" is getrusage's ru_maxrss of the whole process, i.e. osMaxRssBytes; it is the
//     best peak known, so peakRssBytes too; the RSS before the session is not known (0, and a note).
// The profile: onnxruntime names it `<prefix>_<YYYY-MM-DD_HH-MM-SS>.json` (InferenceSession::StartProfiling: the
// prefix given to -p, "_", the local time of the session's creation as strftime "%Y-%m-%d_%H-%M-%S", ".json"), in
// the prefix's folder relative to the tool's working directory; perf-test does not print it, so it is found in the
// verbose log when there is one, else by listing the prefix's folder.
import { posix } from "node:path";
import type { LatencyStats } from "../../run/stats";
import { latencyStats, throughput } from "../../run/stats";
import { planDefaults, type RunPlan } from "../../run/plan";
import type { RunProfile } from "../../run/profile-capture";
import type { RunResult } from "../../run/result";
import type { PerfTestOutput } from "./parse-perf-test";

/** Where the statistics came from. */
export type PerfTestStatsSource = "per-request" | "printed-percentiles" | "none";

export interface PerfTestRunInput {
  plan: RunPlan;
  parsed: PerfTestOutput;
  /** The arguments given to the tool (recorded as the session's ortOptions). */
  args: readonly string[];
  /** The notes of perfTestArgs (what the tool could not do). */
  argNotes?: readonly string[];
  device: RunResult["device"];
  model: RunResult["model"];
  startedAt: string;
  endedAt: string;
  /** The pulled and summarized profile, when there is one (the caller reads it like a local run's). */
  profile?: Partial<RunProfile>;
}

export interface PerfTestRunResult {
  result: RunResult;
  statsSource: PerfTestStatsSource;
  /** What the report should say about figures the tool does not give. */
  notes: string[];
}

/** The RunResult of a finished perf-test run. */
export function perfTestRunResult(input: PerfTestRunInput): PerfTestRunResult {
  const { plan, parsed } = input;
  const notes = [...(input.argNotes ?? [])];
  const session = plan.session ?? {};

  let latenciesMs: number[] = [];
  let stats: LatencyStats | null;
  let statsSource: PerfTestStatsSource;
  if (parsed.latenciesMs && parsed.latenciesMs.length > 0) {
    latenciesMs = parsed.latenciesMs;
    stats = latencyStats(latenciesMs);
    statsSource = "per-request";
    if (latenciesMs.length !== parsed.iterations) {
      notes.push(`the result file has ${latenciesMs.length} requests, the output says ${parsed.iterations}`);
    }
  } else {
    stats = printedStats(parsed);
    statsSource = stats ? "printed-percentiles" : "none";
    notes.push(
      stats
        ? "per-request latencies were not available: the statistics are onnxruntime_perf_test's own (percentiles without interpolation, no standard deviation)"
        : "onnxruntime_perf_test printed no percentiles (run it with -s): only the average is known",
    );
  }

  const wallClockMs = parsed.runTimeMs ?? parsed.totalInferenceMs ?? parsed.averageMs * parsed.iterations;
  const tp = throughput(stats, parsed.iterations, wallClockMs);
  if (!stats) tp.fromMeanIps = parsed.averageMs > 0 ? 1000 / parsed.averageMs : null;

  const peak = parsed.peakWorkingSetBytes;
  if (peak === undefined) notes.push("onnxruntime_perf_test printed no peak working set: memory is unknown (0)");
  else
    notes.push(
      "memory is the perf-test process's peak working set (ru_maxrss); the RSS before the session is not known",
    );

  const profileEnabled = plan.profile ?? false;
  const profile: RunResult["profile"] = { enabled: profileEnabled, ...(profileEnabled ? input.profile : {}) };
  if (profileEnabled && !input.profile?.path && profile.incomplete === undefined) {
    profile.incomplete = "onnxruntime_perf_test's profile was not brought back from the device";
  }

  const startMs = Date.parse(input.startedAt);
  const endMs = Date.parse(input.endedAt);
  const result: RunResult = {
    status: "ok",
    startedAt: input.startedAt,
    endedAt: input.endedAt,
    durationMs: Number.isFinite(endMs - startMs) ? Math.max(0, endMs - startMs) : 0,
    device: input.device,
    model: input.model,
    session: {
      options: {
        ...session,
        optimization: session.optimization ?? planDefaults.optimization,
        executionMode: session.executionMode ?? planDefaults.executionMode,
      },
      ortOptions: { runner: "onnxruntime_perf_test", args: [...input.args] },
      creationMs: parsed.sessionCreationMs ?? 0,
    },
    warmup: {
      requested: plan.warmup ?? planDefaults.warmup,
      done: 1,
      latenciesMs: parsed.firstInferenceMs !== undefined ? [parsed.firstInferenceMs] : [],
    },
    iterations: { requested: plan.iterations ?? planDefaults.iterations, done: parsed.iterations },
    latenciesMs,
    stats,
    throughput: tp,
    memory: { rssBeforeBytes: 0, peakRssBytes: peak ?? 0, osMaxRssBytes: peak ?? 0 },
    profile,
    datasetSamples: 0,
    seed: plan.seed ?? planDefaults.seed,
  };
  return { result, statsSource, notes };
}

/** LatencyStats from perf-test's printed block: null unless p50, p90, p95, p99, min and max are all there. */
export function printedStats(parsed: PerfTestOutput): LatencyStats | null {
  const s = parsed.stats;
  if (
    s.minMs === undefined ||
    s.maxMs === undefined ||
    s.p50Ms === undefined ||
    s.p90Ms === undefined ||
    s.p95Ms === undefined ||
    s.p99Ms === undefined
  ) {
    return null;
  }
  return {
    count: parsed.iterations,
    meanMs: parsed.averageMs,
    stdevMs: 0,
    minMs: s.minMs,
    maxMs: s.maxMs,
    p50Ms: s.p50Ms,
    p90Ms: s.p90Ms,
    p95Ms: s.p95Ms,
    p99Ms: s.p99Ms,
  };
}

const TIME_STAMP = String.raw`\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}`;

/** The folder where the profile lands (relative prefixes are relative to the tool's working directory). */
export function profileFolder(prefix: string): string {
  return posix.dirname(prefix);
}

/** Whether `name` (a file name, no folder) is a profile onnxruntime wrote for `prefix`. */
export function isProfileFileName(prefix: string, name: string): boolean {
  const base = posix.basename(prefix).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${base}_${TIME_STAMP}\\.json$`).test(name);
}

/**
 * The profile's path on the device: the one named in the output (verbose log) when it is there, else the newest
 * of `listing` (the names in profileFolder(prefix)) that fits the pattern; undefined when there is none.
 */
export function findProfileFile(
  prefix: string,
  sources: { parsed?: Pick<PerfTestOutput, "profilePath">; listing?: readonly string[] },
): string | undefined {
  const named = sources.parsed?.profilePath;
  if (named && isProfileFileName(prefix, posix.basename(named))) return named;
  const names = (sources.listing ?? [])
    .map((n) => posix.basename(n.trim()))
    .filter((n) => isProfileFileName(prefix, n));
  if (names.length === 0) return named;
  // The time stamp sorts as text; the latest is the run just made.
  names.sort();
  return posix.join(profileFolder(prefix), names[names.length - 1]);
}

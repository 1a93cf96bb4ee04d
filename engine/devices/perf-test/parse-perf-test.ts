// Reading what `onnxruntime_perf_test` prints (and its result file) into numbers. Pure: text in, figures out.
//
// The forms it knows, from onnxruntime/test/perftest/performance_runner.cc over the years (the fixtures in
// test/fixtures/perf-test/ say which source each comes from):
//   - before 2020: `Total time cost:<s>`, `Total iterations:<n>`, `Average time cost:<ms> ms`, `Total run time:<s> s`
//     and `Min Latency is <s>sec` … `P999 Latency is <s>sec`;
//   - 2020 (PR #2798, ~1.2): `Session creation time cost:<s> s`, `Total inference time cost:<s> s`, `Total inference
//     requests:<n>`, `Average inference time cost:<ms> ms`, `Total inference run time:<s> s` (no space after ':');
//   - 1.3 to ~1.11: the same with a space after ':', plus `Avg CPU usage: <n> %` and `Peak working set size: <n>
//     bytes`; without a result file `Avg CPU usage:<n>`, `Peak working set size:<n>`, `Runs:<n>` again; with -s
//     `Min Latency: <s> s` … `P999 Latency: <s> s`;
//   - ~1.12 to ~1.22: plus `First inference time cost: <ms> ms` (whole ms) and `Number of inferences per second: <x>`;
//   - since PR #25895 (September 2025): `Average inference time cost total: <ms> ms` (and, with -g, `Average
//     inference time cost submission: <ms> ms`); with --data_shape, indented per-shape blocks, which are skipped.
// None of them prints onnxruntime's version. The profile's file name appears only in onnxruntime's verbose log
// (`Writing profiler data to file <path>`, with -v, on stderr). Unknown lines are ignored. Without the request
// count or the average the output is not a finished run: a `device/runner` error shows the output's tail.
import { EdgeError } from "../../errors";

export type PerfTestForm = "legacy" | "classic" | "total";

/** perf-test's own percentiles: sorted[floor(n * p)] of the measured requests, in ms. */
export interface PerfTestPrintedStats {
  minMs?: number;
  maxMs?: number;
  p50Ms?: number;
  p90Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  p999Ms?: number;
}

export interface PerfTestOutput {
  /** "legacy": before 2020; "classic": `Average inference time cost:`; "total": `… cost total:` (2025 on). */
  form: PerfTestForm;
  /** Measured requests (`Total inference requests`, `Runs`, `Total iterations`). */
  iterations: number;
  /** Mean time of one measured request. */
  averageMs: number;
  /** With -g (CUDA I/O binding): the mean time to submit a request. */
  averageSubmissionMs?: number;
  sessionCreationMs?: number;
  /** The untimed warm-up inference, in whole ms as printed. */
  firstInferenceMs?: number;
  /** Sum of the measured requests' times. */
  totalInferenceMs?: number;
  /** Wall-clock time of the measured loop. */
  runTimeMs?: number;
  inferencesPerSecond?: number;
  /** Process CPU time / wall time / cores, in percent (-1 when the tool's counter overflowed). */
  cpuUsagePercent?: number;
  /** getrusage's ru_maxrss × 1024 on POSIX: the whole process's high-water mark. */
  peakWorkingSetBytes?: number;
  stats: PerfTestPrintedStats;
  /** Per-request latencies, from the result file (parsePerfTestResultFile); stdout never has them. */
  latenciesMs?: number[];
  /** From onnxruntime's verbose log, when the output includes it. */
  profilePath?: string;
  /** Never printed by the versions read; kept for builds that print it (`onnxruntime version: X`). */
  ortVersion?: string;
}

const NUM = String.raw`([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)`;
const line = (body: string) => new RegExp(`^${body}\\s*$`);

type Setter = (out: Partial<PerfTestOutput>, value: string) => void;

/** Line patterns (a line is matched as it is, trailing spaces aside: indented lines belong to per-shape blocks). */
const patterns: [RegExp, Setter][] = [
  [line(`Session creation time cost:\\s*${NUM}\\s*s`), (o, v) => (o.sessionCreationMs = secondsToMs(v))],
  [line(`First inference time cost:\\s*${NUM}\\s*ms`), (o, v) => (o.firstInferenceMs = Number(v))],
  [line(`Total inference time cost:\\s*${NUM}(?:\\s*s)?`), (o, v) => (o.totalInferenceMs = secondsToMs(v))],
  [line(`Total inference requests:\\s*(\\d+)`), (o, v) => (o.iterations = Number(v))],
  [
    line(`Average inference time cost:\\s*${NUM}\\s*ms`),
    (o, v) => {
      o.averageMs = Number(v);
      o.form = "classic";
    },
  ],
  [
    line(`Average inference time cost total:\\s*${NUM}\\s*ms`),
    (o, v) => {
      o.averageMs = Number(v);
      o.form = "total";
    },
  ],
  [line(`Average inference time cost submission:\\s*${NUM}\\s*ms`), (o, v) => (o.averageSubmissionMs = Number(v))],
  [line(`Total inference run time:\\s*${NUM}\\s*s`), (o, v) => (o.runTimeMs = secondsToMs(v))],
  [line(`Number of inferences per second:\\s*${NUM}`), (o, v) => (o.inferencesPerSecond = Number(v))],
  [line(`Avg CPU usage:\\s*(-?\\d+)(?:\\s*%)?`), (o, v) => (o.cpuUsagePercent = Number(v))],
  [line(`Peak working set size:\\s*(\\d+)(?:\\s*bytes)?`), (o, v) => (o.peakWorkingSetBytes = Number(v))],
  [line(`Runs:\\s*(\\d+)`), (o, v) => (o.iterations ??= Number(v))],
  // Before 2020.
  [line(`Total time cost:\\s*${NUM}(?:\\s*s)?`), (o, v) => (o.totalInferenceMs = secondsToMs(v))],
  [line(`Total iterations:\\s*(\\d+)`), (o, v) => (o.iterations = Number(v))],
  [
    line(`Average time cost:\\s*${NUM}\\s*ms`),
    (o, v) => {
      o.averageMs = Number(v);
      o.form = "legacy";
    },
  ],
  [line(`Total run time:\\s*${NUM}\\s*s`), (o, v) => (o.runTimeMs = secondsToMs(v))],
];

const statLine = new RegExp(`^(Min|Max|P50|P90|P95|P99|P999) Latency(?::\\s*| is\\s*)${NUM}\\s*(?:s|sec)\\s*$`);
const statKey: Record<string, keyof PerfTestPrintedStats> = {
  Min: "minMs",
  Max: "maxMs",
  P50: "p50Ms",
  P90: "p90Ms",
  P95: "p95Ms",
  P99: "p99Ms",
  P999: "p999Ms",
};
const profileLine = /Writing profiler data to file (\S.*?)\s*$/;
const versionLine = /onnxruntime version:?\s*v?(\d+\.\d+\.\d+\S*)/i;
const runFailed = /^Run failed:\s*(.*)$/;
const noTestData = /^there is no test (?:input )?data for/;

/** How many lines of the output an error shows. */
export const OUTPUT_TAIL_LINES = 15;

/**
 * The figures of one run's stdout (stderr may be appended: unknown lines are ignored). Throws a `device/runner`
 * EdgeError when the tool reported a failure or when the request count or the average is missing.
 */
export function parsePerfTestOutput(text: string, options: { deviceName?: string } = {}): PerfTestOutput {
  const out: Partial<PerfTestOutput> = {};
  const stats: PerfTestPrintedStats = {};
  const lines = text.split(/\r?\n/);
  let failure: string | undefined;
  let needsTestData = false;
  for (const raw of lines) {
    const l = raw.replace(/\s+$/, "");
    const profile = profileLine.exec(l);
    if (profile) out.profilePath = profile[1];
    const version = versionLine.exec(l);
    if (version) out.ortVersion = version[1];
    const failed = runFailed.exec(l);
    if (failed) failure = failed[1] || "(no message)";
    if (noTestData.test(l)) needsTestData = true;
    const stat = statLine.exec(l);
    if (stat) {
      stats[statKey[stat[1]]] = secondsToMs(stat[2]);
      continue;
    }
    for (const [re, set] of patterns) {
      const m = re.exec(l);
      if (m) {
        set(out, m[1]);
        break;
      }
    }
  }

  const where = { device: options.deviceName };
  const tail = outputTail(lines);
  if (failure !== undefined || needsTestData) {
    throw new EdgeError(
      "device/runner",
      `onnxruntime_perf_test failed: ${failure ?? "the model has no test data"}\n${tail}`,
      {
        where,
        hint: needsTestData
          ? "run it with -I (generate inputs), or push test_data_set_* folders beside the model"
          : undefined,
      },
    );
  }
  const missing: string[] = [];
  if (out.iterations === undefined) missing.push("request count ('Total inference requests')");
  if (out.averageMs === undefined || !Number.isFinite(out.averageMs))
    missing.push("average time ('Average inference time cost')");
  if (missing.length > 0) {
    throw new EdgeError(
      "device/runner",
      `onnxruntime_perf_test's output has no ${missing.join(" and no ")}: the run did not finish or printed a form Edge Studio does not know\n${tail}`,
      {
        where,
        hint: "run the same command by hand on the device and compare its output with the forms in engine/devices/README.md",
      },
    );
  }
  for (const k of ["inferencesPerSecond", "runTimeMs", "totalInferenceMs", "sessionCreationMs"] as const) {
    if (out[k] !== undefined && !Number.isFinite(out[k])) delete out[k];
  }
  return { ...(out as PerfTestOutput), stats };
}

/**
 * Per-request latencies (ms, in run order) from the result file (`model,seconds,peak,cpu,run` per request; a
 * six-column form puts the total time after the submission time, and the total is taken). The statistics block
 * after the blank line and anything else that is not such a row is skipped.
 */
export function parsePerfTestResultFile(text: string): number[] {
  const rows: { run: number; ms: number }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const cells = raw.trim().split(",");
    if (cells.length < 5) continue;
    // From the right (a model name may contain commas): run index, cpu, peak, then the time. With six columns
    // (model, submission, total, peak, cpu, run) the same place holds the total.
    const run = cells[cells.length - 1];
    const time = cells[cells.length - 4];
    if (!/^\d+$/.test(run) || !isNumber(time)) continue;
    rows.push({ run: Number(run), ms: secondsToMs(time) });
  }
  return rows.sort((a, b) => a.run - b.run).map((r) => r.ms);
}

function isNumber(s: string | undefined): s is string {
  return s !== undefined && new RegExp(`^${NUM}$`).test(s.trim());
}

/**
 * Seconds as printed → milliseconds, by moving the decimal exponent (so "0.0958204" gives exactly 95.8204, not
 * 95.82039999999999 as × 1000 would).
 */
export function secondsToMs(text: string): number {
  const [mantissa, exponent] = text.trim().split(/[eE]/);
  return Number(`${mantissa}e${(exponent === undefined ? 0 : Number(exponent)) + 3}`);
}

function outputTail(lines: string[]): string {
  const kept = lines.map((l) => l.replace(/\s+$/, "")).filter((l) => l !== "");
  if (kept.length === 0) return "(the output was empty)";
  const tail = kept.slice(-OUTPUT_TAIL_LINES);
  return `${kept.length > tail.length ? "… " : ""}last output:\n${tail.map((l) => `  ${l}`).join("\n")}`;
}

// The perf-test runner adapter: the onnxruntime_perf_test arguments for several plans (and that a real getopt
// reads them as the tool's 2023 option string says), its output in every form parsed to exact numbers (recorded
// outputs: ONNX Runtime cannot be built here; test/fixtures/perf-test/README.md says where each comes from), the
// errors for unfinished runs, the RunResult it becomes, and finding the profile file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EdgeError } from "../../engine/errors";
import { perfTestArgs } from "../../engine/devices/perf-test/perf-test-args";
import {
  parsePerfTestOutput,
  parsePerfTestResultFile,
  secondsToMs,
} from "../../engine/devices/perf-test/parse-perf-test";
import {
  findProfileFile,
  isProfileFileName,
  perfTestRunResult,
  printedStats,
} from "../../engine/devices/perf-test/perf-test-result";
import type { RunPlan } from "../../engine/run/plan";
import type { RunResult } from "../../engine/run/result";

const FIXTURES = "test/fixtures/perf-test";
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const MODEL = "/data/local/tmp/edge/models/ab12/model.onnx";
const plan = (extra: Partial<RunPlan> = {}): RunPlan => ({ modelPath: "model.onnx", outDir: "/tmp/x", ...extra });

void test("args: defaults are 10 fixed repetitions on the CPU with generated inputs and statistics", () => {
  const { args, notes, warmupRuns } = perfTestArgs(plan(), { modelPath: MODEL });
  assert.deepEqual(args, ["-m", "times", "-r", "10", "-e", "cpu", "-o", "99", "-I", "-s", MODEL]);
  assert.equal(warmupRuns, 1);
  // The plan's default warm-up is 0, and the tool always does one.
  assert.equal(notes.length, 1);
  assert.match(notes[0], /exactly one untimed warm-up/);
});

void test("args: threads, parallel executor, optimization level, memory options and dims", () => {
  const { args, notes } = perfTestArgs(
    plan({
      iterations: 200,
      warmup: 1,
      dims: { batch: 1, sequence: 64 },
      session: {
        intraOpThreads: 4,
        interOpThreads: 2,
        executionMode: "parallel",
        optimization: "basic",
        memoryPattern: false,
        cpuArena: false,
      },
    }),
    { modelPath: MODEL, inputSeed: 7 },
  );
  assert.deepEqual(args, [
    ...["-m", "times", "-r", "200", "-e", "cpu"],
    ...["-x", "4", "-y", "2", "-o", "1", "-P", "-M", "-A"],
    ...["-I", "-f", "batch:1", "-f", "sequence:64", "-S", "7", "-s", MODEL],
  ]);
  assert.deepEqual(notes, []);
  // Zero threads means onnxruntime's default: no flag; sequential with inter-op threads says they do nothing.
  const seq = perfTestArgs(plan({ warmup: 1, session: { intraOpThreads: 0, interOpThreads: 3 } }), {
    modelPath: MODEL,
  });
  assert.ok(!seq.args.includes("-x") && !seq.args.includes("-P"));
  assert.deepEqual(seq.args.slice(seq.args.indexOf("-y"), seq.args.indexOf("-y") + 2), ["-y", "3"]);
  assert.match(seq.notes.join("\n"), /parallel executor/);
  for (const [optimization, level] of [
    ["disabled", "0"],
    ["extended", "2"],
    ["all", "99"],
  ] as const) {
    const a = perfTestArgs(plan({ session: { optimization } }), { modelPath: MODEL }).args;
    assert.equal(a[a.indexOf("-o") + 1], level);
  }
});

void test("args: provider with options, profiling prefix, result file, and what the tool cannot do", () => {
  const { args, notes } = perfTestArgs(
    plan({
      iterations: 50,
      warmup: 5,
      profile: true,
      inputs: { x: { shape: [1, 3] } },
      samples: [{}],
    }),
    {
      modelPath: "-odd.onnx",
      provider: "qnn",
      providerOptions: { backend_path: "libQnnHtp.so", htp_performance_mode: "burst" },
      profilePrefix: "/data/local/tmp/edge/run-1/ort",
      resultFile: "/data/local/tmp/edge/run-1/result.csv",
    },
  );
  assert.deepEqual(args, [
    ...["-m", "times", "-r", "50", "-e", "qnn", "-i", "backend_path|libQnnHtp.so htp_performance_mode|burst"],
    ...["-o", "99", "-I", "-p", "/data/local/tmp/edge/run-1/ort", "-s"],
    // A path starting with '-' would be read as a flag.
    ...["./-odd.onnx", "/data/local/tmp/edge/run-1/result.csv"],
  ]);
  assert.equal(notes.length, 3);
  assert.match(notes[0], /plan's 5 was not honoured/);
  assert.match(notes[1], /per-input shapes/);
  assert.match(notes[2], /dataset samples/);
  for (const provider of ["nnapi", "xnnpack", "cpu"] as const) {
    const a = perfTestArgs(plan(), { modelPath: MODEL, provider }).args;
    assert.equal(a[a.indexOf("-e") + 1], provider);
  }
});

void test("args: refusals are recipe errors naming the device", () => {
  const refuse = (p: RunPlan, t: Parameters<typeof perfTestArgs>[1], pattern: RegExp) =>
    assert.throws(
      () => perfTestArgs(p, { deviceName: "pixel", ...t }),
      (e: unknown) => e instanceof EdgeError && pattern.test(e.message) && e.where.device === "pixel",
    );
  refuse(plan({ iterations: 0 }), { modelPath: MODEL }, /at least one measured iteration/);
  refuse(plan(), { modelPath: MODEL, provider: "tpu" as never }, /no execution provider "tpu"/);
  refuse(plan(), { modelPath: MODEL, providerOptions: { a: "b c" } }, /cannot be given/);
  refuse(plan(), { modelPath: MODEL, providerOptions: { "a|b": "c" } }, /cannot be given/);
  refuse(plan({ dims: { "bad name": 1 } }), { modelPath: MODEL }, /cannot be given/);
  refuse(plan({ dims: { batch: 0 } }), { modelPath: MODEL }, /cannot be given/);
  refuse(plan({ profile: true }), { modelPath: MODEL }, /profile prefix/);
});

// The tool's getopt option string in command_args_parser.cc (2023, commit 8f117002): a letter with ':' takes a value.
const GETOPT_2023 = "k:b:m:e:r:t:p:x:y:c:d:o:u:i:f:F:S:T:AMPIDZvhsqz";
const PYTHON = "/usr/bin/python3";

void test("args: a real getopt reads them as the tool would (every flag known, values taken, the model positional)", (t) => {
  if (!existsSync(PYTHON)) return t.skip(`${PYTHON} is missing`);
  const { args } = perfTestArgs(
    plan({
      iterations: 20,
      profile: true,
      dims: { batch: 2 },
      session: { intraOpThreads: 2, interOpThreads: 2, executionMode: "parallel", memoryPattern: false },
    }),
    {
      modelPath: MODEL,
      provider: "xnnpack",
      providerOptions: { intra_op_num_threads: "2" },
      profilePrefix: "prof",
      inputSeed: 1,
      resultFile: "r.csv",
    },
  );
  const script = [
    "import getopt, json, sys",
    "opts, rest = getopt.getopt(json.loads(sys.argv[1]), sys.argv[2])",
    "print(json.dumps({'opts': opts, 'rest': rest}))",
  ].join("\n");
  const run = spawnSync(PYTHON, ["-c", script, JSON.stringify(args), GETOPT_2023], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const parsed = JSON.parse(run.stdout) as { opts: [string, string][]; rest: string[] };
  assert.deepEqual(parsed.rest, [MODEL, "r.csv"]);
  const opts = new Map(parsed.opts);
  assert.equal(opts.get("-m"), "times");
  assert.equal(opts.get("-r"), "20");
  assert.equal(opts.get("-e"), "xnnpack");
  assert.equal(opts.get("-x"), "2");
  assert.equal(opts.get("-y"), "2");
  assert.equal(opts.get("-p"), "prof");
  assert.equal(opts.get("-f"), "batch:2");
  assert.equal(opts.get("-i"), "intra_op_num_threads|2");
  for (const flag of ["-P", "-M", "-I", "-s"]) assert.equal(opts.get(flag), "", flag);
});

void test("parse: the 2020 form (1.3 to ~1.11) to exact numbers", () => {
  const out = parsePerfTestOutput(fixture("classic-2020.stdout.txt"));
  assert.deepEqual(out, {
    form: "classic",
    sessionCreationMs: 87.4312,
    totalInferenceMs: 435.032,
    iterations: 20,
    averageMs: 21.7516,
    runTimeMs: 435.356,
    cpuUsagePercent: 48,
    peakWorkingSetBytes: 41529344,
    stats: {
      minMs: 20.4462,
      maxMs: 23.9961,
      p50Ms: 21.8471,
      p90Ms: 23.5247,
      p95Ms: 23.9961,
      p99Ms: 23.9961,
      p999Ms: 23.9961,
    },
  });
});

void test("parse: the 2022 form with the first inference and inferences per second", () => {
  const out = parsePerfTestOutput(fixture("first-inference-2022.stdout.txt"));
  assert.equal(out.form, "classic");
  assert.equal(out.firstInferenceMs, 19);
  assert.equal(out.sessionCreationMs, 41.2968);
  assert.equal(out.iterations, 30);
  assert.equal(out.averageMs, 12.1415);
  assert.equal(out.runTimeMs, 364.655);
  assert.equal(out.inferencesPerSecond, 82.2696);
  assert.equal(out.peakWorkingSetBytes, 58621952);
  assert.equal(out.stats.p50Ms, 12.133);
  assert.equal(out.stats.p999Ms, 13.4406);
});

void test("parse: the 2025 form ('Average inference time cost total') and its result file", () => {
  const out = parsePerfTestOutput(fixture("total-2025.stdout.txt"));
  assert.deepEqual(out, {
    form: "total",
    sessionCreationMs: 169.475,
    firstInferenceMs: 12,
    totalInferenceMs: 182.735,
    iterations: 25,
    averageMs: 7.309408,
    runTimeMs: 182.872,
    inferencesPerSecond: 136.708,
    cpuUsagePercent: 97,
    peakWorkingSetBytes: 91336704,
    stats: {
      minMs: 6.92745,
      maxMs: 7.59517,
      p50Ms: 7.35299,
      p90Ms: 7.56128,
      p95Ms: 7.58612,
      p99Ms: 7.59517,
      p999Ms: 7.59517,
    },
  });
  const latencies = parsePerfTestResultFile(fixture("total-2025.result.csv"));
  assert.equal(latencies.length, 25);
  assert.equal(latencies[0], 7.58612);
  assert.equal(latencies[3], 7.43);
  assert.equal(latencies[24], 7.47535);
  // The tool's average is the mean of the same times.
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  assert.ok(Math.abs(mean - out.averageMs) < 1e-6, `${mean} vs ${out.averageMs}`);
  // Six columns (submission, total): the total is taken; rows come back in run order.
  assert.deepEqual(parsePerfTestResultFile("m,0.001,0.002,100,50,1\nm,a,b,c\nm,0.003,0.004,100,50,0\n"), [4, 2]);
});

void test("parse: the forms before 2020, without spaces, with merged stderr, per-shape blocks and CRLF", () => {
  const legacy = parsePerfTestOutput(
    [
      "Total time cost:12.5",
      "Total iterations:500",
      "Average time cost:25 ms",
      "Total run time:12.5031 s",
      "Min Latency is 0.0231sec",
      "Max Latency is 0.0312sec",
      "P50 Latency is 0.0249sec",
      "P90 Latency is 0.0268sec",
      "P95 Latency is 0.0277sec",
      "P99 Latency is 0.0301sec",
      "P999 Latency is 0.0312sec",
    ].join("\n"),
  );
  assert.equal(legacy.form, "legacy");
  assert.equal(legacy.iterations, 500);
  assert.equal(legacy.averageMs, 25);
  assert.equal(legacy.totalInferenceMs, 12500);
  assert.equal(legacy.runTimeMs, 12503.1);
  assert.equal(legacy.stats.p95Ms, 27.7);

  const nospace = parsePerfTestOutput(
    [
      "2020-01-08 11:14:46.9047758 [W:onnxruntime:, graph.cc:2412 CleanUnusedInitializers] Removing initializer 'w'.",
      "Session creation time cost:1.84149 s",
      "Total inference time cost:0.734606 s",
      "Total inference requests:1",
      "Average inference time cost:734.606 ms",
      "Total inference run time:0.734761 s",
      "2025-01-01 10:00:00.1 [I:onnxruntime:, profiler.cc:120 EndProfiling] Writing profiler data to file ort_2025-01-01_10-00-00.json",
    ].join("\r\n"),
  );
  assert.equal(nospace.sessionCreationMs, 1841.49);
  assert.equal(nospace.iterations, 1);
  assert.equal(nospace.averageMs, 734.606);
  assert.equal(nospace.profilePath, "ort_2025-01-01_10-00-00.json");
  assert.deepEqual(nospace.stats, {});

  // Per-shape blocks are indented (and in ms): they do not overwrite the overall figures.
  const shaped = parsePerfTestOutput(
    fixture("total-2025.stdout.txt") +
      "\nShape group 1 (5 iterations):\n  Min Latency: 0.5 s\n  P50 Latency: 0.9 s\n" +
      "Latency per shape group:\n      P50 Latency: 900 ms\nAverage inference time cost submission: 1.25 ms\n",
  );
  assert.equal(shaped.stats.minMs, 6.92745);
  assert.equal(shaped.stats.p50Ms, 7.35299);
  assert.equal(shaped.averageSubmissionMs, 1.25);
});

void test("parse: seconds become milliseconds exactly, scientific notation included", () => {
  assert.equal(secondsToMs("0.0958204"), 95.8204);
  assert.equal(secondsToMs("1.2e-05"), 0.012);
  assert.equal(secondsToMs("3"), 3000);
});

void test("parse: a truncated or failed run is a device/runner error naming what is missing, with the output's tail", () => {
  assert.throws(
    () => parsePerfTestOutput(fixture("truncated.stdout.txt"), { deviceName: "board" }),
    (e: unknown) => {
      assert.ok(e instanceof EdgeError);
      assert.equal(e.code, "device/runner");
      assert.equal(e.where.device, "board");
      assert.match(e.message, /has no average time \('Average inference time cost'\)/);
      assert.doesNotMatch(e.message, /request count/);
      assert.match(e.message, /last output:\n {2}Setting intra_op_num_threads to 4\n/);
      assert.match(e.message, / {2}Average inference time cos$/);
      return true;
    },
  );
  assert.throws(
    () => parsePerfTestOutput(""),
    (e: unknown) => e instanceof EdgeError && /request count/.test(e.message) && /output was empty/.test(e.message),
  );
  // A long output shows only its last lines.
  const long = Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n");
  assert.throws(
    () => parsePerfTestOutput(long),
    (e: unknown) =>
      e instanceof EdgeError && /… last output:\n {2}line 25\n/.test(e.message) && !/line 24/.test(e.message),
  );
  assert.throws(
    () =>
      parsePerfTestOutput(
        "Session creation time cost: 0.1 s\nRun failed:Non-zero status code returned while running Conv node.\n",
      ),
    (e: unknown) =>
      e instanceof EdgeError && e.code === "device/runner" && /failed: Non-zero status code/.test(e.message),
  );
  assert.throws(
    () => parsePerfTestOutput("there is no test data for model model\n"),
    (e: unknown) => e instanceof EdgeError && /-I/.test(e.hint ?? ""),
  );
});

const device: RunResult["device"] = {
  name: "board",
  kind: "local",
  host: {
    os: "Linux 6.1 (arm64)",
    platform: "linux",
    arch: "arm64",
    cpuModel: "Cortex-A76",
    cores: 4,
    totalMemoryBytes: 4e9,
    nodeVersion: "",
    onnxruntimeVersion: "",
  },
};
const model: RunResult["model"] = { path: "model.onnx", sizeBytes: 10, files: [], inputs: [], outputs: ["y"] };
const times = { startedAt: "2025-01-01T10:00:00.000Z", endedAt: "2025-01-01T10:00:02.500Z" };

void test("result: printed percentiles when the per-request times are not there, memory from the peak working set", () => {
  const parsed = parsePerfTestOutput(fixture("first-inference-2022.stdout.txt"));
  const p = plan({ iterations: 30, warmup: 1, session: { intraOpThreads: 4 } });
  const inv = perfTestArgs(p, { modelPath: MODEL });
  const { result, statsSource, notes } = perfTestRunResult({
    plan: p,
    parsed,
    args: inv.args,
    argNotes: inv.notes,
    device,
    model,
    ...times,
  });
  assert.equal(statsSource, "printed-percentiles");
  assert.match(notes.join("\n"), /statistics are onnxruntime_perf_test's own/);
  assert.match(notes.join("\n"), /peak working set/);
  assert.equal(result.status, "ok");
  assert.equal(result.durationMs, 2500);
  assert.deepEqual(result.stats, {
    count: 30,
    meanMs: 12.1415,
    stdevMs: 0,
    minMs: 11.1165,
    maxMs: 13.4406,
    p50Ms: 12.133,
    p90Ms: 13.1462,
    p95Ms: 13.1878,
    p99Ms: 13.4406,
  });
  assert.deepEqual(result.latenciesMs, []);
  assert.equal(result.session.creationMs, 41.2968);
  assert.deepEqual(result.session.options, { intraOpThreads: 4, optimization: "all", executionMode: "sequential" });
  assert.deepEqual(result.session.ortOptions, { runner: "onnxruntime_perf_test", args: inv.args });
  assert.deepEqual(result.warmup, { requested: 1, done: 1, latenciesMs: [19] });
  assert.deepEqual(result.iterations, { requested: 30, done: 30 });
  assert.equal(result.throughput.fromMeanIps, 1000 / 12.1415);
  assert.equal(result.throughput.wallClockMs, 364.655);
  assert.equal(result.throughput.wallClockIps, (30 * 1000) / 364.655);
  assert.deepEqual(result.memory, { rssBeforeBytes: 0, peakRssBytes: 58621952, osMaxRssBytes: 58621952 });
  assert.deepEqual(result.profile, { enabled: false });
  assert.equal(result.device, device);
});

void test("result: the result file's times give the engine's own statistics; a profile not brought back is said", () => {
  const parsed = parsePerfTestOutput(fixture("total-2025.stdout.txt"));
  parsed.latenciesMs = parsePerfTestResultFile(fixture("total-2025.result.csv"));
  const p = plan({ iterations: 25, profile: true, seed: 3 });
  const { result, statsSource, notes } = perfTestRunResult({ plan: p, parsed, args: [], device, model, ...times });
  assert.equal(statsSource, "per-request");
  assert.doesNotMatch(notes.join("\n"), /statistics are onnxruntime_perf_test's own/);
  assert.equal(result.latenciesMs.length, 25);
  assert.equal(result.stats?.count, 25);
  assert.equal(result.stats?.minMs, 6.92745);
  assert.equal(result.stats?.maxMs, 7.59517);
  // Interpolated (type 7) over 25 values: p50 is the 13th smallest exactly.
  assert.equal(result.stats?.p50Ms, 7.35299);
  assert.ok((result.stats?.stdevMs ?? 0) > 0);
  assert.equal(result.seed, 3);
  assert.equal(result.profile.enabled, true);
  assert.match(result.profile.incomplete ?? "", /not brought back/);
  const pulled = perfTestRunResult({
    plan: p,
    parsed,
    args: [],
    device,
    model,
    ...times,
    profile: { path: "/runs/1/profile.json", kernelEventsEmitted: 4 },
  }).result;
  assert.deepEqual(pulled.profile, { enabled: true, path: "/runs/1/profile.json", kernelEventsEmitted: 4 });
});

void test("result: no percentiles printed leaves the stats null but the mean's throughput", () => {
  const parsed = parsePerfTestOutput("Total inference requests: 4\nAverage inference time cost: 8 ms\n");
  assert.equal(printedStats(parsed), null);
  const { result, statsSource, notes } = perfTestRunResult({ plan: plan(), parsed, args: [], device, model, ...times });
  assert.equal(statsSource, "none");
  assert.equal(result.stats, null);
  assert.equal(result.throughput.fromMeanIps, 125);
  assert.equal(result.throughput.wallClockMs, 32);
  assert.deepEqual(result.memory, { rssBeforeBytes: 0, peakRssBytes: 0, osMaxRssBytes: 0 });
  assert.match(notes.join("\n"), /no peak working set/);
});

void test("profile: <prefix>_<YYYY-MM-DD_HH-MM-SS>.json, from the verbose log or the newest in a listing", () => {
  const prefix = "/data/local/tmp/edge/run-1/ort";
  assert.ok(isProfileFileName(prefix, "ort_2025-03-04_10-11-12.json"));
  assert.ok(!isProfileFileName(prefix, "ort_2025-03-04.json"));
  assert.ok(!isProfileFileName(prefix, "xort_2025-03-04_10-11-12.json"));
  assert.ok(!isProfileFileName("/a/o.t", "oxt_2025-03-04_10-11-12.json"), "the prefix is literal, not a pattern");
  const listing = ["result.csv", "ort_2025-03-04_10-11-12.json", "ort_2025-03-04_10-59-00.json\n", "model.onnx"];
  assert.equal(findProfileFile(prefix, { listing }), "/data/local/tmp/edge/run-1/ort_2025-03-04_10-59-00.json");
  assert.equal(
    findProfileFile(prefix, {
      parsed: { profilePath: "/data/local/tmp/edge/run-1/ort_2025-03-04_10-11-12.json" },
      listing,
    }),
    "/data/local/tmp/edge/run-1/ort_2025-03-04_10-11-12.json",
  );
  assert.equal(findProfileFile("ort", { listing: ["ort_2025-03-04_10-11-12.json"] }), "ort_2025-03-04_10-11-12.json");
  assert.equal(findProfileFile(prefix, { listing: ["result.csv"] }), undefined);
});

// `edge run` with `runner: perf-test` for real over ssh (test/fixtures/sshd.ts), adb (test/fixtures/adb-device/) and
// this machine: the binary and its library pushed by content, run there, its output and result file parsed, its
// profile pulled, the run's folder removed, a failure and a stop.
//
// The onnxruntime_perf_test here is a STAND-IN: no ONNX Runtime can be built on this machine, so each test writes a
// small sh script named onnxruntime_perf_test that checks the arguments the engine gives it, prints one of the
// recorded output forms of the real tool (test/fixtures/perf-test/, reconstructed from its sources), writes the
// result file and a profile named as onnxruntime names it (`<prefix>_<YYYY-MM-DD_HH-MM-SS>.json`), and exits 0; a
// fake `libonnxruntime.so.1` lies beside it (the stand-in refuses to start without it in LD_LIBRARY_PATH, as the
// real one would). The parsing itself is tested on those recorded real forms in perf-test.test.ts; what is tested
// here is the deploy, the run, the streaming, the pulls and the report.
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import {
  adbSkip,
  alive,
  eventually,
  reportOf,
  sshSkip,
  startEdgeRun,
  tempDir,
  useAdbPhone,
  useSshd,
  writeRecipe,
} from "./device-run-helpers";

const FIXTURES = resolve("test/fixtures/perf-test");
const recorded = (name: string) => readFileSync(join(FIXTURES, name), "utf8");

interface StandIn {
  /** What it prints on stdout (a recorded output form). */
  stdout: string;
  /** The result file it writes when the engine names one. */
  resultCsv?: string;
  /** The iterations it expects in `-r`. */
  iterations: number;
  exitCode?: number;
  /** Ignore everything and loop until killed, its pid in $STANDIN_PID. */
  hang?: boolean;
  /** Print the loader's missing-library message and exit 127 (as ld.so does). */
  missingLibrary?: boolean;
}

/** Writes the stand-in and its fake library in a new folder; the binary's path. */
function writeStandIn(dir: string, s: StandIn): string {
  const bin = join(dir, "ort-build");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "libonnxruntime.so.1"), "not a real library: the stand-in only checks it is there\n");
  writeFileSync(join(bin, "README.txt"), "not pushed: only the binary and libonnxruntime*.so* are\n");
  const trace = JSON.stringify([
    { cat: "Session", name: "model_run", ph: "X", ts: 0, dur: 100, pid: 1, tid: 1, args: {} },
    kernel(10, 40),
    { cat: "Session", name: "model_run", ph: "X", ts: 200, dur: 100, pid: 1, tid: 1, args: {} },
    kernel(210, 50),
  ]);
  const script = `#!/bin/sh
# A stand-in for onnxruntime_perf_test, written by test/devices/perf-test-run.test.ts (see its header).
here=$(dirname "$0")
${s.missingLibrary ? `echo "$0: error while loading shared libraries: libonnxruntime.so.1: cannot open shared object file: No such file or directory" >&2; exit 127` : ""}
case ":$LD_LIBRARY_PATH:" in *":$here:"*) ;; *) echo "LD_LIBRARY_PATH ($LD_LIBRARY_PATH) lacks $here" >&2; exit 127;; esac
[ -f "$here/libonnxruntime.so.1" ] || { echo "libonnxruntime.so.1: cannot open shared object file" >&2; exit 127; }
${s.hang ? `echo $$ > "$STANDIN_PID"; echo "Setting intra_op_num_threads to 4"; while :; do sleep 0.1; done` : ""}
[ -n "$STANDIN_ARGS" ] && printf '%s\n' "$@" > "$STANDIN_ARGS"
mode=; reps=; provider=; prefix=; gen=
while [ $# -gt 0 ]; do
  case "$1" in
    -m) mode=$2; shift 2;;
    -r) reps=$2; shift 2;;
    -e) provider=$2; shift 2;;
    -p) prefix=$2; shift 2;;
    -x|-y|-o|-f|-S|-i) shift 2;;
    -I) gen=1; shift;;
    -P|-M|-A|-s) shift;;
    -*) echo "unknown option $1" >&2; exit 2;;
    *) break;;
  esac
done
model=$1; result=$2
if [ "$mode" != times ] || [ "$reps" != ${s.iterations} ] || [ "$provider" != cpu ] || [ -z "$gen" ] || [ ! -f "$model" ]; then
  echo "unexpected arguments: mode=$mode reps=$reps provider=$provider gen=$gen model=$model" >&2; exit 2
fi
cat <<'OUTPUT'
${s.stdout.replace(/\n$/, "")}
OUTPUT
${s.resultCsv !== undefined ? `[ -n "$result" ] && cat > "$result" <<'CSV'\n${s.resultCsv.replace(/\n$/, "")}\nCSV` : ""}
if [ -n "$prefix" ]; then
  cat > "\${prefix}_$(date +%Y-%m-%d_%H-%M-%S).json" <<'TRACE'
${trace}
TRACE
fi
exit ${s.exitCode ?? 0}
`;
  const path = join(bin, "onnxruntime_perf_test");
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return path;
}

function kernel(ts: number, dur: number) {
  const args = { op_name: "MatMul", provider: "CPUExecutionProvider" };
  return { cat: "Node", name: "/lm/MatMul_kernel_time", ph: "X", ts, dur, pid: 1, tid: 1, args };
}

void describe("edge run with runner: perf-test over ssh", { skip: sshSkip }, () => {
  const ssh = useSshd();

  void test("pushes the binary with its library, runs it, parses its output and result file, pulls the profile; a second run pushes nothing", async () => {
    const dir = tempDir();
    const workdir = join(dir, "device work");
    const binary = writeStandIn(dir, {
      stdout: recorded("total-2025.stdout.txt"),
      resultCsv: recorded("total-2025.result.csv"),
      iterations: 25,
    });
    const argsFile = join(dir, "args.txt");
    writeRecipe(
      dir,
      `{ ssh: { host: ${ssh.sshd.alias} }, workdir: "${workdir}", runner: perf-test, perf_test_path: ort-build/onnxruntime_perf_test, env: { STANDIN_ARGS: "${argsFile}" } }`,
      "warmup: 1, iterations: 25, profile: true",
    );

    const first = startEdgeRun(dir, ssh.env);
    assert.equal((await first.done).code, 0, first.stderr());
    const report = reportOf(first);
    assert.equal(report.status, "ok", JSON.stringify(report.errors));
    assert.equal(report.device.kind, "ssh");
    assert.equal(report.device.probe?.workdir, workdir);
    assert.equal(report.device.probe?.os, "linux");
    // The result file's per-request times: the engine's own statistics over them.
    assert.equal(report.latenciesMs.length, 25);
    assert.equal(report.latency?.count, 25);
    assert.equal(report.latenciesMs[0], 7.58612);
    assert.equal(report.session?.ortOptions.runner, "onnxruntime_perf_test");
    assert.equal(report.session?.ortOptions.statsSource, "per-request");
    const notes = report.session?.ortOptions.notes as string[];
    assert.ok(notes.length > 0, "the tool's limits are noted");
    const markdown = readFileSync(join(dir, ".edge", "runs", report.runId, "report.md"), "utf8");
    assert.match(markdown, /\| runner notes \| \S/, "report.md shows them");
    assert.equal(report.session?.creationMs, 169.475);
    assert.equal(report.memory?.peakRssBytes, 91336704);
    // What the tool was given (one argument a line; the work folder's space stays inside its argument): the model
    // pushed into the content store, the result file in the run's folder.
    const args = readFileSync(argsFile, "utf8").trimEnd().split("\n");
    assert.ok(args[args.length - 1].startsWith(`${workdir}/`), args.join(" | "));
    assert.deepEqual(args.slice(0, 6), ["-m", "times", "-r", "25", "-e", "cpu"]);
    assert.match(args[args.length - 2], /\/models\/[0-9a-f]{32}\/model\.onnx$/);
    assert.match(args[args.length - 1], /\/runs\/.+\/result\.csv$/);

    // Events: the steps, a log per figure, and a word that there are no iteration events.
    const steps = first.events.filter((e) => e.type === "step/end").map((e) => e.type === "step/end" && e.step);
    assert.deepEqual(
      steps.filter((s) => s === "deploy" || s === "session" || s === "run"),
      ["deploy", "session", "run"],
    );
    assert.equal(first.events.filter((e) => e.type === "iteration").length, 0);
    const logs = first.events.flatMap((e) => (e.type === "log" ? [e.message] : []));
    assert.ok(
      logs.some((m) => /no iteration events/.test(m)),
      logs.join("\n"),
    );
    assert.ok(logs.some((m) => m.includes("Average inference time cost total: 7.309408 ms")));
    assert.ok(first.events.some((e) => e.type === "kernel" && e.opType === "MatMul"));

    // The binary and the library (nothing else of its folder) in runners/perf-test-<hash>/, ready, executable.
    const [runner] = readdirSync(join(workdir, "runners"));
    assert.match(runner, /^perf-test-[0-9a-f]{32}$/);
    assert.deepEqual(readdirSync(join(workdir, "runners", runner)).sort(), [
      "libonnxruntime.so.1",
      "onnxruntime_perf_test",
      "ready",
    ]);
    const pushed = report.device.transfer!.pushedBytes;
    const binaryBytes =
      readFileSync(binary).length + readFileSync(join(dir, "ort-build", "libonnxruntime.so.1")).length;
    assert.ok(pushed > binaryBytes, `pushed ${pushed} bytes: the binary, its library and the model`);
    // The profile pulled into the run folder, and the run's folder on the device removed.
    const profilePath = join(dir, ".edge", "runs", report.runId, "profile.json");
    assert.ok(existsSync(profilePath), `pulled to ${profilePath}`);
    assert.ok(report.artifacts.some((a) => a.kind === "profile.json"));
    assert.ok(readFileSync(profilePath, "utf8").includes("MatMul_kernel_time"));
    assert.deepEqual(readdirSync(join(workdir, "runs")), []);

    const second = startEdgeRun(dir, ssh.env);
    assert.equal((await second.done).code, 0, second.stderr());
    const again = reportOf(second);
    assert.equal(again.status, "ok");
    assert.equal(again.device.transfer!.pushedBytes, 0, "nothing pushed the second time");
    assert.equal(again.device.transfer!.skippedBytes, pushed);
  });

  void test("a tool that fails ('Run failed: …', exit 1) gives a failed report with device/runner and its output's tail", async () => {
    const dir = tempDir();
    writeStandIn(dir, {
      stdout:
        "Setting intra_op_num_threads to 4\nSession creation time cost: 0.0412968 s\nRun failed:Got invalid dimensions for input: input_ids for the following indices\n",
      iterations: 10,
      exitCode: 1,
    });
    writeRecipe(
      dir,
      `{ ssh: { host: ${ssh.sshd.alias} }, workdir: "${join(dir, "w")}", runner: perf-test, perf_test_path: ort-build/onnxruntime_perf_test }`,
      "warmup: 1, iterations: 10",
    );
    const run = startEdgeRun(dir, ssh.env);
    const { code } = await run.done;
    assert.equal(code, 5, run.stderr());
    const report = reportOf(run);
    assert.equal(report.status, "failed");
    assert.equal(report.errors[0]?.code, "device/runner", JSON.stringify(report.errors));
    assert.equal(report.errors[0]?.where?.device, "dev");
    assert.match(report.errors[0]?.message ?? "", /Run failed: ?Got invalid dimensions/);
    assert.match(report.errors[0]?.message ?? "", /last output:\n {2}Setting intra_op_num_threads to 4/);
    assert.equal(report.device.probe?.os, "linux", "the report keeps what the probe found");
    assert.deepEqual(readdirSync(join(dir, "w", "runs")), []);
  });

  void test("Ctrl-C kills the tool on the device; the run is aborted", async () => {
    const dir = tempDir();
    const pidFile = join(dir, "standin.pid");
    writeStandIn(dir, { stdout: "", iterations: 10, hang: true });
    writeRecipe(
      dir,
      `{ ssh: { host: ${ssh.sshd.alias} }, workdir: "${join(dir, "w")}", runner: perf-test, perf_test_path: ort-build/onnxruntime_perf_test, env: { STANDIN_PID: "${pidFile}" } }`,
      "warmup: 1, iterations: 10",
    );
    const run = startEdgeRun(dir, ssh.env);
    await run.waitFor((e) => e.type === "log" && e.message.includes("Setting intra_op_num_threads"));
    const pid = Number(readFileSync(pidFile, "utf8"));
    assert.ok(alive(pid), "the tool runs on the device");
    run.kill("SIGINT");
    // A generous wait (the machine may be busy): what is checked is that the tool goes, not how fast.
    assert.ok(await eventually(() => !alive(pid), 5000), "the tool on the device is gone");
    assert.equal((await run.done).code, 130, run.stderr());
    assert.equal(reportOf(run).status, "aborted");
  });
});

void describe("edge run with runner: perf-test over adb", { skip: adbSkip }, () => {
  const adb = useAdbPhone();

  void test("the binary from EDGE_PERF_TEST_PATH runs on the phone; without a result file the tool's printed statistics are used", async () => {
    const dir = tempDir();
    const workdir = join(adb.phone.root, "data", "local", "tmp", "edge-studio");
    // No result file written: the statistics are the tool's printed ones.
    const binary = writeStandIn(dir, { stdout: recorded("first-inference-2022.stdout.txt"), iterations: 30 });
    writeRecipe(
      dir,
      `{ adb: { serial: "${adb.phone.serial}" }, workdir: "${workdir}", runner: perf-test }`,
      "warmup: 1, iterations: 30, profile: true",
    );
    const withSetting = { ...adb.env, EDGE_PERF_TEST_PATH: binary };
    const first = startEdgeRun(dir, withSetting);
    assert.equal((await first.done).code, 0, first.stderr());
    const report = reportOf(first);
    assert.equal(report.status, "ok", JSON.stringify(report.errors));
    assert.equal(report.device.kind, "adb");
    assert.equal(report.device.probe?.os, "android");
    assert.equal(report.device.probe?.android?.model, adb.phone.props["ro.product.model"]);
    assert.equal(report.session?.ortOptions.statsSource, "printed-percentiles");
    assert.equal(report.latency?.p50Ms, 12.133);
    assert.equal(report.latency?.p99Ms, 13.4406);
    assert.equal(report.latency?.meanMs, 12.1415);
    assert.equal(report.latency?.count, 30);
    assert.equal(report.latenciesMs.length, 0, "no per-request times without the result file");
    assert.equal(report.memory?.peakRssBytes, 58621952);
    assert.ok(report.device.transfer!.pushedBytes > 0);
    assert.ok(existsSync(join(dir, ".edge", "runs", report.runId, "profile.json")));
    const [runner] = readdirSync(join(workdir, "runners"));
    assert.ok(existsSync(join(workdir, "runners", runner, "libonnxruntime.so.1")));
    assert.deepEqual(readdirSync(join(workdir, "runs")), []);

    const second = startEdgeRun(dir, withSetting);
    assert.equal((await second.done).code, 0, second.stderr());
    assert.equal(reportOf(second).device.transfer!.pushedBytes, 0);
  });
});

void describe("edge run with runner: perf-test on this machine", () => {
  void test("a binary that cannot start (a missing library) is device/runner with what the loader said", async () => {
    const dir = tempDir();
    writeStandIn(dir, { stdout: "", iterations: 10, missingLibrary: true });
    writeRecipe(
      dir,
      `{ local: {}, workdir: "${join(dir, "w")}", runner: perf-test, perf_test_path: ort-build/onnxruntime_perf_test }`,
      "warmup: 1, iterations: 10",
    );
    const run = startEdgeRun(dir, {});
    assert.equal((await run.done).code, 5, run.stderr());
    const report = reportOf(run);
    assert.equal(report.status, "failed");
    const error = report.errors[0];
    assert.equal(error?.code, "device/runner", JSON.stringify(report.errors));
    assert.match(error?.message ?? "", /could not start on dev \(exit code 127\)/);
    assert.match(error?.message ?? "", /libonnxruntime\.so\.1: cannot open shared object file/);
    assert.match(error?.hint ?? "", /library it needs is missing/);
  });

  void test("runner: perf-test with no binary anywhere stops before the run, saying where to set one", async () => {
    const dir = tempDir();
    writeRecipe(dir, `{ local: {}, workdir: "${join(dir, "w")}", runner: perf-test }`, "warmup: 1, iterations: 10");
    const run = startEdgeRun(dir, { EDGE_PERF_TEST_PATH: "" });
    assert.notEqual((await run.done).code, 0);
    assert.match(run.stderr(), /no onnxruntime_perf_test to run/);
    assert.match(run.stderr(), /perf_test_path/);
    assert.ok(!existsSync(join(dir, ".edge", "runs")), "no run folder");
  });
});

// The device runner for real: the x64 bundle for this machine (its node is >= 20, so the bundle carries none) is
// assembled, copied to a temporary "device" folder as a push would, and started as a child process the way a
// transport starts it (the bundle's launch argv plus the plan file) on the tiny LM and on a CNN, with the host's
// view of it: JSON-lines events on stdout, then result.json, profile.json and outputs.json; SIGTERM in the middle of
// a run; a second signal; runs that cannot start. Needs `npm run build` (dist/device-runner.cjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SavedOutputs } from "../../engine/device-runner/save-outputs";
import { RUNNER_FILES, runnerExitCodes } from "../../engine/device-runner/plan-file";
import { encodeSamples } from "../../engine/device-runner/samples-file";
import { prepareRunnerBundle } from "../../engine/devices/runner-bundle";
import type { RunResult } from "../../engine/run/result";
import { syntheticTensor } from "../../engine/run/synthetic";
import { useLocalBundle } from "./local-bundle";
import { CNN_MODEL, RUNNER_DIST, TINY_LM, ofType, startRunner, writePlan } from "./runner-helpers";

const local = useLocalBundle("runner");
const { device, launch } = local;

const readResult = (outDir: string) => JSON.parse(readFileSync(join(outDir, RUNNER_FILES.result), "utf8")) as RunResult;

void test("the bundle for this machine: the device's node, runner.cjs, onnxruntime for linux/x64 only", () => {
  assert.equal(local.bundle.node, "device");
  assert.match(local.bundle.hash, /^[0-9a-f]{64}$/);
  const rels = local.bundle.files.map((f) => f.rel);
  assert.deepEqual(rels, [...rels].sort());
  assert.ok(rels.includes("runner.cjs"));
  assert.ok(rels.includes("generate-worker.cjs"), "the runner's generation thread");
  assert.ok(rels.includes("bundle.json"));
  assert.ok(rels.includes(`node_modules/onnxruntime-node/bin/napi-v6/linux/${process.arch}/libonnxruntime.so.1`));
  assert.ok(rels.includes("node_modules/onnxruntime-common/package.json"));
  assert.ok(!rels.some((r) => r.startsWith("node/") || r.startsWith("glibc/")), "no node and no glibc");
  assert.ok(!rels.some((r) => /bin\/napi-v6\//.test(r) && !r.includes(`/linux/${process.arch}/`)), "one OS/arch");
  assert.ok(!rels.some((r) => r.endsWith(".map") || r.endsWith(".d.ts")), "no maps or declarations");
  assert.deepEqual(local.bundle.launch("/data/w/runners/h"), {
    argv: [process.execPath, "/data/w/runners/h/runner.cjs"],
  });
});

void test("the runner script is small and holds no transports, pipeline, CLI, YAML or JSON-schema code", () => {
  const text = readFileSync(RUNNER_DIST, "utf8");
  const sizeBytes = statSync(RUNNER_DIST).size;
  assert.ok(sizeBytes < 600_000, `dist/device-runner.cjs is ${sizeBytes} bytes`);
  // esbuild marks each bundled module with a `// path` comment line.
  const modules = [...text.matchAll(/^\/\/ (\S+\.[cm]?[jt]s)$/gm)].map((m) => m[1]);
  assert.ok(modules.some((m) => m.endsWith("engine/run/run-local.ts")));
  for (const unwanted of ["engine/transports/", "engine/pipeline/", "engine/cli/", "engine/devices/", "engine/report/"])
    assert.ok(!modules.some((m) => m.includes(unwanted)), `${unwanted} is in the runner`);
  for (const pkg of ["/yaml/", "/ajv/", "/@huggingface/", "onnxruntime-node/", "onnxruntime-common/"])
    assert.ok(!modules.some((m) => m.includes(`node_modules${pkg}`)), `${pkg} is bundled into the runner`);
  assert.match(text, /import\("onnxruntime-node"\)|require\("onnxruntime-node"\)/);
});

void test("prepareRunnerBundle again: the same hash and folder, reused as it is; the hash is the manifest's", async () => {
  const marker = join(local.bundle.dir, "reused-marker");
  writeFileSync(marker, "");
  const again = await prepareRunnerBundle({
    os: "linux",
    arch: process.arch,
    nodeOnDevice: { path: "/opt/node/bin/node", version: "v22.1.0" },
    cacheDir: join(local.bundle.dir, "..", ".."),
  });
  assert.equal(again.hash, local.bundle.hash);
  assert.equal(again.dir, local.bundle.dir);
  assert.ok(existsSync(marker), "the cached folder was not rebuilt");
  const { createHash } = await import("node:crypto");
  const manifest = readFileSync(join(local.bundle.dir, "bundle.json"));
  assert.equal(createHash("sha256").update(manifest).digest("hex"), local.bundle.hash);
  assert.equal(again.launch("/w").argv[0], "/opt/node/bin/node");
});

void test("tiny LM with a profile and saveOutputs: JSON-lines events as edge prints them, result, profile and outputs", async () => {
  const work = join(device, "work-lm");
  const plan = writePlan(work, {
    modelPath: "model.onnx",
    outDir: "out",
    warmup: 1,
    iterations: 3,
    profile: true,
    maxKernelEvents: 5,
    saveOutputs: true,
    deviceName: "test-device",
    dims: { batch: 1, sequence_length: 4 },
  });
  copyFileSync(TINY_LM, join(work, "model.onnx"));
  let pidSeen: string | undefined;
  const run = await startRunner(launch(plan), {
    cwd: device,
    onEvent: (e) => {
      if (e.type === "iteration" && pidSeen === undefined)
        pidSeen = readFileSync(join(work, "out", RUNNER_FILES.pid), "utf8").trim();
    },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.stray, []);
  const types = run.events.map((e) => e.type);
  assert.ok(!types.includes("run/start") && !types.includes("run/end"), "the host owns run/start and run/end");
  assert.deepEqual(
    ofType(run.events, "step/start").map((e) => e.step),
    ["load", "session", "warmup", "run", "profile"],
  );
  assert.ok(ofType(run.events, "step/end").every((e) => e.ok));
  const iterations = ofType(run.events, "iteration");
  assert.deepEqual(
    iterations.map((e) => [e.warmup, e.index]),
    [
      [true, 0],
      [false, 0],
      [false, 1],
      [false, 2],
    ],
  );
  const kernels = ofType(run.events, "kernel");
  assert.ok(kernels.length > 0 && kernels.length <= 5, `${kernels.length} kernel events`);
  // live kernels pass through unchanged: with their iteration (the first window is iteration 0), during the run
  assert.ok(
    kernels.every((k) => k.iteration === 0),
    "kernel events carry their iteration",
  );
  const runEnd = run.events.findIndex((e) => e.type === "step/end" && e.step === "run");
  assert.ok(
    kernels.every((k) => run.events.indexOf(k) < runEnd),
    "kernels streamed before the run's end",
  );
  const times = run.events.map((e) => e.timeMs);
  assert.ok(
    times.every((t, i) => t >= 0 && (i === 0 || t >= times[i - 1])),
    "timeMs from the runner's start, in order",
  );
  assert.match(pidSeen ?? "", /^\d+$/, "runner.pid held the pid while running");
  assert.ok(!existsSync(join(work, "out", RUNNER_FILES.pid)), "runner.pid is removed at the end");

  const result = readResult(join(work, "out"));
  assert.equal(result.status, "ok");
  assert.equal(result.iterations.done, 3);
  assert.equal(result.latenciesMs.length, 3);
  assert.equal(result.device.name, "test-device");
  assert.equal(result.model.path, join(work, "model.onnx"), "relative paths are the plan file's folder's");
  assert.equal(result.profile.enabled, true);
  assert.equal(result.profile.path, join(work, "out", "profile.json"));
  assert.ok(statSync(join(work, "out", "profile.json")).size > 0);
  const outputs = JSON.parse(readFileSync(join(work, "out", RUNNER_FILES.outputs), "utf8")) as SavedOutputs;
  assert.deepEqual(outputs.outputs.logits.shape, [1, 4, 256]);
  assert.equal(outputs.outputs.logits.data.length, 4 * 256);
  assert.ok(outputs.outputs.logits.data.every((v) => typeof v === "number" && Number.isFinite(v)));
});

void test("a CNN fed from a samples file, profiled: Conv kernels, dataset inputs, no outputs.json unless asked", async () => {
  const work = join(device, "work-cnn");
  const samples = [0, 1].map((seed) => ({
    x: syntheticTensor({ name: "x", dtype: "float32", shape: [1, 3, 48, 192] }, seed),
  }));
  const planPath = writePlan(work, {
    modelPath: join(process.cwd(), CNN_MODEL),
    outDir: "out",
    iterations: 2,
    profile: true,
    samplesPath: "samples.bin",
  });
  writeFileSync(join(work, "samples.bin"), encodeSamples(samples));
  const run = await startRunner(launch(planPath));
  assert.equal(run.code, 0, run.stderr);
  assert.ok(ofType(run.events, "kernel").some((k) => k.opType === "Conv"));
  const result = readResult(join(work, "out"));
  assert.equal(result.status, "ok");
  assert.equal(result.datasetSamples, 2);
  assert.deepEqual(
    result.model.inputs.map((i) => [i.name, i.source, i.shape]),
    [["x", "dataset", [1, 3, 48, 192]]],
  );
  assert.ok(!existsSync(join(work, "out", RUNNER_FILES.outputs)));
});

void test("SIGTERM in the middle of a run: it stops after the iteration, writes an aborted result.json, exits 130", async () => {
  const work = join(device, "work-sigterm");
  const plan = writePlan(work, { modelPath: join(process.cwd(), CNN_MODEL), outDir: "out", iterations: 100_000 });
  let sent = false;
  const run = await startRunner(launch(plan), {
    onEvent: (e, child) => {
      if (e.type === "iteration" && e.index >= 2 && !sent) {
        sent = true;
        child.kill("SIGTERM");
      }
    },
  });
  assert.ok(sent);
  assert.equal(run.code, runnerExitCodes.aborted, run.stderr);
  const result = readResult(join(work, "out"));
  assert.equal(result.status, "aborted");
  assert.ok(result.iterations.done >= 3 && result.iterations.done < 100_000, `${result.iterations.done} done`);
  assert.equal(result.latenciesMs.length, result.iterations.done);
  assert.ok(ofType(run.events, "log").some((e) => e.level === "warning" && /^SIGTERM: stopping/.test(e.message)));
  assert.ok(!existsSync(join(work, "out", RUNNER_FILES.pid)));
});

void test("a second signal exits at once: 130, no result.json, no pid file", async () => {
  const work = join(device, "work-twice");
  const plan = writePlan(work, { modelPath: join(process.cwd(), CNN_MODEL), outDir: "out", iterations: 100_000 });
  let sent = 0;
  const run = await startRunner(launch(plan), {
    onEvent: (e, child) => {
      if (e.type === "iteration" && sent === 0) {
        sent = 1;
        child.kill("SIGHUP");
      } else if (e.type === "log" && /^SIGHUP: stopping/.test(e.message) && sent === 1) {
        sent = 2;
        child.kill("SIGINT");
      }
    },
  });
  assert.equal(sent, 2);
  assert.equal(run.code, runnerExitCodes.aborted, run.stderr);
  assert.ok(!existsSync(join(work, "out", RUNNER_FILES.result)), "no result.json after a stop at once");
  assert.ok(!existsSync(join(work, "out", RUNNER_FILES.pid)));
});

void test("the host stops reading (stdout's pipe closes): the run stops as for a signal, result.json says aborted", async () => {
  const work = join(device, "work-epipe");
  const plan = writePlan(work, { modelPath: join(process.cwd(), CNN_MODEL), outDir: "out", iterations: 100_000 });
  let closed = false;
  const run = await startRunner(launch(plan), {
    onEvent: (e, child) => {
      if (e.type === "iteration" && !closed) {
        closed = true;
        child.stdout?.destroy();
      }
    },
  });
  assert.ok(closed);
  assert.equal(run.code, runnerExitCodes.aborted, run.stderr);
  const result = readResult(join(work, "out"));
  assert.equal(result.status, "aborted");
  assert.ok(result.iterations.done >= 1 && result.iterations.done < 100_000);
});

void test("runs that cannot start: one error event, exit 2, no result.json", async () => {
  const work = join(device, "work-errors");
  const missing = writePlan(work, { modelPath: "nowhere.onnx", outDir: "out-missing" }, "missing.json");
  let run = await startRunner(launch(missing));
  assert.equal(run.code, runnerExitCodes.notStarted);
  assert.deepEqual(
    ofType(run.events, "error").map((e) => e.code),
    ["model/not-found"],
  );
  assert.ok(!existsSync(join(work, "out-missing", RUNNER_FILES.result)));

  writeFileSync(join(work, "broken.json"), "{ not json");
  run = await startRunner(launch(join(work, "broken.json")));
  assert.equal(run.code, runnerExitCodes.notStarted);
  const [error] = ofType(run.events, "error");
  assert.equal(error.code, "device/runner");
  assert.match(error.message, /is not JSON/);

  run = await startRunner(local.bundle.launch(local.runnerDir).argv);
  assert.equal(run.code, runnerExitCodes.notStarted);
  assert.equal(ofType(run.events, "error")[0].hint, "usage: node runner.cjs PLAN.json");

  const badInput = writePlan(
    work,
    { modelPath: join(process.cwd(), CNN_MODEL), outDir: "out-input", inputs: { nope: {} } },
    "input.json",
  );
  run = await startRunner(launch(badInput));
  assert.equal(run.code, runnerExitCodes.notStarted);
  assert.equal(ofType(run.events, "error")[0].code, "run/input");
  assert.equal(ofType(run.events, "step/end")[0].ok, false, "the load step ended, not ok");
});

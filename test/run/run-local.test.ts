// The local runner on real models with the real onnxruntime-node: events, statistics, profile, abort, errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ModelProtoSchema, StringStringEntryProtoSchema, TensorProto_DataLocation } from "onnx-buf";
import { runLocal } from "../../engine/run/run-local";
import { isEdgeError } from "../../engine/errors";
import { encodeNpy } from "../../engine/data/npy";
import { CLS_MODEL, VAD_MODEL, recorder, tempDir } from "./helpers";

const cls = { modelPath: CLS_MODEL, inputs: { x: { shape: [1, 3, 48, 192] } } };

void test("a profiled run of the PP-OCR cls model: events, statistics, profile.json and kernel events", async () => {
  const outDir = tempDir();
  const sink = recorder();
  const result = await runLocal(
    {
      ...cls,
      warmup: 2,
      iterations: 5,
      profile: true,
      // one window of all five measured iterations (replayed on a profiled session of its own)
      profileWindows: { iterations: 5, every: 5 },
      outDir,
      session: { optimization: "disabled", intraOpThreads: 1 },
    },
    sink,
  );

  assert.equal(result.status, "ok");
  assert.equal(result.error, undefined);
  const iterations = sink.of("iteration");
  assert.deepEqual(
    iterations.map((e) => [e.warmup, e.index]),
    [
      [true, 0],
      [true, 1],
      [false, 0],
      [false, 1],
      [false, 2],
      [false, 3],
      [false, 4],
    ],
  );
  assert.equal(result.latenciesMs.length, 5);
  assert.ok(result.latenciesMs.every((ms) => ms > 0));
  assert.deepEqual(
    iterations.filter((e) => !e.warmup).map((e) => e.latencyMs),
    result.latenciesMs,
  );
  const s = result.stats!;
  assert.ok(s.minMs <= s.p50Ms && s.p50Ms <= s.p90Ms && s.p90Ms <= s.p95Ms && s.p95Ms <= s.p99Ms && s.p99Ms <= s.maxMs);
  assert.ok(result.throughput.fromMeanIps! > 0 && result.throughput.wallClockIps! > 0);
  assert.ok(
    result.throughput.wallClockIps! <= result.throughput.fromMeanIps! * 1.0001,
    "wall clock includes the gaps between runs",
  );
  assert.ok(result.session.creationMs > 0);
  assert.deepEqual(result.session.ortOptions, {
    executionProviders: ["cpu"],
    graphOptimizationLevel: "disabled",
    executionMode: "sequential",
    logSeverityLevel: 3,
    intraOpNumThreads: 1,
  });
  assert.equal(result.model.sizeBytes, statSync(CLS_MODEL).size);
  assert.deepEqual(result.model.inputs, [{ name: "x", dtype: "float32", shape: [1, 3, 48, 192], source: "synthetic" }]);
  assert.ok(
    result.memory.peakRssBytes >= result.memory.rssBeforeBytes &&
      result.memory.osMaxRssBytes >= result.memory.peakRssBytes,
  );
  assert.equal(result.device.kind, "local");
  assert.equal(result.device.host.onnxruntimeVersion, "1.30.0");

  const steps = sink.of("step/end").map((e) => [e.step, e.ok]);
  assert.deepEqual(steps, [
    ["load", true],
    ["session", true],
    ["warmup", true],
    ["run", true],
    ["profile", true],
  ]);
  const progress = sink.of("progress").filter((e) => e.step === "run");
  assert.deepEqual(progress.at(-1), { ...progress.at(-1), done: 5, total: 5 });

  // profile.json: onnxruntime's Chrome trace, moved into place; no temporary directory left behind
  assert.equal(result.profile.path, join(outDir, "profile.json"));
  assert.deepEqual(readdirSync(outDir), ["profile.json"]);
  assert.deepEqual(
    sink.of("artifact").map((a) => [a.kind, a.path]),
    [["profile.json", join(outDir, "profile.json")]],
  );
  const trace = JSON.parse(readFileSync(join(outDir, "profile.json"), "utf8")) as {
    cat: string;
    ph: string;
    name: string;
    args: { op_name?: string };
  }[];
  assert.ok(Array.isArray(trace));
  const nodeEvents = trace.filter((e) => e.cat === "Node" && e.ph === "X" && typeof e.args?.op_name === "string");
  assert.ok(nodeEvents.length > 0);
  // the five profiled iterations; the window session's warm run is left out
  assert.equal(trace.filter((e) => e.name === "model_run").length, 5);
  assert.deepEqual(result.profile.iterations, [[0, 4]]);

  const summary = result.profile.summary!;
  assert.equal(summary.runsInTrace, 5);
  assert.equal(summary.runsSummarized, 5);
  assert.ok(summary.opTypes.some((o) => o.opType === "Conv"));
  assert.ok(Math.abs(summary.opTypes.reduce((a, o) => a + o.share, 0) - 1) < 1e-9);

  // kernel events: every profiled run's kernels, named as in the model (optimization disabled keeps the graph)
  const model = fromBinary(ModelProtoSchema, readFileSync(CLS_MODEL));
  const nodeNames = new Set(model.graph!.node.map((n) => n.name));
  const kernels = sink.of("kernel");
  assert.equal(kernels.length, result.profile.kernelEventsEmitted);
  // one kernel per node in each run; Constant nodes become initializers when the session loads the model
  const perRun = model.graph!.node.filter((n) => n.opType !== "Constant").length;
  assert.equal(kernels.length, 5 * perRun);
  for (let i = 0; i < 5; i++) assert.equal(kernels.filter((k) => k.iteration === i).length, perRun, `iteration ${i}`);
  for (const k of kernels) {
    assert.ok(nodeNames.has(k.node), `kernel node ${k.node} is in the model`);
    assert.equal(k.provider, "CPUExecutionProvider");
    assert.ok(k.durationUs >= 0 && k.startUs > 0);
  }
  assert.equal(new Set(kernels.map((k) => k.opType)).has("Conv"), true);
});

void test("aborting mid-run keeps what was measured", async () => {
  const controller = new AbortController();
  const sink = recorder((e) => {
    if (e.type === "iteration" && !e.warmup && e.index === 2) controller.abort();
  });
  const outDir = tempDir();
  const result = await runLocal({ ...cls, warmup: 1, iterations: 200, profile: true, outDir }, sink, controller.signal);
  assert.equal(result.status, "aborted");
  assert.equal(result.iterations.requested, 200);
  assert.equal(result.iterations.done, 3);
  assert.equal(result.latenciesMs.length, 3);
  assert.equal(result.stats!.count, 3);
  // the profile holds the windows streamed before the stop (the default schedule profiles iteration 0 at once)
  const profiled = result.profile.iterations!.reduce((n, [a, b]) => n + b - a + 1, 0);
  assert.ok(profiled >= 1 && result.profile.iterations![0][0] === 0);
  assert.equal(result.profile.summary!.runsSummarized, profiled);
  assert.ok(sink.of("log").some((l) => /aborted after 1 warm-up and 3 measured/.test(l.message)));
  assert.deepEqual(
    sink.of("step/end").find((e) => e.step === "run"),
    { ...sink.of("step/end").find((e) => e.step === "run")!, ok: false },
  );

  const before = new AbortController();
  before.abort();
  const early = await runLocal({ ...cls, outDir: tempDir() }, recorder(), before.signal);
  assert.deepEqual(
    [early.status, early.latenciesMs.length, early.stats, early.session.creationMs],
    ["aborted", 0, null, 0],
  );
});

void test("a bad input name is run/input; a missing model is model/not-found", async () => {
  await assert.rejects(
    runLocal({ ...cls, inputs: { image: { shape: [1, 3, 48, 192] } }, outDir: tempDir() }),
    (e: unknown) =>
      isEdgeError(e) &&
      e.code === "run/input" &&
      /"image" is not an input of the model; its inputs are "x"/.test(e.message) &&
      e.where.file === CLS_MODEL,
  );
  await assert.rejects(
    runLocal({ modelPath: "no/such/model.onnx", outDir: tempDir() }),
    (e: unknown) => isEdgeError(e) && e.code === "model/not-found" && e.where.file === "no/such/model.onnx",
  );
});

void test("silero VAD: several inputs, an int64 scalar, bound dims, and dataset feeds converted to the model's dtype", async () => {
  const dir = tempDir();
  for (const n of [0, 1]) {
    const sample = join(dir, "data", `sample-${n}`);
    const audio = new Float64Array(512).map((_, i) => Math.sin(i / (n + 3)));
    const { mkdirSync } = await import("node:fs");
    mkdirSync(sample, { recursive: true });
    writeFileSync(join(sample, "input.npy"), encodeNpy({ dtype: "float64", shape: [1, 512], data: audio }));
  }
  const { readDataset } = await import("../../engine/data/dataset");
  const samples = await readDataset(join(dir, "data"));
  const sink = recorder();
  const result = await runLocal(
    {
      modelPath: VAD_MODEL,
      inputs: { sr: { value: 16000 } },
      dims: { batch: 1 },
      samples,
      warmup: 1,
      iterations: 4,
      outDir: join(dir, "out"),
    },
    sink,
  );
  assert.equal(result.status, "ok");
  assert.deepEqual(result.model.inputs, [
    { name: "input", dtype: "float32", shape: [1, 512], source: "dataset" },
    { name: "sr", dtype: "int64", shape: [], source: "synthetic" },
    { name: "state", dtype: "float32", shape: [2, 1, 128], source: "synthetic" },
  ]);
  assert.equal(result.datasetSamples, 2);
  assert.equal(result.latenciesMs.length, 4);
  assert.deepEqual(
    sink.of("log").map((l) => l.message),
    ['input "input": dataset tensors are float64; converting them to the model\'s float32'],
  );
});

void test("a failure during the iterations returns a failed result with what was measured", async () => {
  // sample 2 is empty: onnxruntime's first Conv rejects it on measured iteration 1 (warm-up took sample 0)
  const samples = [
    [1, 3, 48, 192],
    [1, 3, 48, 160],
    [1, 3, 0, 0],
  ].map((shape) => ({
    x: { dtype: "float32" as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b)) },
  }));
  const sink = recorder();
  const result = await runLocal({ modelPath: CLS_MODEL, samples, warmup: 1, iterations: 4, outDir: tempDir() }, sink);
  assert.equal(result.status, "failed");
  assert.equal(result.error?.code, "run/failed");
  assert.match(result.error!.message, /inference failed at measured iteration 1: .*Invalid input shape/);
  assert.deepEqual([result.warmup.done, result.latenciesMs.length, result.stats?.count], [1, 1, 1]);
  assert.equal(sink.of("error").length, 1);
  assert.deepEqual(sink.of("step/end").at(-1), { ...sink.of("step/end").at(-1)!, step: "run", ok: false });
});

void test("model size counts the external data files the model names, and the runner runs such a model", async () => {
  // the VAD model with its big weights moved to vad.onnx.data, as exporters write large models
  const dir = tempDir();
  const model = fromBinary(ModelProtoSchema, readFileSync(VAD_MODEL));
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of model.graph!.initializer) {
    if (t.rawData.length < 1000) continue;
    const entry = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
    t.externalData = [
      entry("location", "vad.onnx.data"),
      entry("offset", String(offset)),
      entry("length", String(t.rawData.length)),
    ];
    t.dataLocation = TensorProto_DataLocation.EXTERNAL;
    chunks.push(t.rawData);
    offset += t.rawData.length;
    t.rawData = new Uint8Array(0);
  }
  writeFileSync(join(dir, "vad.onnx"), toBinary(ModelProtoSchema, model));
  writeFileSync(join(dir, "vad.onnx.data"), Buffer.concat(chunks));
  const modelBytes = statSync(join(dir, "vad.onnx")).size;
  assert.ok(offset > 2_000_000 && modelBytes < statSync(VAD_MODEL).size - 2_000_000);

  const result = await runLocal({
    modelPath: join(dir, "vad.onnx"),
    inputs: { sr: { value: 16000 } },
    dims: { batch: 1, sequence: 512 },
    iterations: 2,
    outDir: join(dir, "out"),
  });
  assert.equal(result.status, "ok");
  assert.deepEqual(
    result.model.files.map((f) => [f.role, f.sizeBytes]),
    [
      ["model", modelBytes],
      ["external-data", offset],
    ],
  );
  assert.equal(result.model.sizeBytes, modelBytes + offset);

  const { rmSync } = await import("node:fs");
  rmSync(join(dir, "vad.onnx.data"));
  await assert.rejects(
    runLocal({ modelPath: join(dir, "vad.onnx"), outDir: join(dir, "out") }),
    (e: unknown) =>
      isEdgeError(e) &&
      e.code === "model/external-data" &&
      /external data file "vad\.onnx\.data" cannot be opened/.test(e.message),
  );
});

// Live kernels (engine/run/live-profile.ts): profiled windows of iterations stream their kernels while the run runs,
// with their iteration; profile.json holds exactly the kernels streamed; the report says which iterations were
// profiled; a stop mid-window keeps what was streamed; profiling off streams nothing and creates no profiled session.
// Real onnxruntime-node on the PP-OCR cls model, with fixed windows (no timing in these tests).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runLocal } from "../../engine/run/run-local";
import { loadOrt } from "../../engine/run/ort";
import { buildRunReport } from "../../engine/report/build-report";
import { renderReportMarkdown } from "../../engine/report/report-markdown";
import type { EngineEvent } from "../../engine/events";
import type { RunResult } from "../../engine/run/result";
import { CLS_MODEL, recorder, tempDir } from "./helpers";

const cls = { modelPath: CLS_MODEL, inputs: { x: { shape: [1, 3, 48, 192] } }, session: { intraOpThreads: 1 } };

interface TraceRow {
  ph?: string;
  cat?: string;
  name?: string;
  ts?: number;
  dur?: number;
}

/** The kernels of profile.json as "node@start+duration", sorted; and the trace's model_run count. */
function traceKernels(path: string): { kernels: string[]; runs: number; times: number[] } {
  const trace = JSON.parse(readFileSync(path, "utf8")) as TraceRow[];
  const kernels = trace
    .filter((e) => e.cat === "Node" && e.ph === "X" && e.name?.endsWith("_kernel_time"))
    .map((e) => `${e.name!.slice(0, -"_kernel_time".length)}@${e.ts}+${e.dur}`)
    .sort();
  return {
    kernels,
    runs: trace.filter((e) => e.cat === "Session" && e.name === "model_run").length,
    times: trace.map((e) => e.ts ?? 0),
  };
}

function streamedKernels(events: EngineEvent[]): string[] {
  return events
    .filter((e): e is Extract<EngineEvent, { type: "kernel" }> => e.type === "kernel")
    .map((k) => `${k.node}@${k.startUs}+${k.durationUs}`)
    .sort();
}

function report(result: RunResult, outDir: string) {
  return buildRunReport(result, { runId: "live", outDir, recipe: { name: "live" } });
}

void test('profileWindows "all" profiles every measured iteration, and the report says so', async () => {
  const outDir = tempDir();
  const sink = recorder();
  const result = await runLocal(
    { ...cls, warmup: 1, iterations: 30, profile: true, profileWindows: "all", outDir },
    sink,
  );
  assert.equal(result.status, "ok");
  assert.deepEqual(result.profile.iterations, [[0, 29]]);
  assert.deepEqual(
    [...new Set(sink.of("kernel").map((k) => k.iteration))].sort((a, b) => a! - b!),
    Array.from({ length: 30 }, (_, i) => i),
  );
  assert.deepEqual(report(result, outDir).profile?.profiledIterations, [[0, 29]]);
});

void test("kernels stream per window, with their iteration, before the later windows' iterations and the run's end", async () => {
  const outDir = tempDir();
  const sink = recorder();
  // windows of 2 every 3: iterations 0–1, 3–4, 6–7 are profiled
  const result = await runLocal(
    { ...cls, warmup: 1, iterations: 9, profile: true, profileWindows: { iterations: 2, every: 3 }, outDir },
    sink,
  );
  assert.equal(result.status, "ok");
  assert.deepEqual(result.profile.iterations, [
    [0, 1],
    [3, 4],
    [6, 7],
  ]);
  assert.equal(result.profile.windows, 3);

  const events = sink.events;
  const at = (find: (e: EngineEvent) => boolean) => events.findIndex(find);
  const measured = (i: number) => at((e) => e.type === "iteration" && !e.warmup && e.index === i);
  const runEnd = at((e) => e.type === "step/end" && e.step === "run");
  const kernels = sink.of("kernel");
  assert.ok(kernels.length > 0);
  assert.deepEqual([...new Set(kernels.map((k) => k.iteration))].sort(), [0, 1, 3, 4, 6, 7]);
  for (const k of kernels) {
    const index = events.indexOf(k);
    const window = Math.floor(k.iteration! / 3) * 3;
    // after its own iteration was measured, before the next window's first iteration and before the run ends
    assert.ok(index > measured(k.iteration!), `kernel of iteration ${k.iteration} after its iteration`);
    if (window + 3 < 9)
      assert.ok(index < measured(window + 3), `kernel of iteration ${k.iteration} before ${window + 3}`);
    assert.ok(index < runEnd, `kernel of iteration ${k.iteration} before the run's end`);
  }
  // each iteration has the same kernels (one per node of the model)
  const perIteration = kernels.filter((k) => k.iteration === 0).length;
  for (const i of [1, 3, 4, 6, 7]) assert.equal(kernels.filter((k) => k.iteration === i).length, perIteration);
  assert.equal(result.profile.kernelEventsEmitted, kernels.length);

  // profile.json: exactly the kernels streamed, one merged trace in time order, one model_run per profiled iteration
  assert.equal(result.profile.path, join(outDir, "profile.json"));
  assert.deepEqual(readdirSync(outDir), ["profile.json"]);
  const trace = traceKernels(result.profile.path!);
  assert.deepEqual(trace.kernels, streamedKernels(events));
  assert.equal(trace.runs, 6);
  assert.ok(
    trace.times.every((t, i) => i === 0 || t >= trace.times[i - 1]),
    "profile.json is in time order",
  );
  // windows follow one another on the run's time line
  const firstOf = (i: number) => Math.min(...kernels.filter((k) => k.iteration === i).map((k) => k.startUs));
  const lastOf = (i: number) =>
    Math.max(...kernels.filter((k) => k.iteration === i).map((k) => k.startUs + k.durationUs));
  assert.ok(lastOf(1) <= firstOf(3) && lastOf(4) <= firstOf(6));
  assert.equal(result.profile.summary!.runsSummarized, 6);

  // the report says which iterations were profiled
  const r = report(result, outDir);
  assert.deepEqual(r.profile.profiledIterations, result.profile.iterations);
  assert.equal(r.profile.profiledWindows, 3);
  assert.match(r.profile.note!, /replayed on profiled sessions of their own/);
  assert.match(renderReportMarkdown(r), /\| profiled iterations +\| 0–1, 3–4, 6–7 \(6 in 3 windows\) *\|/);
});

void test("a stop mid-window keeps a profile.json with the kernels streamed so far", async () => {
  const outDir = tempDir();
  const controller = new AbortController();
  // windows of 3 every 4: 0–2 streams; the stop comes inside the window 4–6
  const sink = recorder((e) => {
    if (e.type === "iteration" && !e.warmup && e.index === 5) controller.abort();
  });
  const result = await runLocal(
    { ...cls, iterations: 40, profile: true, profileWindows: { iterations: 3, every: 4 }, outDir },
    sink,
    controller.signal,
  );
  assert.equal(result.status, "aborted");
  assert.equal(result.iterations.done, 6);
  assert.deepEqual(result.profile.iterations, [[0, 2]]);
  const kernels = sink.of("kernel");
  assert.deepEqual([...new Set(kernels.map((k) => k.iteration))].sort(), [0, 1, 2]);
  assert.deepEqual(readdirSync(outDir), ["profile.json"]);
  const trace = traceKernels(join(outDir, "profile.json"));
  assert.deepEqual(trace.kernels, streamedKernels(sink.events));
  assert.equal(trace.runs, 3);
  const r = report(result, outDir);
  assert.equal(r.status, "aborted");
  assert.deepEqual(r.profile.profiledIterations, [[0, 2]]);
  assert.equal(r.profile.summary!.runsSummarized, 3);
});

void test("a stop before the first window ends still leaves an (empty) profile.json", async () => {
  const outDir = tempDir();
  const controller = new AbortController();
  const sink = recorder((e) => {
    if (e.type === "iteration" && !e.warmup && e.index === 1) controller.abort();
  });
  const result = await runLocal(
    { ...cls, iterations: 10, profile: true, profileWindows: { iterations: 5, every: 5 }, outDir },
    sink,
    controller.signal,
  );
  assert.equal(result.status, "aborted");
  assert.equal(sink.of("kernel").length, 0);
  assert.deepEqual(result.profile.iterations, []);
  assert.deepEqual(JSON.parse(readFileSync(join(outDir, "profile.json"), "utf8")), []);
});

void test("profile off streams no kernels and creates no profiled session", async () => {
  const ort = await loadOrt();
  const create = ort.InferenceSession.create.bind(ort.InferenceSession);
  const made: unknown[] = [];
  const spy = ((...args: Parameters<typeof create>) => {
    made.push(args[1]);
    return create(...args);
  }) as typeof create;
  Object.defineProperty(ort.InferenceSession, "create", { value: spy, configurable: true, writable: true });
  try {
    const outDir = tempDir();
    const sink = recorder();
    const result = await runLocal({ ...cls, warmup: 1, iterations: 4, profile: false, outDir }, sink);
    assert.equal(result.status, "ok");
    assert.equal(made.length, 1, "only the measured session");
    assert.equal((made[0] as { enableProfiling?: boolean }).enableProfiling, undefined);
    assert.equal(sink.of("kernel").length, 0);
    assert.ok(!existsSync(join(outDir, "profile.json")));
    assert.deepEqual(readdirSync(outDir), []);
    assert.deepEqual(result.profile, { enabled: false });
    assert.equal(report(result, outDir).profile.profiledIterations, undefined);

    // the same spy sees the profiled sessions when profiling is on: one per window (the next is made ahead)
    made.length = 0;
    await runLocal(
      { ...cls, iterations: 4, profile: true, profileWindows: { iterations: 1, every: 2 }, outDir: tempDir() },
      recorder(),
    );
    const profiled = made.filter((o) => (o as { enableProfiling?: boolean }).enableProfiling === true);
    assert.equal(made.length - profiled.length, 1);
    assert.ok(profiled.length >= 2, `${profiled.length} profiled sessions`);
  } finally {
    Object.defineProperty(ort.InferenceSession, "create", { value: create, configurable: true, writable: true });
  }
});

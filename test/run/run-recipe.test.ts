// `runRecipe` as a library call (what `edge run` does, without the CLI): a normal run of the demo recipe (PP-OCRv4
// rec, compiled), a run stopped by the caller's AbortSignal or by `run.timeout_s` (status "aborted", exit 130,
// the partial report written), and an error before the run starts (thrown, no run folder, no run/end).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isEdgeError } from "../../engine/errors";
import { runRecipe } from "../../engine/pipeline";
import { loadRecipe } from "../../engine/recipe";
import type { RunReport } from "../../engine/report/report-types";
import { CLS_MODEL, recorder, tempDir } from "./helpers";

function clsRecipe(dir: string, run: string): string {
  const file = join(dir, "cls.edge.yaml");
  writeFileSync(
    file,
    `name: cls
model:
  path: ${resolve(CLS_MODEL)}
  inputs:
    x: { shape: [1, 3, 48, 192], dtype: float32, range: [-1, 1] }
run:
${run}
budgets:
  size_mb: 5
`,
  );
  return file;
}

const readReport = (path: string) => JSON.parse(readFileSync(path, "utf8")) as RunReport;

void test("the demo recipe as a library call: compile, run, profile, report; the result is what report.json says", async () => {
  const loaded = await loadRecipe("samples/demo.edge.yaml", { cwd: resolve(".") });
  // Few iterations, and the budgets that do not depend on this machine's speed.
  loaded.recipe = {
    ...loaded.recipe!,
    run: { ...loaded.recipe!.run, warmup: 1, iterations: 3 },
    budgets: { size_mb: 12 },
  };
  const runsDir = tempDir("edge-run-recipe-");
  const sink = recorder();
  const result = await runRecipe(loaded, { runsDir, sink });

  assert.equal(result.exitCode, 0);
  assert.equal(result.report.status, "ok");
  assert.match(result.runId, /^\d{8}-\d{6}-ppocr-rec-local-laptop$/);
  assert.equal(result.runDir, join(runsDir, result.runId));
  assert.equal(result.reportPath, join(result.runDir, "report.json"));
  assert.deepEqual(readReport(result.reportPath), JSON.parse(JSON.stringify(result.report)));
  assert.deepEqual(readdirSync(result.runDir).sort(), [
    "model.compiled.onnx",
    "profile.json",
    "recipe.resolved.json",
    "report.json",
    "report.md",
  ]);
  assert.equal(result.report.latenciesMs.length, 3);
  assert.equal(result.report.run.warmupDone, 1);
  assert.equal(result.report.model?.path, join(result.runDir, "model.compiled.onnx"));
  assert.deepEqual(
    result.report.budgets.map((b) => [b.name, b.pass]),
    [["size_mb", true]],
  );

  const events = sink.events;
  assert.deepEqual(events[0], {
    ...events[0],
    type: "run/start",
    runId: result.runId,
    recipe: "samples/demo.edge.yaml",
    device: "laptop",
    outDir: result.runDir,
  });
  assert.deepEqual(events.at(-1), {
    ...events.at(-1),
    type: "run/end",
    ok: true,
    exitCode: 0,
    reportPath: result.reportPath,
  });
  assert.deepEqual(
    sink.of("step/start").map((e) => e.step),
    ["compile", "load", "session", "warmup", "run", "profile"],
  );
  assert.deepEqual(
    sink.of("step/end").map((e) => [e.step, e.ok]),
    [
      ["compile", true],
      ["load", true],
      ["session", true],
      ["warmup", true],
      ["run", true],
      ["profile", true],
    ],
  );
  assert.equal(sink.of("iteration").filter((e) => !e.warmup).length, 3);
  assert.deepEqual(
    sink.of("budget").map((b) => [b.name, b.pass]),
    [["size_mb", true]],
  );
});

void test("the caller's AbortSignal stops the run after the first measured iteration: aborted report, exit 130", async () => {
  const dir = tempDir("edge-run-recipe-");
  const file = clsRecipe(dir, "  warmup: 1\n  iterations: 100000\n  profile: false");
  const controller = new AbortController();
  const sink = recorder((e) => {
    if (e.type === "iteration" && !e.warmup) controller.abort();
  });
  const result = await runRecipe(file, { outDir: join(dir, "out"), signal: controller.signal, sink });

  assert.equal(result.exitCode, 130);
  assert.equal(result.report.status, "aborted");
  assert.equal(result.runId, "out");
  assert.equal(readReport(join(dir, "out", "report.json")).status, "aborted");
  // The loop checks the signal before each iteration: exactly the one that was running finishes.
  assert.equal(result.report.latenciesMs.length, 1);
  assert.equal(result.report.run.iterationsRequested, 100000);
  assert.deepEqual(
    sink.of("step/end").map((e) => [e.step, e.ok]),
    [
      ["load", true],
      ["session", true],
      ["warmup", true],
      ["run", false],
    ],
  );
  assert.ok(
    sink
      .of("log")
      .some((e) => e.level === "warning" && /run aborted after 1 warm-up and 1 measured iterations/.test(e.message)),
  );
  assert.deepEqual(sink.events.at(-1), {
    ...sink.events.at(-1),
    type: "run/end",
    ok: false,
    exitCode: 130,
    reportPath: result.reportPath,
  });
});

void test("run.timeout_s stops a run that would take too long: aborted, exit 130, the partial report written", async () => {
  const dir = tempDir("edge-run-recipe-");
  const file = clsRecipe(dir, "  iterations: 10000000\n  timeout_s: 2");
  const result = await runRecipe(file, { cwd: dir, outDir: "out" });
  assert.equal(result.exitCode, 130);
  assert.equal(result.report.status, "aborted");
  assert.equal(result.runDir, join(dir, "out"));
  const written = readReport(result.reportPath);
  assert.equal(written.status, "aborted");
  assert.ok(written.run.iterationsDone < 10000000);
  assert.equal(written.latenciesMs.length, written.run.iterationsDone);
});

void test("an unknown device is thrown before the run starts: no run folder, no run/start or run/end", async () => {
  const dir = tempDir("edge-run-recipe-");
  const file = clsRecipe(dir, "  iterations: 1");
  const sink = recorder();
  await assert.rejects(
    runRecipe(file, { cwd: dir, device: "phone", sink }),
    (e) => isEdgeError(e) && e.code === "device/unknown" && e.where.device === "phone",
  );
  assert.equal(existsSync(join(dir, ".edge")), false);
  assert.deepEqual(
    sink.events.map((e) => e.type),
    [],
  );
});

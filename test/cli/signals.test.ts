// `edge run` stopped by SIGINT or SIGTERM at every step, through the built CLI on the demo's PP-OCR rec model: each
// stop ends with exit 130 and an "aborted" report.json of what was done (the measured iterations kept), the stop
// reaches the profile collection and the evaluation, a stop during quantize or compile is "aborted" and not
// "failed", a second Ctrl-C stops at once (the step in progress does not end) and still leaves the report, and no
// temporary folder (`.profile-*`, a compile's work folder) is left in the run folder. Signals are sent when an event
// arrives (a step's start, the CLI's "stopping" notice), never after a delay.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../engine/cli/main";
import type { EngineEvent } from "../../engine/events";
import { hiddenEntries, isStep, readReport, recRecipe, recipeDir, runEdge } from "./edge-process";

/** The CLI's notice after the first signal: the run stops after the current unit of work; another stops at once. */
const isStoppingNotice = (e: EngineEvent) => e.type === "log" && /Ctrl-C again/.test(e.message);

function assertAbortedExit(
  r: { code: number | null; signal: string | null; events: EngineEvent[]; stderr: string },
  out: string,
) {
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.code, 130, r.stderr);
  const end = r.events.at(-1);
  assert.deepEqual(end, { ...end, type: "run/end", ok: false, exitCode: 130, reportPath: join(out, "report.json") });
  assert.equal(readReport(out).status, "aborted");
  assert.deepEqual(hiddenEntries(out), [], "no temporary files or folders are left in the run folder");
}

void test("SIGINT while the profile is collected: exit 130, an aborted report keeping every measured iteration", async () => {
  const cwd = recipeDir(recRecipe("", "  warmup: 1\n  iterations: 30\n  profile: true"));
  const out = join(cwd, "out");
  const r = await runEdge(cwd, ["run", "recipe.edge.yaml", "--out", "out"], (e, child) => {
    if (isStep(e, "step/start", "profile")) child.kill("SIGINT");
  });
  assertAbortedExit(r, out);
  const report = readReport(out);
  assert.equal(report.latenciesMs.length, 30);
  assert.equal(report.run.iterationsDone, 30);
  assert.deepEqual(report.errors, []);
});

void test("SIGTERM during the evaluation: exit 130, aborted, the run's measurements kept and no evaluation written", async () => {
  const blocks = "compile:\n  provider: cpu\nevaluate:\n  metrics: [latency, size]\n";
  const cwd = recipeDir(recRecipe(blocks, "  warmup: 1\n  iterations: 20\n  profile: false"));
  const out = join(cwd, "out");
  const r = await runEdge(cwd, ["run", "recipe.edge.yaml", "--out", "out"], (e, child) => {
    if (isStep(e, "step/start", "evaluate")) child.kill("SIGTERM");
  });
  assertAbortedExit(r, out);
  const report = readReport(out);
  assert.equal(report.latenciesMs.length, 20);
  assert.equal(report.evaluation, undefined);
  assert.ok(!report.artifacts.some((a) => a.kind === "evaluation.json"));
  assert.deepEqual(
    r.events.filter((e) => isStep(e, "step/end", "evaluate")).map((e) => e.type === "step/end" && e.ok),
    [false],
  );
});

void test("SIGINT during quantize is a stop (exit 130, aborted), not a failed step; nothing runs after it", async () => {
  const cwd = recipeDir(
    recRecipe("quantize:\n  method: int8-dynamic\ncompile:\n  provider: cpu\n", "  warmup: 1\n  iterations: 3"),
  );
  const out = join(cwd, "out");
  const r = await runEdge(cwd, ["run", "recipe.edge.yaml", "--out", "out"], (e, child) => {
    if (isStep(e, "step/start", "quantize")) child.kill("SIGINT");
  });
  assertAbortedExit(r, out);
  assert.deepEqual(readReport(out).errors, []);
  assert.ok(!r.events.some((e) => e.type === "error"), "no error event");
  assert.ok(!r.events.some((e) => isStep(e, "step/start", "load")), "the run does not start after the stop");
});

void test("SIGINT during compile is a stop (exit 130, aborted); nothing runs after it", async () => {
  const cwd = recipeDir(recRecipe("compile:\n  provider: cpu\n", "  warmup: 1\n  iterations: 3"));
  const out = join(cwd, "out");
  const r = await runEdge(cwd, ["run", "recipe.edge.yaml", "--out", "out"], (e, child) => {
    if (isStep(e, "step/start", "compile")) child.kill("SIGINT");
  });
  assertAbortedExit(r, out);
  assert.deepEqual(readReport(out).errors, []);
  assert.ok(!r.events.some((e) => isStep(e, "step/start", "load")), "the run does not start after the stop");
});

void test("a second SIGINT stops at once: the compile in progress does not end, the report and exit 130 still come", async () => {
  const cwd = recipeDir(recRecipe("compile:\n  provider: cpu\n", "  warmup: 1\n  iterations: 3"));
  const out = join(cwd, "out");
  const r = await runEdge(cwd, ["run", "recipe.edge.yaml", "--out", "out"], (e, child) => {
    if (isStep(e, "step/start", "compile") || isStoppingNotice(e)) child.kill("SIGINT");
  });
  assert.ok(r.events.some(isStoppingNotice), "the first SIGINT is acknowledged");
  assertAbortedExit(r, out);
  assert.ok(!r.events.some((e) => isStep(e, "step/end", "compile")), "the compile step was not waited for");
  assert.ok(!r.events.some((e) => isStep(e, "step/start", "load")));
  assert.match(r.stderr, /stopped at once/);
});

void test("a second SIGINT while profiling is on: exit 130, an aborted report, no .profile-* folder left", async () => {
  const cwd = recipeDir(recRecipe("", "  warmup: 1\n  iterations: 100000\n  profile: true"));
  const out = join(cwd, "out");
  const r = await runEdge(cwd, ["run", "recipe.edge.yaml", "--out", "out"], (e, child) => {
    if (isStep(e, "step/start", "session") || isStoppingNotice(e)) child.kill("SIGINT");
  });
  assert.ok(r.events.some(isStoppingNotice));
  assertAbortedExit(r, out);
  const report = readReport(out);
  assert.ok(report.run.iterationsDone < 100000);
  assert.equal(report.latenciesMs.length, report.run.iterationsDone);
});

void test("a stop before the run starts (Ctrl-C while the engine loads): exit 130, an aborted report, no step runs", async () => {
  // bin/edge.js hands a signal that came while the engine was loading to main() as an aborted signal; main() is called
  // here with one, so the moment is exact (a recipe read through a pipe cannot stand in: recipes must be regular files).
  const cwd = recipeDir(recRecipe("compile:\n  provider: cpu\n", "  warmup: 1\n  iterations: 3"));
  const out = join(cwd, "out");
  let stdout = "";
  let stderr = "";
  const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), cwd };
  const code = await main(["run", "recipe.edge.yaml", "--out", "out", "--events", "jsonl"], io, AbortSignal.abort());
  const events = stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as EngineEvent);
  assertAbortedExit({ code, signal: null, events, stderr }, out);
  assert.ok(!events.some((e) => e.type === "step/start"), "no step starts after the stop");
  assert.equal(readReport(out).run.iterationsDone, 0);
});

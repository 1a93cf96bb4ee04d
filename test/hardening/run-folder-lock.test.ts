// One run per run folder: a second `edge run --out` on a folder a live run holds is refused (`run/busy`, exit 5)
// and the folder keeps only the first run's files; a folder reused after a run is cleared of that run's files (and
// only those); a run whose device or plan fails before it starts leaves no folder behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineEvent } from "../../engine/events";
import {
  EDGE,
  REC_MODEL,
  hiddenEntries,
  readReport,
  recRecipe,
  recipeDir,
  runEdge,
  startEdge,
} from "../cli/edge-process";

const quick = "  warmup: 1\n  iterations: 3\n  profile: false";

function edgeRun(cwd: string, ...args: string[]) {
  return spawnSync(process.execPath, [EDGE, "run", ...args], { cwd, encoding: "utf8" });
}

function resolvedRecipeName(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, "recipe.resolved.json"), "utf8")) as { recipe: { name: string } }).recipe
    .name;
}

void test("two runs on the same --out: the second, started while the first runs, is refused with run/busy (exit 5)", async () => {
  const cwd = recipeDir(recRecipe("", "  warmup: 1\n  iterations: 40\n  profile: false"));
  writeFileSync(join(cwd, "other.edge.yaml"), recRecipe("", quick).replace("name: rec", "name: other"));
  let second: Promise<{ code: number | null; events: EngineEvent[]; stderr: string }> | undefined;
  const first = await runEdge(cwd, ["run", "recipe.edge.yaml", "--out", "out"], (e) => {
    // The first run holds the folder from its run/start to its run/end: the second starts in between.
    if (e.type === "run/start") second = startEdge(cwd, ["run", "other.edge.yaml", "--out", "out"]).exited;
  });
  assert.ok(second, "the first run started");
  const refused = await second;
  assert.equal(first.code, 0, first.stderr);
  assert.equal(refused.code, 5, refused.stderr);
  const error = refused.events.find((e) => e.type === "error");
  assert.equal(error?.type === "error" && error.code, "run/busy");
  assert.match(refused.stderr, /in use by "edge run recipe\.edge\.yaml", process \d+/);
  assert.ok(!refused.events.some((e) => e.type === "run/start"), "the refused run does not start");

  // The folder holds the first run's files only.
  const out = join(cwd, "out");
  assert.equal(resolvedRecipeName(out), "rec");
  assert.equal(readReport(out).status, "ok");
  assert.equal(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).recipe.name, "rec");
  assert.deepEqual(hiddenEntries(out), [], "the lock is gone with the run");
});

void test("two runs on the same --out started together: one completes, the other is refused, one run's files", async () => {
  // 300 iterations (seconds of work each) so that the two overlap even when one starts late on a loaded machine;
  // the test above checks the refusal deterministically.
  const run = "  warmup: 1\n  iterations: 300\n  profile: false";
  const cwd = recipeDir(recRecipe("", run));
  writeFileSync(join(cwd, "other.edge.yaml"), recRecipe("", run).replace("name: rec", "name: other"));
  const [a, b] = await Promise.all([
    runEdge(cwd, ["run", "recipe.edge.yaml", "--out", "out"]),
    runEdge(cwd, ["run", "other.edge.yaml", "--out", "out"]),
  ]);
  const codes = [a.code, b.code].sort();
  // They overlap: exactly one holds the folder.
  assert.deepEqual(codes, [0, 5], `${a.stderr}\n${b.stderr}`);
  const winner = a.code === 0 ? "rec" : "other";
  const out = join(cwd, "out");
  assert.equal(resolvedRecipeName(out), winner);
  assert.equal(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).recipe.name, winner);
});

void test("a reused --out folder: the previous run's files are removed (and said so), other files stay", () => {
  const blocks = "quantize:\n  method: int8-dynamic\nevaluate:\n  metrics: [size, cosine]\n";
  const cwd = recipeDir(recRecipe(blocks, quick));
  const first = edgeRun(cwd, "recipe.edge.yaml", "--out", "out");
  assert.equal(first.status, 0, first.stderr);
  const out = join(cwd, "out");
  for (const name of ["evaluation.json", "model.int8-dynamic.onnx", "report.json"])
    assert.ok(existsSync(join(out, name)), `the first run wrote ${name}`);
  writeFileSync(join(out, "notes.txt"), "mine\n");

  writeFileSync(join(cwd, "plain.edge.yaml"), recRecipe("", quick).replace("name: rec", "name: plain"));
  const second = spawnSync(process.execPath, [EDGE, "run", "plain.edge.yaml", "--out", "out", "--events", "jsonl"], {
    cwd,
    encoding: "utf8",
  });
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual(readdirSync(out).sort(), ["notes.txt", "recipe.resolved.json", "report.json", "report.md"]);
  assert.equal(resolvedRecipeName(out), "plain");
  const report = readReport(out);
  assert.equal(report.evaluation, undefined);
  const events = second.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as EngineEvent);
  const notice = events.find((e) => e.type === "log" && /held a previous run/.test(e.message));
  assert.ok(notice, "a log event says the previous run's files were removed");
  assert.match(notice.type === "log" ? notice.message : "", /evaluation\.json/);
});

void test("a device the engine cannot run on, before the run starts: no run folder is left", () => {
  const cwd = recipeDir(`name: far
model:
  path: ${REC_MODEL}
  inputs:
    x: { shape: [1, 3, 48, 320], dtype: float32 }
devices:
  board: { ssh: { host: board.local }, provider: cuda }
run:
  device: board
`);
  const r = edgeRun(cwd, "recipe.edge.yaml");
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stderr, /"cuda" is not available in the node runner on "board"/);
  const runs = join(cwd, ".edge", "runs");
  assert.deepEqual(existsSync(runs) ? readdirSync(runs) : [], [], "no empty run folder");
});

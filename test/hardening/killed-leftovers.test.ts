// What an edge process killed outright (SIGKILL: no handler runs, nothing is removed on the way out) leaves behind,
// and the next command removing it: a run's profile capture folder and its run folder's lock, a compile's work
// folder beside its output, an evaluation's latency folder in the system's temporary folder. Each process is killed
// while its temporary folder exists (an event or the folder's appearance, never a delay).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EDGE, REC_MODEL, hiddenEntries, recRecipe, recipeDir, runEdge } from "../cli/edge-process";
import { waitForEntry } from "./wait-for-entry";

/** Spawns `edge ARGS...` (env added), kills it with SIGKILL when `dir` holds an entry `match` accepts; resolves after. */
async function killWhenEntry(
  args: string[],
  dir: string,
  match: (name: string) => boolean,
  env: Record<string, string> = {},
): Promise<string> {
  const child = spawn(process.execPath, [EDGE, ...args], { env: { ...process.env, ...env }, stdio: "ignore" });
  const exited = new Promise<NodeJS.Signals | null>((done) => child.on("close", (_code, signal) => done(signal)));
  const name = await waitForEntry(dir, match);
  child.kill("SIGKILL");
  assert.equal(await exited, "SIGKILL");
  return name;
}

void test("edge run killed with SIGKILL while profiling: the next run removes its .profile folder and its lock", async () => {
  const cwd = recipeDir(recRecipe("", "  warmup: 1\n  iterations: 500\n  profile: true"));
  let killed = false;
  const r = await runEdge(cwd, ["run", "recipe.edge.yaml"], (e, child) => {
    if (e.type === "iteration" && !killed) {
      killed = true;
      child.kill("SIGKILL");
    }
  });
  assert.equal(r.signal, "SIGKILL", r.stderr);
  const runs = join(cwd, ".edge", "runs");
  const [killedRun] = readdirSync(runs);
  const left = hiddenEntries(join(runs, killedRun));
  assert.ok(
    left.some((n) => n.startsWith(".profile")),
    `the killed run left its profile capture folder: ${left.join(", ")}`,
  );

  // The next run (in a folder of its own) sweeps the runs folder: the killed run's leftovers go, its files stay.
  writeFileSync(join(cwd, "quick.edge.yaml"), recRecipe("", "  warmup: 1\n  iterations: 2\n  profile: false"));
  const next = await runEdge(cwd, ["run", "quick.edge.yaml"]);
  assert.equal(next.code, 0, next.stderr);
  assert.equal(readdirSync(runs).length, 2);
  assert.deepEqual(hiddenEntries(join(runs, killedRun)), [], "the dead run's temporary files and lock are removed");
  assert.deepEqual(readdirSync(join(runs, killedRun)), ["recipe.resolved.json"]);
});

void test("edge run killed with SIGKILL, then run again into the same --out: the stale lock does not refuse it", async () => {
  const cwd = recipeDir(recRecipe("", "  warmup: 1\n  iterations: 500\n  profile: true"));
  let killed = false;
  const first = await runEdge(cwd, ["run", "recipe.edge.yaml", "--out", "out"], (e, child) => {
    if (e.type === "iteration" && !killed) {
      killed = true;
      child.kill("SIGKILL");
    }
  });
  assert.equal(first.signal, "SIGKILL");
  assert.notDeepEqual(hiddenEntries(join(cwd, "out")), []);
  writeFileSync(join(cwd, "quick.edge.yaml"), recRecipe("", "  warmup: 1\n  iterations: 2\n  profile: false"));
  const again = spawnSync(process.execPath, [EDGE, "run", "quick.edge.yaml", "--out", "out"], {
    cwd,
    encoding: "utf8",
    env: process.env,
  });
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(hiddenEntries(join(cwd, "out")), []);
});

void test("edge compile killed with SIGKILL in its work folder: the next compile to that folder removes it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-killed-compile-"));
  const out = join(dir, "out");
  mkdirSync(out);
  const args = ["compile", REC_MODEL, "--provider", "cpu", "-o", join(out, "rec.onnx")];
  const work = await killWhenEntry(args, out, (n) => n.startsWith(".rec.onnx.compile"));
  assert.ok(readdirSync(out).includes(work), "the killed compile left its work folder");

  const again = spawnSync(process.execPath, [EDGE, ...args], { encoding: "utf8" });
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(hiddenEntries(out), [], "the dead compile's work folder is removed");
  assert.ok(readdirSync(out).includes("rec.onnx"));
});

void test("edge evaluate killed with SIGKILL while measuring latency: the next writing command removes its folder", async () => {
  const temp = mkdtempSync(join(tmpdir(), "edge-killed-evaluate-"));
  const args = ["evaluate", REC_MODEL, REC_MODEL, "--input-shape", "x=1,3,48,320", "--iterations", "2000"];
  const left = await killWhenEntry(args, temp, (n) => n.startsWith("edge-evaluate"), { TMPDIR: temp });
  assert.ok(readdirSync(temp).includes(left), "the killed evaluation left its latency folder");

  const cwd = recipeDir(recRecipe("", "  warmup: 1\n  iterations: 2\n  profile: false"));
  const next = spawnSync(process.execPath, [EDGE, "run", "recipe.edge.yaml", "--out", "out"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, TMPDIR: temp },
  });
  assert.equal(next.status, 0, next.stderr);
  // (onnxruntime leaves files of its own there: only the engine's are looked at.)
  assert.deepEqual(
    readdirSync(temp).filter((n) => n.startsWith("edge-")),
    [],
    "the dead evaluation's folder is removed",
  );
});

// Exit codes of the built CLI as README.md documents them, where they used to disagree: a run folder or artifact
// that cannot be written (an existing file, a path under a file, a filesystem that refuses) is 6 with an `io/write`
// error naming the path, not 70 "internal error"; a model onnxruntime cannot load is 4 for `edge compile`; an
// `--input-shape` that does not fit the model is a usage error (2) for `edge inspect`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineEvent } from "../../engine/events";
import { bytesOf, DT, graph, mlp, model, node, valueInfo } from "../onnx/model-builder";
import { EDGE, recRecipe, recipeDir, runEdge } from "./edge-process";

function edge(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [EDGE, ...args], { cwd, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function errorEvent(events: EngineEvent[]): Extract<EngineEvent, { type: "error" }> | undefined {
  return events.find((e): e is Extract<EngineEvent, { type: "error" }> => e.type === "error");
}

const RUN_RECIPE = recRecipe("", "  warmup: 1\n  iterations: 1\n  profile: false");

async function assertRunCannotWrite(cwd: string, out: string, message: RegExp) {
  const r = await runEdge(cwd, ["run", "recipe.edge.yaml", "--out", out]);
  assert.equal(r.code, 6, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.match(r.stderr, message);
  const error = errorEvent(r.events);
  assert.equal(error?.code, "io/write");
  assert.equal(error?.where.file, out);
  assert.deepEqual(r.events.at(-1), { ...r.events.at(-1), type: "run/end", ok: false, exitCode: 6 });
}

void test("edge run --out onto an existing file: exit 6, io/write naming the path", async () => {
  const cwd = recipeDir(RUN_RECIPE);
  const out = join(cwd, "taken");
  writeFileSync(out, "a file, not a folder\n");
  await assertRunCannotWrite(cwd, out, /taken.*exists and is not a folder/);
});

void test("edge run --out under a file: exit 6, io/write naming the path", async () => {
  const cwd = recipeDir(RUN_RECIPE);
  writeFileSync(join(cwd, "file"), "x\n");
  const out = join(cwd, "file", "run");
  await assertRunCannotWrite(cwd, out, /file\/run.*is a file, not a folder/);
});

void test("edge run --out on a filesystem that refuses writes (under /sys): exit 6, io/write naming the path", async (t) => {
  const out = join("/sys", `edge-test-${process.pid}`);
  try {
    mkdirSync(out);
    rmdirSync(out);
    return t.skip("/sys accepts new folders here");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    if (!["EPERM", "EACCES", "EROFS"].includes(code))
      return t.skip(`/sys refuses new folders with ${code}, not a permission error`);
  }
  const cwd = recipeDir(RUN_RECIPE);
  await assertRunCannotWrite(cwd, out, /edge-test-\d+: (permission denied|read-only)/);
});

void test(
  "edge run --out under /proc (mkdir says ENOENT under a folder that exists): exit 6, not a hang",
  { timeout: 120_000 },
  async (t) => {
    if (process.platform !== "linux") return t.skip("/proc is Linux's");
    const cwd = recipeDir(RUN_RECIPE);
    const out = join("/proc", `edge-test-${process.pid}`, "run");
    await assertRunCannotWrite(cwd, out, /cannot create the folder \/proc\/edge-test-\d+\/run: /);
  },
);

void test("edge compile -o under a file: exit 6, io/write naming the path", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-exit-"));
  writeFileSync(join(dir, "mlp.onnx"), bytesOf(mlp()));
  writeFileSync(join(dir, "file"), "x\n");
  const r = edge(dir, "compile", "mlp.onnx", "-o", "file/mlp.compiled.onnx");
  assert.equal(r.status, 6, r.stderr);
  assert.match(r.stderr, /cannot create the folder \S*\/file: it exists and is not a folder/);
  assert.doesNotMatch(r.stderr, /internal error/);
});

void test("edge compile of a model onnxruntime cannot load: exit 4 (an unsupported model), not 5", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-exit-"));
  const bad = model(
    graph({
      nodes: [node("NoSuchOp", ["x"], ["y"])],
      inputs: [valueInfo("x", DT.FLOAT, [1, 4])],
      outputs: [valueInfo("y", DT.FLOAT, [1, 4])],
    }),
  );
  writeFileSync(join(dir, "bad.onnx"), bytesOf(bad));
  const r = edge(dir, "compile", "bad.onnx", "-o", "bad.compiled.onnx");
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /bad\.onnx: onnxruntime could not load the model/);
});

void test("edge inspect --input-shape of the wrong rank, or for an unknown input, is a usage error (exit 2)", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-exit-"));
  writeFileSync(join(dir, "mlp.onnx"), bytesOf(mlp()));
  const rank = edge(dir, "inspect", "mlp.onnx", "--input-shape", "x=1,2,3");
  assert.equal(rank.status, 2, rank.stderr);
  assert.match(rank.stderr, /input "x" has rank 2/);
  const unknown = edge(dir, "inspect", "mlp.onnx", "--input-shape", "image=1,4");
  assert.equal(unknown.status, 2, unknown.stderr);
  assert.match(unknown.stderr, /no input or symbolic dim named "image"/);
  assert.match(unknown.stderr, /hint: inputs: x/);
  // A shape that fits still works.
  assert.equal(edge(dir, "inspect", "mlp.onnx", "--input-shape", "x=2,4").status, 0);
});

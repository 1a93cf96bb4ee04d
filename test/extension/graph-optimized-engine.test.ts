// "Open onnxruntime's optimized graph" against the real engine, without VS Code: a real onnxruntime profile of the
// trained tiny LM (samples/tiny-lm, `edge run` with profile: true) has kernels of nodes onnxruntime made when it
// optimized the graph (BiasGelu, FusedMatMul: names the model does not have); the plan from the run folder
// (extension/graph/optimized-graph.ts over run-folder.ts) and the built CLI run as the extension runs it
// (optimized-graph-engine.ts: `edge compile MODEL --provider cpu --optimization all --no-fuse -o OUT`) give a
// model that has every node the profile names. Then: the graph is fresh until the model changes, the CLI's error
// comes with its message, and a stop ends the compile. Needs dist/ (`npm run build`).
import * as assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { readModel, walkGraphs } from "../../engine/onnx/index";
import { planOptimizedGraph } from "../../extension/graph/optimized-graph";
import { CompileStoppedError, isFreshOutput, runCompile } from "../../extension/graph/optimized-graph-engine";
import { readRunReport, runModelOf } from "../../extension/profile/run-folder";
import { runEdge } from "../cli/edge-process";

const repoRoot = resolve(import.meta.dirname, "..", "..");
const node = { command: process.execPath, env: {} };
const work = mkdtempSync(join(tmpdir(), "edge-optimized-graph-"));
// A copy, so its modification time can change.
const model = join(work, "model.onnx");
copyFileSync(join(repoRoot, "samples", "tiny-lm", "model.onnx"), model);

async function nodeNames(path: string): Promise<Map<string, string>> {
  const m = await readModel(path);
  try {
    const names = new Map<string, string>();
    for (const scope of walkGraphs(m.proto)) for (const n of scope.nodes) names.set(n.name, n.opType);
    return names;
  } finally {
    await m.close();
  }
}

/** The node names of an onnxruntime profile's kernels ("<node>_kernel_time" events of category Node). */
function kernelNodes(profile: string): Set<string> {
  const events = JSON.parse(readFileSync(profile, "utf8")) as { cat?: string; name?: string }[];
  const suffix = "_kernel_time";
  return new Set(
    events
      .filter((e) => e.cat === "Node" && typeof e.name === "string" && e.name.endsWith(suffix))
      .map((e) => e.name!.slice(0, -suffix.length)),
  );
}

async function profiledRun(): Promise<string> {
  const recipe = join(work, "lm.edge.yaml");
  writeFileSync(
    recipe,
    `name: lm\nmodel:\n  path: ${model}\n  inputs:\n    input_ids: { shape: [1, 8], dtype: int64, range: [32, 126] }\n` +
      `devices:\n  laptop: { local: {} }\nrun:\n  device: laptop\n  warmup: 1\n  iterations: 2\n  profile: true\n`,
  );
  const runDir = join(work, "run");
  const exit = await runEdge(work, ["run", recipe, "--out", runDir]);
  assert.equal(exit.code, 0, exit.stderr);
  return runDir;
}

void test("a real profile's nodes that the model lacks are all in onnxruntime's optimized graph the CLI makes", async () => {
  const runDir = await profiledRun();
  const kernels = kernelNodes(join(runDir, "profile.json"));
  const source = await nodeNames(model);
  const missing = [...kernels].filter((n) => !source.has(n));
  assert.ok(
    missing.some((n) => /Gelu|FusedMatMul|MatMulScaleFusion|SkipLayerNorm/.test(n)),
    `the profile has nodes onnxruntime fused: ${missing.join(", ")}`,
  );

  const [report, runModel] = await Promise.all([readRunReport(runDir), runModelOf(runDir)]);
  assert.equal(runModel, model, "the kernels ran the recipe's model");
  const plan = planOptimizedGraph({ node: missing[0], model, runDir }, { report, runModel });
  assert.equal(plan.kind, "optimize");
  assert.ok(plan.kind === "optimize");
  assert.equal(plan.level, "all", "the run's session optimized at level all");
  assert.equal(plan.out, join(runDir, "ort-optimized", "model.onnx"));
  assert.equal(await isFreshOutput(plan.out, model), false, "nothing made yet");

  const output: string[] = [];
  await runCompile({ node, extensionPath: repoRoot, cwd: runDir, args: plan.args, onOutput: (t) => output.push(t) });
  assert.match(output.join(""), /fusions: none \(turned off/, "the engine's own fusions are off: onnxruntime's alone");
  const optimized = await nodeNames(plan.out);
  assert.deepEqual(
    missing.filter((n) => !optimized.has(n)),
    [],
    "every kernel's node the model lacks is in the optimized graph",
  );
  assert.deepEqual(
    [...kernels].filter((n) => !optimized.has(n)),
    [],
    "every kernel's node is in the optimized graph",
  );
  const gelu = missing.find((n) => n.startsWith("BiasGelu"));
  if (gelu) assert.equal(optimized.get(gelu), "BiasGelu");

  // Reused while newer than the model; made again once the model changed.
  assert.equal(await isFreshOutput(plan.out, model), true);
  const later = new Date(Date.now() + 60_000);
  utimesSync(model, later, later);
  assert.equal(await isFreshOutput(plan.out, model), false);
  // In the optimized graph itself there is nothing more to make.
  assert.equal(
    planOptimizedGraph({ node: "x", model: plan.out, runDir }, { report, runModel }).kind,
    "optimized-already",
  );
});

void test("the CLI's error reaches the caller with its message", async () => {
  const bad = join(work, "bad.onnx");
  writeFileSync(bad, "this is not a model\n");
  const out = join(work, "bad-out", "ort-optimized", "bad.onnx");
  const args = ["compile", bad, "--provider", "cpu", "--optimization", "all", "--no-fuse", "-o", out];
  await assert.rejects(runCompile({ node, extensionPath: repoRoot, cwd: work, args }), (e: unknown) => {
    assert.ok(e instanceof Error && !(e instanceof CompileStoppedError));
    assert.match(e.message, /^.*bad\.onnx \(byte 0\): not a readable ONNX model: .* — hint: /);
    return true;
  });
  assert.equal(await isFreshOutput(out, bad), false, "nothing written");
});

void test("a stop ends the compile, and one asked before it started starts nothing", async () => {
  const out = join(work, "stopped", "model.onnx");
  const args = ["compile", model, "--provider", "cpu", "--optimization", "all", "--no-fuse", "-o", out];
  const before = new AbortController();
  before.abort();
  await assert.rejects(
    runCompile({ node, extensionPath: repoRoot, cwd: work, args, signal: before.signal }),
    CompileStoppedError,
  );
  const during = new AbortController();
  const compiling = runCompile({ node, extensionPath: repoRoot, cwd: work, args, signal: during.signal });
  during.abort();
  await assert.rejects(compiling, CompileStoppedError);
});

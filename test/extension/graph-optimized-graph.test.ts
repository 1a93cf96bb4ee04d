// The decisions behind "Open onnxruntime's optimized graph" (extension/graph/optimized-graph.ts), without VS Code or
// the disk: which refs can have it (a run with report.json and a model; not the optimized graph itself; not a run
// that did not optimize), the level from the run's report, where the graph goes, the CLI's arguments, whether the
// graph written before is fresh, the CLI's error as people read it, and the protocol's test of "this is the
// optimized graph of that run".
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { RunReport } from "../../common/report";
import {
  compileArgs,
  compileFailureMessage,
  isFresh,
  optimizedGraphPath,
  planOptimizedGraph,
  runOptimizationLevel,
  stillMissingMessage,
} from "../../extension/graph/optimized-graph";
import { isOrtOptimizedGraph } from "../../webviews/protocol/graph";

const runDir = "/w/.edge/runs/20240101-000000-lm-laptop";
const runModel = "/w/.edge/runs/20240101-000000-lm-laptop/model.int4.onnx";

/** A report with only the session fields the plan reads. */
function report(ortOptions: Record<string, unknown> | null, optimization?: string): RunReport {
  return {
    session: ortOptions ? { options: { optimization, executionMode: "sequential" }, ortOptions, creationMs: 1 } : null,
  } as unknown as RunReport;
}

void test("a node from a run: optimized at the run's level, written into the run folder under the model's name", () => {
  const plan = planOptimizedGraph(
    { node: "BiasGelu_token_3", model: "/w/model.onnx", runDir },
    { report: report({ executionProviders: ["cpu"], graphOptimizationLevel: "extended" }), runModel },
  );
  assert.deepEqual(plan, {
    kind: "optimize",
    node: "BiasGelu_token_3",
    runDir,
    runId: "20240101-000000-lm-laptop",
    model: runModel,
    out: `${runDir}/ort-optimized/model.int4.onnx`,
    level: "extended",
    args: [
      "compile",
      runModel,
      "--provider",
      "cpu",
      "--optimization",
      "extended",
      "--no-fuse",
      "-o",
      `${runDir}/ort-optimized/model.int4.onnx`,
    ],
  });
});

void test("the level: what onnxruntime was given, else the session's options, else onnxruntime's default (all)", () => {
  assert.equal(runOptimizationLevel(report({ graphOptimizationLevel: "basic" }, "all")), "basic");
  // A level edge compile does not take (onnxruntime's "layout") falls back to the session's options.
  assert.equal(runOptimizationLevel(report({ graphOptimizationLevel: "layout" }, "extended")), "extended");
  assert.equal(runOptimizationLevel(report({}, undefined)), "all");
  assert.equal(runOptimizationLevel(report(null)), "all");
  assert.equal(runOptimizationLevel(undefined), "all");
  assert.deepEqual(compileArgs("/m.onnx", "/o/m.onnx", "all"), [
    "compile",
    "/m.onnx",
    "--provider",
    "cpu",
    "--optimization",
    "all",
    "--no-fuse",
    "-o",
    "/o/m.onnx",
  ]);
  assert.equal(optimizedGraphPath("/r/run1/", "/models/a b.onnx"), "/r/run1/ort-optimized/a b.onnx");
});

void test("no optimized graph without a run, a report, a model, or when the run did not optimize", () => {
  const why = (plan: ReturnType<typeof planOptimizedGraph>) => (plan.kind === "unavailable" ? plan.reason : plan.kind);
  assert.match(why(planOptimizedGraph({ node: "n", model: "/w/m.onnx" }, {})), /not from a run/);
  assert.match(why(planOptimizedGraph({ node: "n", runDir }, { runModel })), /has no report\.json/);
  assert.match(why(planOptimizedGraph({ node: "n", runDir }, { report: report({}) })), /names no model/);
  assert.match(
    why(
      planOptimizedGraph({ node: "n", runDir }, { report: report({ graphOptimizationLevel: "disabled" }), runModel }),
    ),
    /did not optimize the graph/,
  );
  // A run whose model already is in its ort-optimized folder: the output would be the input.
  assert.match(
    why(planOptimizedGraph({ node: "n", runDir }, { report: report({}), runModel: `${runDir}/ort-optimized/m.onnx` })),
    /already in its ort-optimized folder/,
  );
});

void test("the node missing from the optimized graph itself: nothing more to make, said plainly", () => {
  const plan = planOptimizedGraph(
    { node: "n_token_9", model: `${runDir}/ort-optimized/model.int4.onnx`, runDir },
    { report: report({ executionProviders: ["xnnpack", "cpu"] }), runModel },
  );
  assert.equal(plan.kind, "optimized-already");
  assert.ok(plan.kind === "optimized-already");
  assert.equal(
    plan.caveat,
    "run 20240101-000000-lm-laptop also used xnnpack, whose nodes a CPU optimization does not make",
  );
  assert.equal(
    stillMissingMessage(plan),
    'Node "n_token_9" is not in onnxruntime\'s optimized graph of run 20240101-000000-lm-laptop either: onnxruntime ' +
      "made it after optimizing the graph (when it placed the nodes on providers), or the session that ran it had " +
      "other options (run 20240101-000000-lm-laptop also used xnnpack, whose nodes a CPU optimization does not make).",
  );
  // Providers given as objects count too; the CPU alone gives no caveat.
  const objects = planOptimizedGraph(
    { node: "n", runDir },
    { report: report({ executionProviders: [{ name: "nnapi" }, "cpu"] }), runModel },
  );
  assert.equal(
    objects.kind === "optimize" && objects.caveat,
    "run 20240101-000000-lm-laptop also used nnapi, whose nodes a CPU optimization does not make",
  );
  const cpu = planOptimizedGraph({ node: "n", runDir }, { report: report({ executionProviders: ["cpu"] }), runModel });
  assert.equal(cpu.kind === "optimize" && cpu.caveat, undefined);
});

void test("the optimized graph of a run is a file right in its ort-optimized folder (either separator)", () => {
  assert.ok(isOrtOptimizedGraph(`${runDir}/ort-optimized/m.onnx`, runDir));
  assert.ok(isOrtOptimizedGraph(`${runDir}/ort-optimized/m.onnx`, `${runDir}/`));
  assert.ok(isOrtOptimizedGraph("C:\\w\\run\\ort-optimized\\m.onnx", "C:\\w\\run"));
  assert.ok(!isOrtOptimizedGraph(`${runDir}/m.onnx`, runDir));
  assert.ok(!isOrtOptimizedGraph(`${runDir}/ort-optimized/sub/m.onnx`, runDir));
  assert.ok(!isOrtOptimizedGraph("/w/.edge/runs/other/ort-optimized/m.onnx", runDir));
  assert.ok(!isOrtOptimizedGraph("m.onnx", ""));
});

void test("the graph written before is reused only while it is newer than the model", () => {
  assert.equal(isFresh({ outMtimeMs: 2000, modelMtimeMs: 1000 }), true);
  assert.equal(isFresh({ outMtimeMs: 1000, modelMtimeMs: 1000 }), false);
  assert.equal(isFresh({ outMtimeMs: 1000, modelMtimeMs: 2000 }), false);
  assert.equal(isFresh({ modelMtimeMs: 1000 }), false);
  // The model is gone: it cannot be optimized again, so what was made from it is still the answer.
  assert.equal(isFresh({ outMtimeMs: 1000 }), true);
});

void test("the CLI's error as people read it: its `edge compile:` line and hint, else its last line, else how it ended", () => {
  const output =
    "wrote nothing yet\nedge compile: /m.onnx (byte 0): not a readable ONNX model: invalid wire type 7\n" +
    "  hint: this looks like a text file, not an ONNX model\n";
  assert.equal(
    compileFailureMessage(output, { code: 4, signal: null }),
    "/m.onnx (byte 0): not a readable ONNX model: invalid wire type 7 — hint: this looks like a text file, not an ONNX model",
  );
  assert.equal(
    compileFailureMessage("could not start the engine: spawn x ENOENT\n", { code: 127, signal: null }),
    "could not start the engine: spawn x ENOENT (edge compile ended with exit 127)",
  );
  assert.equal(compileFailureMessage("", { code: null, signal: "SIGKILL" }), "edge compile was stopped by SIGKILL");
});

// Which runs a model belongs to (extension/graph/model-runs.ts), from report.json contents: a run's original and
// produced models (relative paths resolved against the run folder), the overlays its files give, and the runs the
// graph viewer offers for a model (its own runs first, newest first; unrelated runs only when they have overlays).
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { RunReport } from "../../common/report";
import { modelToOpen, roleOf, runModels, runOverlayKinds, runsForModel } from "../../extension/graph/model-runs";

/** The fields model-runs reads, the rest left out. */
function report(parts: {
  model?: string;
  source?: string;
  quantized?: string;
  compiled?: string;
  artifacts?: RunReport["artifacts"];
  profile?: string;
}): RunReport {
  return {
    model: parts.model ? { path: parts.model } : null,
    optimization:
      parts.source || parts.compiled
        ? {
            quantize: parts.source ? { source: parts.source, output: parts.quantized } : undefined,
            compile: parts.compiled ? { path: parts.compiled } : undefined,
          }
        : undefined,
    artifacts: parts.artifacts ?? [],
    profile: parts.profile ? { enabled: true, path: parts.profile } : { enabled: false },
  } as unknown as RunReport;
}

void test("a run without quantize or compile: its model is the original, nothing produced", () => {
  assert.deepEqual(runModels(report({ model: "/w/m.onnx" }), "/w/.edge/runs/r1"), {
    original: "/w/m.onnx",
    produced: [],
  });
});

void test("quantize then compile: the source is the original, both outputs produced (relative to the run folder)", () => {
  const r = report({
    model: "/w/.edge/runs/r1/m.opt.onnx",
    source: "/w/m.onnx",
    quantized: "m.int8.onnx",
    compiled: "/w/.edge/runs/r1/m.opt.onnx",
    artifacts: [
      { kind: "model", path: "m.int8.onnx" },
      { kind: "model", path: "m.opt.onnx" },
    ],
  });
  const models = runModels(r, "/w/.edge/runs/r1");
  assert.deepEqual(models, {
    original: "/w/m.onnx",
    produced: ["/w/.edge/runs/r1/m.int8.onnx", "/w/.edge/runs/r1/m.opt.onnx"],
  });
  assert.equal(modelToOpen(models), "/w/.edge/runs/r1/m.opt.onnx");
  assert.equal(roleOf("/w/m.onnx", models), "original");
  assert.equal(roleOf("/w/.edge/runs/r1/../r1/m.int8.onnx", models), "produced");
  assert.equal(roleOf("/w/other.onnx", models), "other");
});

void test("a run's overlays follow its files: profile, partitions.json, quant-error.json", () => {
  assert.deepEqual(runOverlayKinds(report({ model: "/m.onnx" })), []);
  assert.deepEqual(
    runOverlayKinds(
      report({
        model: "/m.onnx",
        profile: "profile.json",
        artifacts: [
          { kind: "partitions.json", path: "partitions.json" },
          { kind: "quant-error.json", path: "quant-error.json" },
        ],
      }),
    ),
    ["latency", "partitions", "quantError"],
  );
});

void test("runs offered for a model: its own runs newest first, then other runs with overlays, unreadable left out", () => {
  const runs = [
    { runDir: "/w/.edge/runs/20240101-a", runId: "20240101-a", report: report({ model: "/w/m.onnx" }) },
    {
      runDir: "/w/.edge/runs/20240301-b",
      runId: "20240301-b",
      report: report({ model: "/w/m.onnx", profile: "profile.json" }),
    },
    {
      runDir: "/w/.edge/runs/20240201-c",
      runId: "20240201-c",
      report: report({ model: "/w/x.onnx", source: "/w/x.onnx", quantized: "/w/m.onnx", profile: "p.json" }),
    },
    { runDir: "/w/.edge/runs/20240401-d", runId: "20240401-d", report: report({ model: "/w/y.onnx" }) },
    {
      runDir: "/w/.edge/runs/20240501-e",
      runId: "20240501-e",
      report: report({ model: "/w/y.onnx", profile: "profile.json" }),
    },
    { runDir: "/w/.edge/runs/20240601-f", runId: "20240601-f" },
  ];
  const offered = runsForModel("/w/m.onnx", runs);
  assert.deepEqual(
    offered.map((r) => [r.runId, r.role, r.overlays.join(",")]),
    [
      ["20240301-b", "original", "latency"],
      ["20240201-c", "produced", "latency"],
      ["20240101-a", "original", ""],
      ["20240501-e", "other", "latency"],
    ],
  );
  assert.deepEqual(
    runsForModel("/w/m.onnx", runs, 0).map((r) => r.runId),
    ["20240301-b", "20240201-c", "20240101-a"],
  );
});

// common/run-models.ts: a run's original and produced models from its report (paths the report names relative or
// absolute are one file), and the recipe's model from recipe.resolved.json as the engine writes it.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { RunReport } from "../../common/report";
import { resolvedRecipeModel, runModelPaths } from "../../common/run-models";
import { runModelFiles } from "../../engine/graph";

const inRun = (p: string) => (p.startsWith("/") ? p : `/runs/r1/${p}`);

void test("a compiled run without quantize: one produced model however the report names it; no original in the report", () => {
  const report = {
    optimization: { compile: { path: "model.opt.onnx" } },
    artifacts: [{ kind: "model", path: "/runs/r1/model.opt.onnx" }],
    model: { path: "/runs/r1/model.opt.onnx" },
  } as unknown as RunReport;
  assert.deepEqual(runModelPaths(report, inRun), { produced: ["/runs/r1/model.opt.onnx"] });
  assert.deepEqual(runModelPaths(report, inRun, "/w/model.onnx"), {
    original: "/w/model.onnx",
    produced: ["/runs/r1/model.opt.onnx"],
  });
});

void test("recipe.resolved.json as the engine writes it gives the recipe's model; anything else gives nothing", () => {
  assert.equal(
    resolvedRecipeModel({ source: "/w/a.edge.yaml", device: "local", recipe: {}, paths: { model: "/w/m.onnx" } }),
    "/w/m.onnx",
  );
  assert.equal(resolvedRecipeModel({ recipe: { model: { path: "m.onnx" } } }), "m.onnx");
  assert.equal(resolvedRecipeModel({ model: { path: "/w/m.onnx" } }), undefined);
  assert.equal(resolvedRecipeModel(null), undefined);
});

void test("runModelFiles reads the original from recipe.resolved.json when the report does not name it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-run-models-"));
  writeFileSync(
    join(dir, "report.json"),
    JSON.stringify({ optimization: { compile: { path: "model.opt.onnx" } }, artifacts: [], model: null }),
  );
  writeFileSync(
    join(dir, "recipe.resolved.json"),
    JSON.stringify({
      source: "/w/r.edge.yaml",
      device: "local",
      recipe: { model: { path: "m.onnx" } },
      paths: { model: "/w/m.onnx" },
    }),
  );
  assert.deepEqual(await runModelFiles(dir), { original: "/w/m.onnx", produced: [join(dir, "model.opt.onnx")] });
});

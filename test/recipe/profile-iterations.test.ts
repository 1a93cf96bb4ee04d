// `run.profile_iterations`: `all` reaches the run (every measured iteration profiled, as the report says), and
// without `profile: true` it is a warning on its key.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { runRecipe } from "../../engine/pipeline";
import { loadRecipe } from "../../engine/recipe";
import type { RunReport } from "../../engine/report/report-types";
import { CLS_MODEL } from "../run/helpers";

function recipe(run: string): string {
  const dir = mkdtempSync(join(tmpdir(), "edge-profile-iterations-"));
  const file = join(dir, "p.edge.yaml");
  writeFileSync(
    file,
    `name: p\nmodel:\n  path: ${resolve(CLS_MODEL)}\n  inputs:\n    x: { shape: [1, 3, 48, 192], dtype: float32 }\nrun:\n${run}`,
  );
  return file;
}

void test("profile_iterations: all profiles every measured iteration of edge run", async () => {
  const file = recipe("  iterations: 12\n  profile: true\n  profile_iterations: all\n");
  const result = await runRecipe(file, { outDir: join(file, "..", "run") });
  assert.equal(result.exitCode, 0);
  const report = JSON.parse(readFileSync(join(result.runDir, "report.json"), "utf8")) as RunReport;
  assert.deepEqual(report.profile?.profiledIterations, [[0, 11]]);
});

void test("profile_iterations without profile: true is a warning on its key", async () => {
  const loaded = await loadRecipe(recipe("  iterations: 3\n  profile_iterations: all\n"));
  const warning = loaded.problems.find((p) => p.code === "option/not-applicable");
  assert.equal(warning?.severity, "warning", JSON.stringify(loaded.problems));
  assert.equal(warning?.range.start.line, 8);
  const fine = await loadRecipe(recipe("  profile: true\n  profile_iterations: sampled\n"));
  assert.equal(fine.problems.filter((p) => p.code === "option/not-applicable").length, 0);
});

// Big recipes validate in linear time: `edge validate` on a recipe with 200,000 device keys (about 5 MB; the yaml
// library's own duplicate-key check made it take over ten minutes) and on one with 40,000 finishes, spawned with a
// timeout so a regression fails instead of hanging; a duplicate key deep in a big recipe is still reported where
// it is. The speed figure itself is bench/recipe-parse.bench.ts.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { join, relative } from "node:path";
import { parseRecipe } from "../../engine/recipe";
import { ensureBuilt } from "../../bench/lsp/ensure-built";
import { manyDevicesRecipe } from "./big-recipe";
import { repoRoot, sileroModel, tempDir, writeFiles } from "./helpers";

ensureBuilt(repoRoot);

/** A spawned `edge validate` may take this long; the quadratic parse took over ten minutes for 200,000 keys. */
const VALIDATE_TIMEOUT_MS = 120_000;

function validate(cwd: string, file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "bin/edge.js"), "validate", file], { cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`edge validate ${file} did not finish in ${VALIDATE_TIMEOUT_MS / 1000} s`));
    }, VALIDATE_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

for (const devices of [40_000, 200_000]) {
  void test(
    `edge validate on a recipe with ${devices} device keys finishes and finds it valid`,
    { timeout: VALIDATE_TIMEOUT_MS + 30_000 },
    async () => {
      const dir = tempDir();
      writeFiles(dir, { "big.edge.yaml": manyDevicesRecipe(devices, relative(dir, sileroModel)) });
      const result = await validate(dir, "big.edge.yaml");
      assert.equal(
        result.code,
        0,
        `exit ${result.code}\n${result.stdout.slice(0, 2000)}\n${result.stderr.slice(0, 2000)}`,
      );
      assert.doesNotMatch(result.stdout, /error/);
    },
  );
}

void test("a duplicate device key deep in a big recipe is reported on the repeated key", () => {
  const text = manyDevicesRecipe(40_000).replace("  device_39999:", "  device_17:");
  const lines = text.split("\n");
  const first = lines.indexOf("  device_17: { local: {} }") + 1;
  const repeated = lines.lastIndexOf("  device_17: { local: {} }") + 1;
  assert.ok(repeated > first, "the key is there twice");
  const problems = parseRecipe(text, "big.edge.yaml").problems;
  assert.deepEqual(
    problems.map((p) => [p.code, p.message, p.range.start]),
    [["yaml/syntax", "YAML syntax: Map keys must be unique", { line: repeated, column: 3 }]],
  );
});

// The schema is the one source of truth: the generated types and the README's recipe reference must match
// it (run `npm run gen` when these fail), and every property carries what editors show.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { generateRecipeTypes, typesFile } from "../../scripts/gen-recipe-types";
import {
  endMarker,
  generateRecipeReference,
  readmeFile,
  startMarker,
  updateReadme,
} from "../../scripts/gen-recipe-docs";
import { recipeSchema } from "../../engine/recipe";

void test("engine/recipe/recipe-types.generated.ts is up to date with the schema", async () => {
  const expected = await generateRecipeTypes();
  assert.ok(readFileSync(typesFile, "utf8") === expected, "recipe-types.generated.ts is stale: run `npm run gen`");
});

void test("README.md's recipe reference is up to date with the schema", () => {
  const readme = readFileSync(readmeFile, "utf8");
  assert.ok(readme.includes(startMarker) && readme.includes(endMarker), "README.md lost its recipe-reference markers");
  assert.ok(
    updateReadme(readme, generateRecipeReference()) === readme,
    "README.md's recipe reference is stale: run `npm run gen`",
  );
});

void test("the reference lists every key of the schema", () => {
  const reference = generateRecipeReference();
  for (const key of [
    "model.inputs.<input>.shape",
    "devices.<device>.ssh.identity_file",
    "quantize.calibration.percentile",
    "run.threads.inter_op",
    "budgets.latency_p95_ms",
  ]) {
    assert.ok(reference.includes(`\`${key}\``), `missing ${key}`);
  }
});

void test("every property in the schema has a description and examples", () => {
  const missing: string[] = [];
  const visit = (node: unknown, path: string) => {
    if (!node || typeof node !== "object") return;
    const schema = node as Record<string, unknown>;
    for (const [name, child] of Object.entries((schema.properties as Record<string, Record<string, unknown>>) ?? {})) {
      if (typeof child.description !== "string" || child.description.length < 10)
        missing.push(`${path}.${name}: description`);
      if (!Array.isArray(child.examples) || child.examples.length === 0) missing.push(`${path}.${name}: examples`);
      visit(child, `${path}.${name}`);
    }
    for (const key of ["items", "additionalProperties"]) visit(schema[key], `${path}[${key}]`);
    for (const [name, def] of Object.entries((schema.$defs as Record<string, unknown>) ?? {}))
      visit(def, `$defs.${name}`);
  };
  visit(recipeSchema, "");
  assert.deepEqual(missing, []);
});

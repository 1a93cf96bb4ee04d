// common/ is the leaf every folder may import: it imports only itself and uses nothing of node, the DOM or VS Code;
// and what it declares agrees with the places outside TypeScript that say it too (package.json's language).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, resolve } from "node:path";
import { test } from "node:test";
import { isRecipeFile, LANGUAGE_ID, RECIPE_FILE_EXTENSIONS, RECIPE_FILE_GLOB } from "../../common/recipe-language";

const root = resolve(import.meta.dirname, "..", "..");
// Its subfolders (trace/) included.
const files = readdirSync(join(root, "common"), { recursive: true, encoding: "utf8" })
  .map((f) => f.split("\\").join("/"))
  .filter((f) => f.endsWith(".ts"));

void test("common/ imports only its own modules and uses no node, DOM or VS Code globals", () => {
  assert.ok(files.length >= 8);
  for (const file of files) {
    const text = readFileSync(join(root, "common", file), "utf8");
    for (const [, from, dynamic] of text.matchAll(/\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']/g)) {
      const spec = from ?? dynamic;
      assert.match(spec, /^(\.\.?\/)+[a-z0-9-]+(\/[a-z0-9-]+)*$/, `${file} imports ${spec}`);
      const target = posix.normalize(posix.join("common", dirname(file), spec));
      assert.ok(target.startsWith("common/"), `${file} imports ${spec}, outside common/`);
    }
    // A property of that name (`INSTANT_SCOPE.process`, `{ process: 1 }`) is not the global.
    const code = text
      .replace(/\/\/.*$/gm, "")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\.\s*\w+|\b\w+\s*:/g, "");
    assert.doesNotMatch(
      code,
      /\b(process|Buffer|require|document|window|navigator|acquireVsCodeApi|NodeJS)\b/,
      `${file} uses a host global`,
    );
  }
});

void test("the language id and recipe file names are package.json's", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    contributes: { languages: { id: string; extensions: string[] }[]; yamlValidation: { fileMatch: string[] }[] };
    activationEvents: string[];
  };
  const language = pkg.contributes.languages.find((l) => l.id === LANGUAGE_ID);
  assert.ok(language, `package.json contributes the language ${LANGUAGE_ID}`);
  assert.deepEqual(language.extensions, [...RECIPE_FILE_EXTENSIONS]);
  assert.ok(pkg.activationEvents.includes(`onLanguage:${LANGUAGE_ID}`));
  assert.deepEqual(
    pkg.contributes.yamlValidation[0].fileMatch,
    RECIPE_FILE_EXTENSIONS.map((e) => `*${e}`),
  );
  assert.equal(
    RECIPE_FILE_GLOB,
    `**/*.edge.{${RECIPE_FILE_EXTENSIONS.map((e) => e.slice(".edge.".length)).join(",")}}`,
  );
  assert.ok(isRecipeFile("/w/demo.edge.yaml") && isRecipeFile("a.edge.yml"));
  assert.ok(!isRecipeFile("demo.yaml") && !isRecipeFile("demo.edge.json"));
});

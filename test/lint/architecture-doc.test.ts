// ARCHITECTURE.md mirrors the engine's layer table of scripts/check-deps.ts: the same modules in the same layers,
// lowest first. The script's table is what is enforced; this test keeps the document a person reads in step with it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";

const root = resolve(import.meta.dirname, "..", "..");

/** The rows of `const engineLayers = [...]` in the script, each a list of module names. */
function scriptLayers(): string[][] {
  const text = readFileSync(join(root, "scripts", "check-deps.ts"), "utf8");
  const start = text.indexOf("const engineLayers");
  assert.ok(start >= 0, "scripts/check-deps.ts declares engineLayers");
  const body = text.slice(text.indexOf("= [", start) + 3, text.indexOf("];", start));
  return body
    .split("\n")
    .map((line) => line.replace(/\/\/.*$/, ""))
    .filter((line) => line.includes("["))
    .map((line) => [...line.matchAll(/"([^"]+)"/g)].map((m) => m[1]));
}

/** The layer table of ARCHITECTURE.md: rows `| N | `a`, `b` | …`, each a list of module names without the slash. */
function documentLayers(): string[][] {
  const text = readFileSync(join(root, "ARCHITECTURE.md"), "utf8");
  return text
    .split("\n")
    .filter((line) => /^\|\s*\d+\s*\|/.test(line))
    .map((line) => [...line.split("|")[2].matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/\/$/, "")));
}

void test("ARCHITECTURE.md lists the engine layers of scripts/check-deps.ts, in order", () => {
  const script = scriptLayers();
  assert.ok(script.length >= 5, `read ${script.length} layers from the script`);
  assert.deepEqual(documentLayers(), script);
});

void test("nothing in the repository's documentation points outside it", () => {
  for (const file of ["README.md", "ARCHITECTURE.md"]) {
    const text = readFileSync(join(root, file), "utf8");
    assert.doesNotMatch(text, /\.\.\/shared\b/, `${file} points at a folder outside the repository`);
  }
});

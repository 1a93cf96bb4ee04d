// The dependency check (scripts/check-deps.ts) must flag imports that break the layout rules, on planted trees,
// and pass the real tree.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function check(root: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/check-deps.ts", root], { encoding: "utf8" });
  return { status: r.status, output: r.stdout + r.stderr };
}

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "edge-deps-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

void test("the repository itself follows the layout rules", () => {
  const r = check(".");
  const problems = r.output.split("\n").filter((l) => l !== "" && !l.startsWith("dependency check:"));
  assert.deepEqual(problems, [], r.output);
  assert.equal(r.status, 0, r.output);
});

void test("engine importing vscode is flagged with file and line", () => {
  const r = check(
    tree({
      "engine/a.ts": 'import { x } from "./b";\nimport * as vscode from "vscode";\n',
      "engine/b.ts": "export const x = 1;\n",
    }),
  );
  assert.equal(r.status, 1);
  assert.match(r.output, /engine\/a\.ts:2: engine\/ must not import "vscode"/);
});

void test("webviews importing a node module or the engine is flagged", () => {
  const r = check(
    tree({
      "webviews/graph/app.ts": 'import fs from "node:fs";\nimport { main } from "../../engine/cli/main";\n',
      "engine/cli/main.ts": "export const main = 1;\n",
    }),
  );
  assert.equal(r.status, 1);
  assert.match(r.output, /webviews\/graph\/app\.ts:1: .*node module "node:fs"/);
  assert.match(r.output, /webviews\/graph\/app\.ts:2: webviews\/ may not import engine\/cli\/main/);
});

void test("common importing a node module, a package or another folder is flagged; every folder may import common", () => {
  const r = check(
    tree({
      "common/units.ts":
        'import { readFileSync } from "node:fs";\nimport YAML from "yaml";\nimport { x } from "../engine/x";\nexport const u = 1;\n',
      "engine/x.ts": 'import { u } from "../common/units";\nexport const x = u;\n',
      "webviews/report/app.ts": 'import { u } from "../../common/units";\n',
    }),
  );
  assert.equal(r.status, 1);
  assert.match(r.output, /common\/units\.ts:1: common\/ .*"node:fs"/);
  assert.match(r.output, /common\/units\.ts:2: common\/ .*"yaml"/);
  assert.match(r.output, /common\/units\.ts:3: common\/ may not import engine\/x/);
  assert.match(r.output, /^import cycle: common\/units\.ts:3 → engine\/x\.ts:1 → common\/units\.ts$/m);
  // engine/ and webviews/ importing common is allowed: no problem starts at their files.
  assert.doesNotMatch(r.output, /^(engine\/x\.ts|webviews\/report)/m);
});

void test("engine importing the extension is flagged; extension importing the engine is allowed", () => {
  const r = check(
    tree({
      "engine/a.ts": 'import { b } from "../extension/b";\n',
      "extension/b.ts": 'import { a } from "../engine/a";\nexport const b = a;\n',
    }),
  );
  assert.equal(r.status, 1);
  assert.match(r.output, /engine\/a\.ts:1: engine\/ may not import extension\/b/);
  assert.doesNotMatch(r.output, /^extension\/b\.ts:/m);
});

void test("inside the engine, an import of a higher layer is flagged, a lower one is not", () => {
  const r = check(
    tree({
      "engine/onnx/read.ts":
        'import { write } from "../report/write";\nimport { EdgeError } from "../errors";\nexport const read = () => [write, EdgeError];\n',
      "engine/report/write.ts": "export const write = 1;\n",
      "engine/errors.ts": "export class EdgeError {}\n",
    }),
  );
  assert.equal(r.status, 1);
  assert.match(
    r.output,
    /engine\/onnx\/read\.ts:1: engine\/onnx \(layer 1\) may not import engine\/report \(higher layer \d+\)/,
  );
  assert.doesNotMatch(r.output, /engine\/onnx\/read\.ts:2/);
});

void test("inside one engine layer, only the listed sibling imports pass", () => {
  const r = check(
    tree({
      "engine/recipe/check.ts": 'import { ort } from "../run/ort";\nexport const check = ort;\n',
      "engine/compile/compile.ts": 'import { ort } from "../run/ort";\nexport const compile = ort;\n',
      "engine/run/ort.ts": "export const ort = 1;\n",
    }),
  );
  assert.equal(r.status, 1);
  assert.match(
    r.output,
    /engine\/recipe\/check\.ts:1: engine\/recipe may not import engine\/run \(same layer; allowed: none\)/,
  );
  assert.doesNotMatch(r.output, /engine\/compile\/compile\.ts/);
});

void test("an engine folder missing from the layer table is flagged", () => {
  const r = check(
    tree({
      "engine/gadgets/a.ts": 'import { x } from "../onnx/x";\nexport const a = x;\n',
      "engine/onnx/x.ts": "export const x = 1;\n",
    }),
  );
  assert.equal(r.status, 1);
  assert.match(r.output, /engine\/gadgets\/a\.ts:1: engine module "gadgets" has no layer in the table/);
});

void test("an import cycle is flagged as the chain of files, type-only imports included", () => {
  const r = check(
    tree({
      "engine/onnx/a.ts": 'import type { B } from "./b";\nexport interface A { b?: B }\n',
      "engine/onnx/b.ts": 'import { c } from "./c";\nexport interface B { c: typeof c }\n',
      "engine/onnx/c.ts": 'export type { A } from "./a";\nexport const c = 1;\n',
      "engine/onnx/d.ts": 'import type { A } from "./a";\nexport type D = A;\n',
    }),
  );
  assert.equal(r.status, 1);
  assert.match(
    r.output,
    /^import cycle: engine\/onnx\/a\.ts:1 → engine\/onnx\/b\.ts:1 → engine\/onnx\/c\.ts:1 → engine\/onnx\/a\.ts$/m,
  );
  assert.doesNotMatch(r.output, /d\.ts/);
});

void test("outside the engine, engine modules are imported through their index", () => {
  const r = check(
    tree({
      "language-server/a.ts":
        'import { read } from "../engine/onnx/read";\nimport { x } from "../engine/onnx";\nimport { EdgeError } from "../engine/errors";\nexport const a = [read, x, EdgeError];\n',
      "engine/onnx/read.ts": "export const read = 1;\n",
      "engine/onnx/index.ts": 'export { read as x } from "./read";\n',
      "engine/errors.ts": "export class EdgeError {}\n",
      "test/onnx.test.ts": 'import { read } from "../engine/onnx/read";\nexport const t = read;\n',
    }),
  );
  assert.equal(r.status, 1);
  assert.match(
    r.output,
    /language-server\/a\.ts:1: language-server\/ must import engine\/onnx through its index \(engine\/onnx\/index\.ts\), not engine\/onnx\/read\.ts/,
  );
  assert.doesNotMatch(r.output, /language-server\/a\.ts:[23]/);
  assert.doesNotMatch(r.output, /test\/onnx\.test\.ts/);
});

void test("a computed import is flagged unless a comment names what it loads", () => {
  const r = check(
    tree({
      "engine/cli/load.ts": [
        "export async function load(path: string, name: string) {",
        "  const a = await import(path);",
        "  // check-deps: computed import of language-server (its built bundle)",
        "  const b = await import(name);",
        "  const c = require(`${name}.js`);",
        "  return [a, b, c];",
        "}",
        "",
      ].join("\n"),
      "test/load.test.ts": "export const load = (p: string) => import(p);\n",
    }),
  );
  assert.equal(r.status, 1);
  assert.match(r.output, /engine\/cli\/load\.ts:2: computed import/);
  assert.match(r.output, /engine\/cli\/load\.ts:5: computed import/);
  assert.doesNotMatch(r.output, /load\.ts:4|test\/load/);
});

void test("a computed import with its allow comment passes and is listed", () => {
  const r = check(
    tree({
      "engine/cli/load.ts":
        "// check-deps: computed import of language-server (its built bundle)\nexport const load = (p: string) => import(p);\n",
    }),
  );
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /computed imports declared: engine\/cli\/load\.ts:2 loads language-server/);
});

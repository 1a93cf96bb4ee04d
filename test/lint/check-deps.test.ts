// The dependency-direction check must flag imports that break ARCHITECTURE.md's layout, and pass the real tree.
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
  assert.equal(r.status, 0, r.output);
});

void test("engine importing vscode is flagged with file and line", () => {
  const r = check(tree({ "engine/a.ts": 'import { x } from "./b";\nimport * as vscode from "vscode";\n', "engine/b.ts": "export const x = 1;\n" }));
  assert.equal(r.status, 1);
  assert.match(r.output, /engine\/a\.ts:2: engine\/ must not import "vscode"/);
});

void test("webviews importing a node module or the engine is flagged", () => {
  const r = check(tree({ "webviews/graph/app.ts": 'import fs from "node:fs";\nimport { main } from "../../engine/cli/main";\n', "engine/cli/main.ts": "export const main = 1;\n" }));
  assert.equal(r.status, 1);
  assert.match(r.output, /webviews\/graph\/app\.ts:1: .*node module "node:fs"/);
  assert.match(r.output, /webviews\/graph\/app\.ts:2: webviews\/ may not import engine\/cli\/main/);
});

void test("common importing a node module, a package or another folder is flagged; every folder may import common", () => {
  const r = check(
    tree({
      "common/units.ts": 'import { readFileSync } from "node:fs";\nimport YAML from "yaml";\nimport { x } from "../engine/x";\nexport const u = 1;\n',
      "engine/x.ts": 'import { u } from "../common/units";\nexport const x = u;\n',
      "webviews/report/app.ts": 'import { u } from "../../common/units";\n',
    }),
  );
  assert.equal(r.status, 1);
  assert.match(r.output, /common\/units\.ts:1: common\/ .*"node:fs"/);
  assert.match(r.output, /common\/units\.ts:2: common\/ .*"yaml"/);
  assert.match(r.output, /common\/units\.ts:3: common\/ may not import engine\/x/);
  assert.doesNotMatch(r.output, /engine\/x\.ts|webviews\/report/);
});

void test("engine importing the extension is flagged; extension importing the engine is allowed", () => {
  const r = check(tree({ "engine/a.ts": 'import { b } from "../extension/b";\n', "extension/b.ts": 'import { a } from "../engine/a";\nexport const b = a;\n' }));
  assert.equal(r.status, 1);
  assert.match(r.output, /engine\/a\.ts:1: engine\/ may not import extension\/b/);
  assert.doesNotMatch(r.output, /extension\/b\.ts/);
});

// Each folder's tsconfig.json decides which globals its code sees: the compiler, not a pattern, keeps node's
// `process` out of the webviews and the DOM's `document` out of the engine and the language server. These tests run
// the TypeScript compiler on planted files with the real folder settings (a planted tsconfig that extends the
// folder's own) and check what it refuses and what it accepts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";

const repo = resolve(".");

/** Compiles the planted files (and `alsoInclude` globs of the repository) with `folder`'s settings; errors by file. */
function compile(folder: string, files: Record<string, string>, alsoInclude: string[] = []): Map<string, string[]> {
  const dir = mkdtempSync(join(tmpdir(), "edge-tsconfig-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const config = {
    extends: join(repo, folder, "tsconfig.json"),
    // One throwaway program: no project build, no output; node's types (where the folder asks for them) from the repository.
    compilerOptions: {
      composite: false,
      incremental: false,
      noEmit: true,
      emitDeclarationOnly: false,
      rootDir: "/",
      typeRoots: [join(repo, "node_modules/@types")],
    },
    include: [...Object.keys(files).map((name) => join(dir, name)), ...alsoInclude.map((glob) => join(repo, glob))],
  };
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dir);
  assert.deepEqual(
    parsed.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    [],
  );
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const errors = new Map<string, string[]>();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file ? d.file.fileName.replace(`${dir}/`, "").replace(`${repo}/`, "") : "(options)";
    errors.set(file, [...(errors.get(file) ?? []), ts.flattenDiagnosticMessageText(d.messageText, "\n")]);
  }
  return errors;
}

void test("a webview using node's process or Buffer does not compile; the DOM is there, and the real webviews compile", () => {
  const errors = compile(
    "webviews",
    {
      "leak.ts": 'export const mode = process.env.NODE_ENV;\nexport const bytes = Buffer.from("x");\n',
      "fine.ts": 'export const title = document.title;\nexport const q = new URLSearchParams("a=1");\n',
    },
    ["webviews/**/*.ts"],
  );
  assert.match((errors.get("leak.ts") ?? []).join("\n"), /Cannot find name 'process'/);
  assert.match((errors.get("leak.ts") ?? []).join("\n"), /Cannot find name 'Buffer'/);
  errors.delete("leak.ts");
  assert.deepEqual(Object.fromEntries(errors), {});
});

for (const folder of ["engine", "language-server"]) {
  void test(`${folder} code using the DOM's document or window does not compile; node's globals are there`, () => {
    const errors = compile(folder, {
      "leak.ts": "export const title = document.title;\nexport const w = window.innerWidth;\n",
      "fine.ts": 'export const mode = process.env.NODE_ENV;\nexport const bytes = Buffer.from("x");\n',
    });
    assert.match((errors.get("leak.ts") ?? []).join("\n"), /Cannot find name 'document'/);
    assert.match((errors.get("leak.ts") ?? []).join("\n"), /Cannot find name 'window'/);
    errors.delete("leak.ts");
    assert.deepEqual(Object.fromEntries(errors), {});
  });
}

void test("the webviews' protocol, shared by the extension and the webviews, sees neither the DOM nor node", () => {
  const errors = compile("webviews/protocol", { "leak.ts": "export const both = [document.title, process.env];\n" });
  assert.match((errors.get("leak.ts") ?? []).join("\n"), /Cannot find name 'document'/);
  assert.match((errors.get("leak.ts") ?? []).join("\n"), /Cannot find name 'process'/);
});

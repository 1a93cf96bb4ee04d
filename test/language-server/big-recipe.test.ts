// A huge recipe does not freeze the language server: opened over real LSP, a recipe with 200,000 device keys (about
// 6 MB) gets its diagnostics (one: too large for the editor's checks, run `edge validate`), and completion, hover
// and symbols on it are answered meanwhile, each within the client's request timeout; a recipe under the limit is
// still checked in full. The service's limit itself is tested with a small limit in-process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { CompletionList, Diagnostic, Hover } from "vscode-languageserver-protocol/node";
import { ensureBuilt, SERVER_BUNDLE } from "../../bench/lsp/ensure-built";
import { LspProcess } from "../../bench/lsp/lsp-process";
import { createLanguageService } from "../../language-server/service/language-service";
import { manyDevicesRecipe } from "../recipe/big-recipe";
import { fakeWorld, recipeDocument } from "./helpers";
import { sileroModel, tempFolder } from "./model-fixtures";

const root = resolve(import.meta.dirname, "..", "..");
ensureBuilt(root);

/** Every request must be answered within this (the parse of the huge recipe alone blocked the server for 20 s). */
const REQUEST_TIMEOUT_MS = 10_000;

void test(
  "a 200,000-device recipe: diagnostics say it is too large, requests are answered meanwhile",
  { timeout: 120_000 },
  async () => {
    const temp = tempFolder("edge-big-recipe-");
    const server = new LspProcess({
      name: "edge",
      command: [process.execPath, join(root, SERVER_BUNDLE), "--stdio"],
      cwd: temp.dir,
    });
    try {
      await server.initialize(pathToFileURL(temp.dir).href);
      const uri = pathToFileURL(join(temp.dir, "big.edge.yaml")).href;
      const text = manyDevicesRecipe(200_000, relative(temp.dir, sileroModel));
      const lines = text.split("\n");
      const published = server.nextDiagnostics(uri, 1, 60_000);
      await server.notify("textDocument/didOpen", {
        textDocument: { uri, languageId: "edge-recipe", version: 1, text },
      });
      await new Promise((r) => setTimeout(r, 200));
      const runLine = lines.indexOf("run:");
      const completion = await server.request<CompletionList>(
        "textDocument/completion",
        { textDocument: { uri }, position: { line: runLine + 1, character: 2 } },
        REQUEST_TIMEOUT_MS,
      );
      assert.ok(
        completion.items.some((i) => i.label === "iterations"),
        JSON.stringify(completion.items.map((i) => i.label)),
      );
      const hover = await server.request<Hover | null>(
        "textDocument/hover",
        { textDocument: { uri }, position: { line: lines.indexOf("devices:"), character: 2 } },
        REQUEST_TIMEOUT_MS,
      );
      assert.ok(hover, "hover on `devices`");
      await server.request("textDocument/documentSymbol", { textDocument: { uri } }, REQUEST_TIMEOUT_MS);
      const diagnostics: Diagnostic[] = (await published).diagnostics;
      assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics.slice(0, 3)));
      assert.match(
        String(diagnostics[0].message),
        /recipe too large for the editor checks \(\d+(\.\d+)? MB\); run `edge validate`/,
      );

      // An edit: diagnostics for the new version, completion still answered.
      const edited = server.nextDiagnostics(uri, 2, 60_000);
      await server.notify("textDocument/didChange", {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: { start: { line: 4, character: 2 }, end: { line: 4, character: 2 } }, text: "x" }],
      });
      await server.request<CompletionList>(
        "textDocument/completion",
        { textDocument: { uri }, position: { line: runLine + 1, character: 2 } },
        REQUEST_TIMEOUT_MS,
      );
      assert.equal((await edited).diagnostics.length, 1);
      assert.equal(await server.stop(), 0);
    } finally {
      if (server.exitCode === undefined) server.child.kill("SIGKILL");
      temp.remove();
    }
  },
);

void test("the service: over its limit a recipe gets one diagnostic and no structure; under it, the full checks", async () => {
  const service = createLanguageService(fakeWorld(), { maxCheckedRecipeBytes: 2_000 });
  const big = recipeDocument(manyDevicesRecipe(200));
  const diagnostics = await service.doValidation(big);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0].code, "language-server/recipe-too-large");
  assert.match(
    String(diagnostics[0].message),
    /^recipe too large for the editor checks \(\d+(\.\d+)? kB\); run `edge validate`\n.*2\.00 kB/,
  );
  assert.deepEqual(service.getFoldingRanges(big), []);
  assert.deepEqual(service.findDocumentSymbols(big), []);
  assert.deepEqual(service.format(big, { tabSize: 2, insertSpaces: true }), []);

  const small = recipeDocument(manyDevicesRecipe(3).replace("device: device_0", "device: nowhere"));
  const checked = await service.doValidation(small);
  assert.ok(
    checked.some((d) => d.code === "ref/unknown-device"),
    JSON.stringify(checked),
  );
  assert.ok(service.getFoldingRanges(small).length > 0);
});

// Document symbols: the outline of the demo recipe and of a recipe with devices, datasets and inputs, with
// details, nested ranges that contain their selection ranges, and an outline for a half-written recipe.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type DocumentSymbol, SymbolKind } from "vscode-languageserver-types";
import { docAt, repoRoot, service, sileroModel, yaml } from "./structure-helpers";

function byName(symbols: DocumentSymbol[] | undefined, name: string): DocumentSymbol {
  const found = symbols?.find((s) => s.name === name);
  assert.ok(found, `no symbol ${name} in ${symbols?.map((s) => s.name).join(", ")}`);
  return found;
}

function contains(outer: DocumentSymbol["range"], inner: DocumentSymbol["range"]): boolean {
  const before = (a: { line: number; character: number }, b: { line: number; character: number }) =>
    a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

function checkRanges(symbols: DocumentSymbol[], parent?: DocumentSymbol): void {
  for (const s of symbols) {
    assert.ok(contains(s.range, s.selectionRange), `${s.name}: selection outside range`);
    if (parent) assert.ok(contains(parent.range, s.range), `${s.name}: outside ${parent.name}`);
    checkRanges(s.children ?? [], s);
  }
}

void test("the demo recipe's outline: sections in order, the device with its transport, the input with its shape", () => {
  const path = join(repoRoot, "samples/demo.edge.yaml");
  const symbols = service().findDocumentSymbols(docAt(path, readFileSync(path, "utf8")));
  assert.deepEqual(
    symbols.map((s) => s.name),
    ["name", "model", "compile", "devices", "run", "budgets"],
  );
  assert.equal(byName(symbols, "name").detail, "ppocr-rec-local");
  assert.equal(byName(symbols, "devices").kind, SymbolKind.Module);
  const laptop = byName(byName(symbols, "devices").children, "laptop");
  assert.equal(laptop.detail, "local");
  const x = byName(byName(byName(symbols, "model").children, "inputs").children, "x");
  assert.equal(x.detail, "[1, 3, 48, 320] float32");
  assert.equal(byName(byName(symbols, "run").children, "iterations").detail, "100");
  const model = byName(symbols, "model");
  assert.equal(model.range.start.line, 3);
  assert.equal(model.range.end.line, 6);
  checkRanges(symbols);
});

void test("devices (adb, ssh) and datasets with their details", () => {
  const text = yaml`
    name: vad
    model: { path: ${sileroModel} }
    data:
      calib: { path: data/calib, format: npy }
      eval:
        path: data/eval.txt
        format: text
    devices:
      pixel8: { adb: { serial: 1A2B3C4D }, provider: nnapi }
      pi:
        ssh: { host: pi.local, user: pi, port: 2222 }
  `;
  const symbols = service().findDocumentSymbols(docAt("/tmp/edge-test/r.edge.yaml", text));
  const devices = byName(symbols, "devices");
  assert.equal(byName(devices.children, "pixel8").detail, "adb 1A2B3C4D, nnapi");
  assert.equal(byName(devices.children, "pi").detail, "ssh pi@pi.local:2222");
  const data = byName(symbols, "data");
  assert.equal(byName(data.children, "calib").detail, "npy data/calib");
  const evalSet = byName(data.children, "eval");
  assert.equal(evalSet.detail, "text data/eval.txt");
  assert.deepEqual([evalSet.range.start.line, evalSet.range.end.line], [4, 6]);
  checkRanges(symbols);
});

void test("a half-written recipe (schema errors, a YAML error) still has an outline", () => {
  const symbols = service().findDocumentSymbols(
    docAt(
      "/tmp/edge-test/r.edge.yaml",
      "name: x\nquantise:\n  method: fp16\ndevices:\n  a: { adbb: {} }\nrun: device: x\n",
    ),
  );
  assert.deepEqual(symbols.map((s) => s.name).slice(0, 3), ["name", "quantise", "devices"]);
  assert.deepEqual(service().findDocumentSymbols(docAt("/tmp/edge-test/r.edge.yaml", "")), []);
});

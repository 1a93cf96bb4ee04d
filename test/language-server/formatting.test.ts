// Formatting: the demo recipe is already formatted; messy recipes get indentation by tab size, `key: value`
// spacing, no trailing white space and one final newline, with comments, key order, quotes and flow style kept,
// the same data, and idempotence. Documents with YAML errors are left alone.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Lexer, parse, parseDocument } from "yaml";
import { applyEdits, docAt, repoRoot, service, sileroModel } from "./structure-helpers";

const s = service();

function formatted(text: string, tabSize = 2): string {
  const document = docAt("/tmp/edge-test/f.edge.yaml", text);
  return applyEdits(document, s.format(document, { tabSize, insertSpaces: true })).getText();
}

const comments = (text: string) => [...new Lexer().lex(text)].filter((t) => t.startsWith("#")).map((t) => t.trimEnd());

/** Formats, then checks: same data, same comments, idempotent; returns the result. */
function formatsSafely(text: string, tabSize = 2): string {
  const result = formatted(text, tabSize);
  assert.deepEqual(parse(result), parse(text));
  assert.deepEqual(comments(result), comments(text));
  assert.equal(formatted(result, tabSize), result, "formatting twice changes more");
  assert.ok(result.endsWith("\n") && !result.endsWith("\n\n"));
  // Trailing spaces stay only inside block scalars, where they are content (the lines below end in "   ").
  assert.ok(!/[ \t]$/m.test(result.replace(/^ +(indented|text) {3,}$/gm, "")), "trailing white space left");
  return result;
}

const messy = [
  "# A messy recipe   ",
  "name:    messy   # the name",
  "model:",
  "    path:   " + sileroModel,
  "    inputs:",
  "          input:   { shape: [1, 512],  range: [-1, 1] }",
  "          sr: { shape: [], value: 16000 }",
  "quantize :",
  "      method: int8-static",
  "      # keep Gather in float",
  "      exclude:",
  "         ops:",
  "         -   Gather",
  "         -   'If'",
  "      calibration: {data: calib,",
  "           samples: 8}",
  "data:",
  "   calib:",
  '      path: "data/calib"',
  "      format: npy",
  "notes: |",
  "      first line",
  "        indented   ",
  "      text   ",
  "",
  "",
].join("\n");

void test("the demo recipe is left as it is (2 spaces), and re-indented with 4", () => {
  const demo = readFileSync(join(repoRoot, "samples/demo.edge.yaml"), "utf8");
  const document = docAt(join(repoRoot, "samples/demo.edge.yaml"), demo);
  assert.deepEqual(s.format(document, { tabSize: 2, insertSpaces: true }), []);
  const four = formatsSafely(demo, 4);
  assert.match(four, /^model:\n {4}path: \.\.\/node_modules/m);
  assert.match(four, /^ {8}x: \{ shape: \[1, 3, 48, 320\], dtype: float32, range: \[-1, 1\] \}$/m);
  assert.equal(formatsSafely(four, 2), demo);
});

void test("a messy recipe: indentation, spacing, trailing white space and blank lines at the end", () => {
  const result = formatsSafely(messy);
  assert.equal(
    result,
    [
      "# A messy recipe",
      "name: messy   # the name",
      "model:",
      "  path: " + sileroModel,
      "  inputs:",
      "    input: { shape: [1, 512],  range: [-1, 1] }",
      "    sr: { shape: [], value: 16000 }",
      "quantize:",
      "  method: int8-static",
      "  # keep Gather in float",
      "  exclude:",
      "    ops:",
      "      - Gather",
      "      - 'If'",
      "  calibration: {data: calib,",
      "       samples: 8}",
      "data:",
      "  calib:",
      '    path: "data/calib"',
      "    format: npy",
      "notes: |",
      "  first line",
      "    indented   ",
      "  text   ",
      "",
    ].join("\n"),
  );
});

void test("CRLF line endings are kept; a missing final newline is added", () => {
  const result = formatted("name: x\r\nmodel:\r\n     path: m.onnx   \r\n");
  assert.equal(result, "name: x\r\nmodel:\r\n  path: m.onnx\r\n");
  assert.equal(formatted("name: x\nrun:\n    iterations: 5"), "name: x\nrun:\n  iterations: 5\n");
});

void test("sequences of maps, nested sequences, multi-line scalars, explicit block indentation", () => {
  const text = [
    "items:",
    "- name: a",
    "  value:   1",
    "-   name: b",
    "    list:",
    "        -  - x",
    "           - y",
    "plain: first",
    "        continued",
    'quoted: "one',
    '   two"',
    "lit: |2",
    "    two spaces kept",
    "   one",
  ].join("\n");
  const result = formatsSafely(`${text}\n`);
  assert.match(result, /^items:\n {2}- name: a\n {4}value: 1\n {2}- name: b\n {4}list:\n {6}- - x\n {8}- y\n/);
  formatsSafely(`${text}\n`, 4);
});

void test("nothing for a document with YAML errors, or one that is already formatted", () => {
  const broken = docAt("/tmp/edge-test/f.edge.yaml", "name: x\nrun: device: y\n    bad:   1\n");
  assert.deepEqual(s.format(broken, { tabSize: 2, insertSpaces: true }), []);
  const clean = docAt("/tmp/edge-test/f.edge.yaml", "name: x\n");
  assert.deepEqual(s.format(clean, { tabSize: 2, insertSpaces: true }), []);
  assert.equal(formatted(""), "");
  assert.equal(formatted("\n\n"), "");
});

void test("random white-space edits of valid recipes: the result means the same data and formats to itself", () => {
  const bases = [readFileSync(join(repoRoot, "samples/demo.edge.yaml"), "utf8"), messy];
  let seed = 7;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let i = 0; i < 150; i++) {
    const lines = bases[random(bases.length)].split("\n");
    for (let k = 0; k < 3; k++) {
      const at = random(lines.length);
      const edit = random(5);
      if (edit === 0) lines[at] = " ".repeat(random(4)) + lines[at];
      else if (edit === 1) lines[at] += " ".repeat(random(3));
      else if (edit === 2) lines[at] = lines[at].replace(": ", ":" + " ".repeat(1 + random(3)));
      else if (edit === 3) lines.splice(at, 0, `${" ".repeat(random(6))}# note ${i}`);
      else lines.splice(0, lines.length, ...lines.map((l) => l.replace(/^ */, (m) => " ".repeat(m.length * 2))));
    }
    const text = lines.join("\n");
    if (parseDocument(text).errors.length > 0) continue;
    formatsSafely(text, [2, 4][random(2)]);
  }
});

// cursorContext on complete and half-typed YAML: keys and values in blocks, flow maps and sequences (also spread
// over lines), sequence items, empty lines at some indentation, quotes, comments and block scalars.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cursorContext } from "../../language-server/service/cursor/context";
import { docWithCursor } from "./helpers";

function at(textWithCursor: string) {
  const { document, offset } = docWithCursor(textWithCursor);
  return { context: cursorContext(document.getText(), offset), text: document.getText() };
}

/** The parts of the context a case checks, with the word's range as text. */
function summary(textWithCursor: string) {
  const { context, text } = at(textWithCursor);
  if (!context) return undefined;
  return {
    kind: context.kind,
    path: context.path,
    word: context.word,
    prefix: context.prefix,
    replaced: text.slice(context.start, context.end),
    flow: context.flow,
  };
}

void test("a key being typed under a section: `run:\\n  dev|`", () => {
  assert.deepEqual(summary("run:\n  dev|"), {
    kind: "key",
    path: ["run"],
    word: "dev",
    prefix: "dev",
    replaced: "dev",
    flow: false,
  });
});

void test("a key at the root, on an empty document and after other keys", () => {
  assert.deepEqual(summary("|")?.path, []);
  const { context } = at("name: x\n|\nmodel:\n  path: m.onnx");
  assert.equal(context?.kind, "key");
  assert.deepEqual(context?.path, []);
  assert.deepEqual(context?.siblingKeys, ["name", "model"]);
});

void test("an empty value after `key: `, and a value being typed", () => {
  assert.deepEqual(summary("run:\n  device: |"), {
    kind: "value",
    path: ["run", "device"],
    word: "",
    prefix: "",
    replaced: "",
    flow: false,
  });
  assert.deepEqual(summary("run:\n  device: lap|top  # the laptop"), {
    kind: "value",
    path: ["run", "device"],
    word: "laptop",
    prefix: "lap",
    replaced: "laptop",
    flow: false,
  });
});

void test("an empty line inside a map, at the map's indentation: its keys, above and below, are siblings", () => {
  const { context } = at("run:\n  warmup: 5\n  |\n  iterations: 3\nmodel:\n  path: x.onnx");
  assert.equal(context?.kind, "key");
  assert.deepEqual(context?.path, ["run"]);
  assert.deepEqual(context?.siblingKeys, ["warmup", "iterations"]);
  assert.equal(context?.indent, 2);
});

void test("an empty line deeper than the last key is inside that key's map", () => {
  assert.deepEqual(at("model:\n  inputs:\n    |").context?.path, ["model", "inputs"]);
  assert.deepEqual(at("devices:\n  pixel8:\n    adb:\n      |").context?.path, ["devices", "pixel8", "adb"]);
});

void test("a flow map: `{ shape: [1, 3], | }` is a key of the map, with the keys already there", () => {
  const { context } = at("model:\n  inputs:\n    x: { shape: [1, 3], | }");
  assert.equal(context?.kind, "key");
  assert.deepEqual(context?.path, ["model", "inputs", "x"]);
  assert.deepEqual(context?.siblingKeys, ["shape"]);
  assert.equal(context?.flow, true);
});

void test("a flow map value and a nested flow sequence item", () => {
  assert.deepEqual(summary("model:\n  inputs:\n    x: { dtype: fl|, shape: [1] }")?.path, [
    "model",
    "inputs",
    "x",
    "dtype",
  ]);
  assert.deepEqual(summary("model:\n  inputs:\n    x: { shape: [1, |] }")?.path, ["model", "inputs", "x", "shape", 1]);
});

void test("a flow sequence item: `ops: [Conv, |]`, with the items already there", () => {
  const { context } = at("quantize:\n  exclude:\n    ops: [Conv, |]");
  assert.equal(context?.kind, "value");
  assert.deepEqual(context?.path, ["quantize", "exclude", "ops", 1]);
  assert.deepEqual(context?.siblingItems, ["Conv"]);
});

void test("an unclosed flow sequence while typing", () => {
  assert.deepEqual(summary("quantize:\n  exclude: { nodes: [/a/b, /lay|"), {
    kind: "value",
    path: ["quantize", "exclude", "nodes", 1],
    word: "/lay",
    prefix: "/lay",
    replaced: "/lay",
    flow: true,
  });
});

void test("a flow collection spread over lines", () => {
  const { context } = at("model:\n  inputs:\n    x: {\n      shape: [1, 3],\n      |\n    }\n");
  assert.equal(context?.kind, "key");
  assert.deepEqual(context?.path, ["model", "inputs", "x"]);
  assert.deepEqual(context?.siblingKeys, ["shape"]);
  // A line after the collection closed is block YAML again.
  assert.deepEqual(at("model:\n  inputs: {\n    x: {}\n  }\n  |").context?.path, ["model"]);
});

void test("a block sequence item `- |`: its index, the items already there, and that it may start a map", () => {
  const { context } = at("quantize:\n  exclude:\n    ops:\n      - Conv\n      - |\n      - Add");
  assert.equal(context?.kind, "value");
  assert.equal(context?.itemStart, true);
  assert.deepEqual(context?.path, ["quantize", "exclude", "ops", 1]);
  assert.deepEqual(context?.siblingItems, ["Conv", "Add"]);
});

void test("an indentless sequence (dashes at the key's column)", () => {
  const { context } = at("quantize:\n  exclude:\n    nodes:\n    - /a\n    - /b|\n    ops: []");
  assert.deepEqual(context?.path, ["quantize", "exclude", "nodes", 1]);
  assert.equal(context?.word, "/b");
  assert.deepEqual(context?.siblingItems, ["/a"]);
});

void test("maps inside sequence items and nested sequences", () => {
  const { context } = at("a:\n  - name: x\n    |");
  assert.deepEqual(context?.path, ["a", 0]);
  assert.deepEqual(context?.siblingKeys, ["name"]);
  assert.deepEqual(at("a:\n  - x\n  - - y\n    - |").context?.path, ["a", 1, 1]);
  assert.deepEqual(at("a:\n  - k: 1\n  - k: 2\n    v: |").context?.path, ["a", 1, "v"]);
});

void test("a value on the line below its key reads as a key of that path", () => {
  assert.deepEqual(summary("run:\n  device:\n    la|"), {
    kind: "key",
    path: ["run", "device"],
    word: "la",
    prefix: "la",
    replaced: "la",
    flow: false,
  });
});

void test("on an existing key: the whole key is the word, and a colon follows", () => {
  const { context, text } = at("devices:\n  pi|xel8: { adb: {} }");
  assert.equal(context?.kind, "key");
  assert.deepEqual(context?.path, ["devices"]);
  assert.equal(context?.hasColon, true);
  assert.equal(text.slice(context!.start, context!.end), "pixel8");
});

void test("quoted keys and values: the range is inside the quotes", () => {
  const { context, text } = at('data:\n  calib: { path: "data/ca|" }');
  assert.equal(context?.quote, '"');
  assert.equal(text.slice(context!.start, context!.end), "data/ca");
  assert.deepEqual(summary("run:\n  'dev|': 1")?.word, "dev");
});

void test("comments, block scalars and document markers have no context", () => {
  assert.equal(at("run: # a comment |").context, undefined);
  assert.equal(at("name: x\ndescription: |\n  some ⟨⟩text\n").context, undefined);
  assert.equal(at("---|").context, undefined);
});

void test("never throws on odd input", () => {
  const odd = [
    "",
    "\n\n",
    "- - - ",
    "{",
    "[[[",
    "]}",
    "a: {b: [c, {d: ",
    "'unclosed",
    '"a\\"b',
    ": x",
    "? complex",
    "a:\tb",
    "\r\n  x:\r\n    |",
  ];
  for (const text of odd) {
    for (let offset = 0; offset <= text.length; offset++) cursorContext(text, offset);
  }
});

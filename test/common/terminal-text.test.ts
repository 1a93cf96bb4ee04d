// common/terminal-text.ts: untrusted text (names and paths from models and recipes) made visible instead of
// interpreted by a terminal: control characters, DEL, C1 controls and bidi overrides become escapes; printable text,
// non-Latin scripts and emoji stay as they are; JSON stays JSON.
import assert from "node:assert/strict";
import { test } from "node:test";
import { visible, visibleOutput } from "../../common/terminal-text";

void test("printable text is unchanged, whatever the script", () => {
  for (const text of ["conv_1/weight:0", "模型.onnx", "naïve → ü", "🙂 ok", "tab-free", ""])
    assert.equal(visible(text), text);
});

void test("C0 controls, ESC, DEL and C1 controls become escapes", () => {
  assert.equal(visible("evil\u001b]0;pwned\u0007"), "evil\\x1b]0;pwned\\x07");
  assert.equal(visible("a\u0000b\u007fc"), "a\\x00b\\u007fc");
  assert.equal(visible("csi\u009b31m"), "csi\\u009b31m");
  assert.equal(visible("line\nbreak\ttab\rcr"), "line\\x0abreak\\x09tab\\x0dcr", "a name stays on one line");
});

void test("bidi overrides and isolates, and line separators, become escapes", () => {
  assert.equal(visible("abc\u202egnp.exe"), "abc\\u202egnp.exe");
  for (const c of ["\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u2028", "\u2029"])
    assert.doesNotMatch(visible(`x${c}y`), /[\u202a-\u202e\u2066-\u2069\u2028\u2029]/u);
});

void test("multiline text keeps its newlines, tabs and CRLF, nothing else", () => {
  assert.equal(visible("a\n  hint:\tb\r\nc", { multiline: true }), "a\n  hint:\tb\r\nc");
  assert.equal(visible("a\rb\u001b[2K", { multiline: true }), "a\\x0db\\x1b[2K", "a lone CR would overwrite the line");
});

void test("the escapes are printable: escaping twice changes nothing", () => {
  const once = visible("\u001b\u0007\u009b\u202e\u007f\n");
  assert.equal(visible(once), once);
  assert.doesNotMatch(once, /[\u0000-\u001f\u007f-\u009f]/);
});

void test("visibleOutput keeps JSON valid and its data the same", () => {
  const data = { name: "evil\u001b]0;pwned\u0007", c1: "\u009b", bidi: "\u202e", del: "\u007f", nl: "a\nb" };
  const json = `${JSON.stringify(data, null, 2)}\n`;
  const out = visibleOutput(json);
  assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  assert.deepEqual(JSON.parse(out), data);
  assert.equal(visibleOutput("plain\n\tline\n"), "plain\n\tline\n");
  assert.equal(visibleOutput("x\u001b]0;t\u0007\n"), "x\\x1b]0;t\\x07\n");
});

// Quoting for the far end's shell, checked through real shells: every hostile string comes back byte-identical as
// one argument, `~/` keeps meaning the home folder only where shellPath says so, and a NUL byte is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { envAssignments, shellCommand, shellPath, shellQuote } from "../../engine/transports/shell-quote";

const HOSTILE = [
  "",
  " ",
  "plain",
  "two words",
  "it's",
  `"double"`,
  "'",
  "''",
  `'\\''`,
  "$(touch /tmp/edge-pwned)",
  "`id`",
  "$HOME",
  "${PATH}",
  "a;b",
  "a && b || c",
  "*",
  "?",
  "[a-z]",
  "~",
  "~/x",
  "~root",
  "line\nbreak",
  "tab\tand\rreturn",
  "back\\slash\\",
  "-n",
  "--",
  "naïve 模型 🚀",
  "a=b",
  "#comment",
  "!bang",
  "{a,b}",
  "<in >out 2>&1 |pipe",
  "\x01\x7f\u00a0",
];

const shells = ["/bin/sh", "/bin/dash", "/bin/bash", "/bin/busybox"].filter((s) => existsSync(s));

/** Runs `printf '%s\0' WORDS` in a shell and splits its output at the NULs. */
function echoBack(shell: string, words: string): string[] {
  const args = shell.endsWith("busybox") ? ["sh", "-c"] : ["-c"];
  const r = spawnSync(shell, [...args, `printf '%s\\0' ${words}`], {
    encoding: "utf8",
    env: { ...process.env, HOME: homedir() },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\0").slice(0, -1);
}

void test("every hostile string comes back byte-identical through real shells", () => {
  assert.ok(shells.length > 0);
  for (const shell of shells) {
    assert.deepEqual(echoBack(shell, shellCommand(HOSTILE)), HOSTILE, shell);
    for (const s of HOSTILE) assert.deepEqual(echoBack(shell, shellQuote(s)), [s], `${shell}: ${JSON.stringify(s)}`);
  }
  assert.equal(existsSync("/tmp/edge-pwned"), false);
});

void test("plain words stay unquoted; everything else is single-quoted", () => {
  assert.equal(shellQuote("model.onnx"), "model.onnx");
  assert.equal(shellQuote("/data/local/tmp/a-b_c@1:2,3+4%5=6"), "/data/local/tmp/a-b_c@1:2,3+4%5=6");
  assert.equal(shellQuote(""), "''");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote("~"), "'~'", "a quoted ~ is not the home folder");
});

void test("shellPath keeps a leading ~/ as the home folder, and only that", () => {
  for (const shell of shells) {
    assert.deepEqual(echoBack(shell, shellPath("~")), [homedir()]);
    assert.deepEqual(echoBack(shell, shellPath("~/a b/$(x)")), [`${homedir()}/a b/$(x)`]);
    assert.deepEqual(echoBack(shell, shellPath("~root/x")), ["~root/x"]);
    assert.deepEqual(echoBack(shell, shellPath("/abs/~/x")), ["/abs/~/x"]);
    assert.deepEqual(echoBack(shell, shellPath("rel 'q'")), ["rel 'q'"]);
  }
});

void test("a NUL byte is refused, as are an empty command and bad variable names", () => {
  assert.throws(() => shellQuote("a\0b"), { code: "transport/failed" });
  assert.throws(() => shellCommand(["ok", "\0"]), { code: "transport/failed" });
  assert.throws(() => shellPath("~/a\0"), { code: "transport/failed" });
  assert.throws(() => shellCommand([]), { code: "internal/bug" });
  assert.deepEqual(envAssignments({ A: "x y", _b2: "" }), ["A=x y", "_b2="]);
  assert.deepEqual(envAssignments(undefined), []);
  for (const bad of ["1A", "A B", "A=B", "", "A;rm"])
    assert.throws(() => envAssignments({ [bad]: "v" }), { code: "transport/failed" });
});

// EdgeError's two constructor forms (positional, and { where, hint, cause }) and the exit codes the CLI maps to.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EdgeError, exitCodeFor, exitCodes } from "../../engine/errors";

void test("the options form and the positional form make the same error", () => {
  const cause = new Error("inner");
  const named = new EdgeError("run/failed", "no session", {
    where: { file: "m.onnx", device: "laptop" },
    hint: "try again",
    cause,
  });
  const positional = new EdgeError("run/failed", "no session", { file: "m.onnx", device: "laptop" }, "try again", {
    cause,
  });
  for (const e of [named, positional]) {
    assert.deepEqual(e.toJSON(), {
      code: "run/failed",
      message: "no session",
      where: { file: "m.onnx", device: "laptop" },
      hint: "try again",
    });
    assert.equal(e.cause, cause);
    assert.equal(e.format(), "m.onnx: no session [device laptop]\n  hint: try again");
  }
});

void test("the options form without a where has an empty where and no cause; a Where alone stays positional", () => {
  const e = new EdgeError("cli/usage", "bad", { hint: "usage: edge run RECIPE" });
  assert.deepEqual(e.where, {});
  assert.equal(e.hint, "usage: edge run RECIPE");
  assert.equal("cause" in e, false);
  const w = new EdgeError("recipe/invalid", "bad", { file: "r.edge.yaml", line: 3, column: 5 });
  assert.deepEqual(w.where, { file: "r.edge.yaml", line: 3, column: 5 });
  assert.equal(w.hint, undefined);
  assert.equal(w.format(), "r.edge.yaml:3:5: bad");
});

void test("exit codes: an aborted run is 130; areas map as documented", () => {
  assert.equal(exitCodes.aborted, 130);
  assert.deepEqual(
    (
      [
        "cli/usage",
        "recipe/invalid",
        "model/invalid",
        "run/failed",
        "device/unknown",
        "budget/failed",
        "io/write",
        "internal/bug",
      ] as const
    ).map((c) => exitCodeFor(new EdgeError(c, ""))),
    [2, 3, 4, 5, 5, 1, 6, 70],
  );
  assert.equal(exitCodeFor(new Error("not ours")), 70);
});

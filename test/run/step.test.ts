// The step() helper every engine step announces itself with: step/start, then always step/end with ok and the
// duration, whether the body returns, stops early or throws.
import { test } from "node:test";
import assert from "node:assert/strict";
import { step } from "../../engine/step";
import { recorder } from "./helpers";

void test("a step that returns: start with its detail, end with ok, the value passed on", async () => {
  const sink = recorder();
  const value = await step(
    sink,
    "compile",
    async () => {
      sink.emit({ type: "log", level: "info", message: "inside" });
      return 42;
    },
    { detail: "cpu, all" },
  );
  assert.equal(value, 42);
  assert.deepEqual(
    sink.events.map((e) => e.type),
    ["step/start", "log", "step/end"],
  );
  assert.deepEqual(
    sink.of("step/start").map((e) => [e.step, e.detail]),
    [["compile", "cpu, all"]],
  );
  const end = sink.of("step/end")[0];
  assert.deepEqual([end.step, end.ok], ["compile", true]);
  assert.ok(end.durationMs >= 0 && end.timeMs >= sink.of("step/start")[0].timeMs);
});

void test("a step that throws ends with ok: false and the error goes on", async () => {
  const sink = recorder();
  const boom = new Error("boom");
  await assert.rejects(
    step(sink, "quantize", () => Promise.reject(boom)),
    (e) => e === boom,
  );
  assert.deepEqual(
    sink.events.map((e) => e.type),
    ["step/start", "step/end"],
  );
  assert.equal(sink.of("step/end")[0].ok, false);
  // A synchronous throw is the same.
  await assert.rejects(
    step(sink, "evaluate", () => {
      throw boom;
    }),
  );
  assert.deepEqual(
    sink.of("step/end").map((e) => [e.step, e.ok]),
    [
      ["quantize", false],
      ["evaluate", false],
    ],
  );
});

void test("succeeded decides ok for a step that returns (a warm-up stopped by the signal)", async () => {
  const sink = recorder();
  const done = await step(sink, "warmup", async () => 3, { succeeded: (n) => n === 5 });
  assert.equal(done, 3);
  assert.deepEqual(
    sink.of("step/end").map((e) => [e.step, e.ok]),
    [["warmup", false]],
  );
});

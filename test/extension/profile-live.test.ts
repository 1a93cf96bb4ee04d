// A running task's events as a live profile viewer gets them (extension/profile/live-kernels.ts): kernels carrying
// `iteration` grouped one batch per iteration, a batch complete at the next iteration's kernel or any other event,
// kernels without `iteration` (the whole profile announced after the run) left out; the run folder from `run/start`
// (relative to the task's cwd), the profile's path from its artifact event, produced models from theirs.
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineEvent, KernelEvent } from "../../common/events";
import { LiveKernelGrouper, LiveRunState } from "../../extension/profile/live-kernels";

function kernel(iteration: number | undefined, node: string): KernelEvent {
  return {
    type: "kernel",
    timeMs: 1,
    node,
    opType: "Conv",
    startUs: 0,
    durationUs: 5,
    ...(iteration !== undefined ? { iteration } : {}),
  };
}
const iterationEvent = (index: number): EngineEvent => ({
  type: "iteration",
  timeMs: 1,
  index,
  warmup: false,
  latencyMs: 2,
});

void test("kernels are grouped per iteration: a batch ends at the next iteration's kernel or any other event", () => {
  const g = new LiveKernelGrouper();
  const batches = [
    ...g.add(kernel(0, "a")),
    ...g.add(kernel(0, "b")),
    ...g.add(kernel(1, "a")), // completes iteration 0
    ...g.add(kernel(1, "b")),
    ...g.add(iterationEvent(2)), // completes iteration 1
    ...g.add(kernel(2, "a")),
  ];
  assert.deepEqual(
    batches.map((b) => [b.iteration, b.kernels.map((k) => k.node)]),
    [
      [0, ["a", "b"]],
      [1, ["a", "b"]],
    ],
  );
  assert.equal(g.pending, true);
  assert.deepEqual(
    g.flush().map((b) => [b.iteration, b.kernels.length]),
    [[2, 1]],
  );
  assert.equal(g.pending, false);
  assert.deepEqual(g.flush(), []);
});

void test("kernels without an iteration (the whole profile after the run) are left out", () => {
  const g = new LiveKernelGrouper();
  assert.deepEqual(g.add(kernel(undefined, "a")), []);
  assert.equal(g.pending, false);
  g.add(kernel(3, "x"));
  // A post-run kernel completes nothing and joins nothing.
  assert.deepEqual(g.add(kernel(undefined, "b")), []);
  assert.deepEqual(
    g.flush().map((b) => b.kernels.map((k) => k.node)),
    [["x"]],
  );
});

void test("an iteration's kernels split by a flush arrive as a second batch of the same iteration", () => {
  const g = new LiveKernelGrouper();
  g.add(kernel(4, "a"));
  const first = g.flush();
  g.add(kernel(4, "b"));
  const second = g.flush();
  assert.deepEqual(
    [...first, ...second].map((b) => [b.iteration, b.kernels[0].node]),
    [
      [4, "a"],
      [4, "b"],
    ],
  );
});

/** Read through a call: the checks before would have narrowed `state.info` to undefined. */
const infoOf = (state: LiveRunState) => state.info;

void test("the run's folder comes from run/start (relative to the cwd), its profile and models from artifacts", () => {
  const state = new LiveRunState("/work/ws");
  assert.equal(state.add({ type: "log", timeMs: 0, level: "info", message: "x" }), false);
  assert.equal(state.info, undefined);
  assert.equal(
    state.add({
      type: "run/start",
      timeMs: 0,
      runId: "r1",
      recipe: "a.edge.yaml",
      device: "laptop",
      outDir: ".edge/runs/r1",
    }),
    true,
  );
  assert.deepEqual(state.info, {
    runDir: "/work/ws/.edge/runs/r1",
    runId: "r1",
    profilePath: "/work/ws/.edge/runs/r1/profile.json",
    producedModels: [],
  });
  assert.equal(state.add({ type: "artifact", timeMs: 1, kind: "model", path: "model.int8.onnx" }), true);
  assert.equal(
    state.add({ type: "artifact", timeMs: 1, kind: "model", path: "/work/ws/.edge/runs/r1/model.int8.onnx" }),
    false,
  );
  assert.equal(state.add({ type: "artifact", timeMs: 2, kind: "profile.json", path: "/elsewhere/p.json" }), true);
  assert.equal(infoOf(state)?.profilePath, "/elsewhere/p.json");
  assert.deepEqual(infoOf(state)?.producedModels, ["/work/ws/.edge/runs/r1/model.int8.onnx"]);
});

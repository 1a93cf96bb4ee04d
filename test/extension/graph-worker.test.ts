// The graph worker (extension/graph/graph-worker-core.ts, graph-worker-client.ts) with a fake engine: requests in
// order, the engine's error as a GraphOpenError (code, message, hint, file, byte offset), a diff that reads the other
// model and closes it, and a real worker thread: answers by id, a crash failing the pending request and the next
// request starting a fresh thread, terminate stopping it.
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { EdgeError } from "../../engine/errors";
import { GraphWorkerClient, GraphWorkerError } from "../../extension/graph/graph-worker-client";
import { GraphWorkerCore } from "../../extension/graph/graph-worker-core";
import { toGraphOpenError } from "../../extension/graph/graph-worker-protocol";
import { fakeEngine } from "./graph-fakes";

void test("the core opens a model, answers details from it, and reopening closes the first", async () => {
  const log: string[] = [];
  const core = new GraphWorkerCore(fakeEngine(log));
  const answers = await Promise.all([
    core.handle({ id: 1, method: "open", params: { file: "/m.onnx" } }),
    core.handle({ id: 2, method: "nodeDetails", params: { path: [], node: 3 } }),
    core.handle({ id: 3, method: "open", params: { file: "/m.onnx" } }),
    core.handle({ id: 4, method: "close", params: {} }),
  ]);
  assert.deepEqual(
    answers.map((a) => [a.id, a.ok]),
    [
      [1, true],
      [2, true],
      [3, true],
      [4, true],
    ],
  );
  assert.deepEqual(log, ["open /m.onnx", "details /m.onnx 3", "close /m.onnx", "open /m.onnx", "close /m.onnx"]);
});

void test("details before any model is open are an error answer, not a throw", async () => {
  const core = new GraphWorkerCore(fakeEngine([]));
  const answer = await core.handle({ id: 9, method: "nodeDetails", params: { path: [], node: 0 } });
  assert.equal(answer.ok, false);
  assert.match(!answer.ok ? answer.error.message : "", /no model is open/);
});

void test("a diff reads the other model as before, diffs it against the open one, and closes it", async () => {
  const log: string[] = [];
  const core = new GraphWorkerCore(fakeEngine(log));
  await core.handle({ id: 1, method: "open", params: { file: "/q.onnx" } });
  const answer = await core.handle({ id: 2, method: "diff", params: { other: "/f.onnx" } });
  assert.ok(answer.ok);
  const state = answer.result as { before: { path: string }; diff: { changes: { details: string[] }[] } };
  assert.equal(state.before.path, "/f.onnx");
  assert.deepEqual(state.diff.changes[0].details, ["/f.onnx → /q.onnx"]);
  assert.deepEqual(log, ["open /q.onnx", "open /f.onnx", "close /f.onnx"]);
});

void test("the engine's error travels as it is: code, message, hint, file and byte offset", () => {
  const error = new EdgeError("model/invalid", "truncated", { where: { file: "/m.onnx", offset: 77 }, hint: "h" });
  assert.deepEqual(toGraphOpenError(error), {
    code: "model/invalid",
    message: "truncated",
    hint: "h",
    file: "/m.onnx",
    offset: 77,
  });
  assert.deepEqual(toGraphOpenError(new RangeError("boom"), "/m.onnx"), {
    code: "internal/bug",
    message: "boom",
    file: "/m.onnx",
  });
});

const location = {
  script: new URL("./graph-fake-worker.ts", import.meta.url),
  tsxApi: import.meta.resolve("tsx/esm/api"),
};

void test("a worker thread answers by id; an unreadable model rejects with the engine's error", async () => {
  const client = new GraphWorkerClient(location);
  try {
    const [document, overlays] = await Promise.all([
      client.request("open", { file: "/w/m.onnx" }),
      client.request("overlays", { runDir: "/w/.edge/runs/r7" }),
    ]);
    assert.equal(document.path, "/w/m.onnx");
    assert.equal(overlays.runId, "r7");
    const failed = await client.request("open", { file: "/w/bad.onnx" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(failed instanceof GraphWorkerError);
    assert.deepEqual(failed.error, {
      code: "model/invalid",
      message: "truncated protobuf",
      hint: "re-export",
      file: "/w/bad.onnx",
      offset: 1234,
    });
    assert.ok(client.running);
  } finally {
    await client.terminate();
  }
  assert.equal(client.running, false);
  await assert.rejects(client.request("open", { file: "/w/m.onnx" }), /stopped/);
});

void test("a worker that dies fails its pending request; the next request starts a fresh thread", async () => {
  const client = new GraphWorkerClient(location);
  try {
    await assert.rejects(client.request("open", { file: "/w/crash.onnx" }), /model reader stopped \(exit code 3\)/);
    assert.equal(client.running, false);
    const document = await client.request("open", { file: "/w/m.onnx" });
    assert.equal(document.path, "/w/m.onnx");
  } finally {
    await client.terminate();
  }
});

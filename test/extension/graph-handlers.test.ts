// The graph webview's protocol on the host side without VS Code (extension/graph/graph-handlers.ts over
// extension/webview/message-dispatcher.ts): each message reaches its handler, replies go to the request's id, and
// what the webview sends is checked: overlays only from a run the host offered, node details and node refs only in
// their shapes (the optimized graph's only with a run).
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { NodeDetails } from "../../common/graph/node-details";
import type { GraphOverlays } from "../../common/graph/overlays";
import { registerGraphHandlers, type GraphEditorHost } from "../../extension/graph/graph-handlers";
import { MessageDispatcher } from "../../extension/webview/message-dispatcher";
import {
  ChooseDiffModelCommand,
  NodeDetailsRequest,
  OpenAsTextCommand,
  OpenOptimizedGraphCommand,
  OverlaysRequest,
  ReadyRequest,
  RevealKernelsCommand,
  RevealedNodeCommand,
  type RevealOutcome,
  type RunChoice,
} from "../../webviews/protocol/graph";
import type { HostToWebviewMessage } from "../../webviews/protocol/ipc";
import type { NodeRef } from "../../webviews/protocol/node-links";

const run: RunChoice = { runDir: "/w/.edge/runs/r1", runId: "r1", role: "produced", overlays: ["latency"] };

function setup() {
  const posted: HostToWebviewMessage[] = [];
  const calls: string[] = [];
  const kernels: NodeRef[] = [];
  const reveals: RevealOutcome[] = [];
  const optimized: NodeRef[] = [];
  const host: GraphEditorHost = {
    initialState: async () => {
      calls.push("ready");
      return { runs: [run] };
    },
    knownRuns: () => [run],
    nodeDetails: async ({ node }) => {
      calls.push(`details ${node}`);
      return { node } as unknown as NodeDetails;
    },
    overlays: async (runDir) => {
      calls.push(`overlays ${runDir}`);
      return { runDir, runId: "r1", notes: [] } satisfies GraphOverlays;
    },
    chooseDiffModel: async () => void calls.push("diff"),
    openAsText: async () => void calls.push("text"),
    revealKernels: async (ref) => void kernels.push(ref),
    revealedNode: async (outcome) => void reveals.push(outcome),
    openOptimizedGraph: async (ref) => void optimized.push(ref),
  };
  const dispatcher = new MessageDispatcher("graph", { post: (m) => posted.push(m), log: () => undefined });
  registerGraphHandlers(dispatcher, host);
  return { dispatcher, posted, calls, kernels, reveals, optimized };
}

void test("ready, node details and overlays are answered to their ids", async () => {
  const { dispatcher, posted, calls } = setup();
  await dispatcher.receive({ id: 1, method: ReadyRequest.method, params: {} });
  await dispatcher.receive({ id: 2, method: NodeDetailsRequest.method, params: { path: [], node: 4 } });
  await dispatcher.receive({ id: 3, method: OverlaysRequest.method, params: { runDir: run.runDir } });
  assert.deepEqual(calls, ["ready", "details 4", `overlays ${run.runDir}`]);
  assert.deepEqual(posted, [
    { method: ReadyRequest.method, responseTo: 1, params: { runs: [run] } },
    { method: NodeDetailsRequest.method, responseTo: 2, params: { node: 4 } },
    { method: OverlaysRequest.method, responseTo: 3, params: { runDir: run.runDir, runId: "r1", notes: [] } },
  ]);
});

void test("overlays of a folder the host did not offer are refused (the webview cannot make the host read anywhere)", async () => {
  const { dispatcher, posted, calls } = setup();
  const dispatched = await dispatcher.receive({ id: 5, method: OverlaysRequest.method, params: { runDir: "/etc" } });
  assert.equal(dispatched.kind, "request");
  assert.match((dispatched as { error?: string }).error ?? "", /not a run offered/);
  assert.equal(posted[0].responseTo, 5);
  assert.match(posted[0].error ?? "", /not a run offered/);
  assert.deepEqual(calls, []);
});

void test("node details with a malformed path get an error reply", async () => {
  const { dispatcher, posted, calls } = setup();
  await dispatcher.receive({ id: 6, method: NodeDetailsRequest.method, params: { path: [{ node: "x" }], node: 1 } });
  await dispatcher.receive({ id: 7, method: NodeDetailsRequest.method, params: { path: [], node: -1 } });
  assert.deepEqual(
    posted.map((p) => [p.responseTo, typeof p.error]),
    [
      [6, "string"],
      [7, "string"],
    ],
  );
  assert.deepEqual(calls, []);
});

void test("commands reach the host: compare, open as text, reveal kernels (a node ref only)", async () => {
  const { dispatcher, calls, kernels } = setup();
  await dispatcher.receive({ method: ChooseDiffModelCommand.method, params: {} });
  await dispatcher.receive({ method: OpenAsTextCommand.method, params: {} });
  await dispatcher.receive({
    method: RevealKernelsCommand.method,
    params: { node: "/conv1/Conv", runDir: run.runDir },
  });
  const bad = await dispatcher.receive({ method: RevealKernelsCommand.method, params: { node: 3 } });
  assert.deepEqual(calls, ["diff", "text"]);
  assert.deepEqual(kernels, [{ node: "/conv1/Conv", runDir: run.runDir }]);
  assert.equal(bad.kind, "command");
  assert.match((bad as { error?: string }).error ?? "", /revealKernels needs/);
});

void test("the webview's answer to a reveal reaches the host: a node the model lacks, with what it was fused from", async () => {
  const { dispatcher, reveals } = setup();
  const missing: RevealOutcome = {
    ref: { node: "Conv_0_Relu_1_token_3", model: "/m/model.onnx" },
    found: false,
    fusedFrom: ["Conv_0", "Relu_1"],
    message: 'Node "Conv_0_Relu_1_token_3" is not in model.onnx: …',
  };
  await dispatcher.receive({ method: RevealedNodeCommand.method, params: missing });
  await dispatcher.receive({
    method: RevealedNodeCommand.method,
    params: { ref: { node: "/conv1/Conv" }, found: true },
  });
  const bad = await dispatcher.receive({
    method: RevealedNodeCommand.method,
    params: { ref: { node: "x" }, found: "no" },
  });
  const badNames = await dispatcher.receive({
    method: RevealedNodeCommand.method,
    params: { ref: { node: "x" }, found: false, fusedFrom: [1] },
  });
  assert.deepEqual(reveals, [missing, { ref: { node: "/conv1/Conv" }, found: true }]);
  for (const b of [bad, badNames]) assert.match((b as { error?: string }).error ?? "", /revealedNode needs/);
});

void test("the notice's optimized graph reaches the host with a node and its run; without a run it is refused", async () => {
  const { dispatcher, optimized } = setup();
  const ref: NodeRef = { node: "BiasGelu", model: "/m/model.onnx", runDir: run.runDir };
  await dispatcher.receive({ method: OpenOptimizedGraphCommand.method, params: ref });
  const noRun = await dispatcher.receive({ method: OpenOptimizedGraphCommand.method, params: { node: "BiasGelu" } });
  const noNode = await dispatcher.receive({ method: OpenOptimizedGraphCommand.method, params: { runDir: run.runDir } });
  assert.deepEqual(optimized, [ref]);
  for (const b of [noRun, noNode]) assert.match((b as { error?: string }).error ?? "", /openOptimizedGraph needs/);
});

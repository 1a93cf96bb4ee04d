// The profile webview's protocol on the host side without VS Code (extension/profile/profile-handlers.ts over
// extension/webview/message-dispatcher.ts), and what a trace file is to the viewer (profile-sources.ts): replies go
// to the request's id; event text only at a non-negative byte offset of a slot; a report only of a run the viewer
// shows; a trace in a run folder reveals nodes in the run's produced model, else its original; other runs' profiles
// are offered for compare with the same model's runs first.
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { RunReport } from "../../common/report";
import { registerProfileHandlers, type ProfileEditorHost } from "../../extension/profile/profile-handlers";
import { compareCandidates, runProfilePath, traceSourceOf } from "../../extension/profile/profile-sources";
import { MessageDispatcher } from "../../extension/webview/message-dispatcher";
import type { HostToWebviewMessage } from "../../webviews/protocol/ipc";
import {
  ChooseCompareCommand,
  EventTextRequest,
  LiveDrawnCommand,
  OpenReportCommand,
  ReadyRequest,
  RevealNodeCommand,
  TraceConsumedCommand,
} from "../../webviews/protocol/profile";

const main = { path: "/w/.edge/runs/r2/profile.json", label: "r2", runDir: "/w/.edge/runs/r2" };

function setup() {
  const posted: HostToWebviewMessage[] = [];
  const calls: string[] = [];
  const host: ProfileEditorHost = {
    initialState: async () => ({ main }),
    eventText: async (slot, offset) => {
      calls.push(`text ${slot} ${offset}`);
      return '{"ph":"X"}';
    },
    chooseCompare: async () => void calls.push("compare"),
    revealNode: async (ref) => void calls.push(`reveal ${ref.node}`),
    runDirs: () => [main.runDir],
    openReport: async (runDir) => void calls.push(`report ${runDir}`),
    liveDrawn: (iterations) => void calls.push(`drawn ${iterations.join(",")}`),
    traceConsumed: (slot, bytes) => void calls.push(`consumed ${slot} ${bytes}`),
  };
  const dispatcher = new MessageDispatcher("profile", { post: (m) => posted.push(m), log: () => undefined });
  registerProfileHandlers(dispatcher, host);
  return { dispatcher, posted, calls };
}

void test("ready and event text are answered to their ids; bad slots and offsets get an error reply", async () => {
  const { dispatcher, posted, calls } = setup();
  await dispatcher.receive({ id: 1, method: ReadyRequest.method, params: {} });
  await dispatcher.receive({ id: 2, method: EventTextRequest.method, params: { slot: "main", offset: 1234 } });
  await dispatcher.receive({ id: 3, method: EventTextRequest.method, params: { slot: "other", offset: 1 } });
  await dispatcher.receive({ id: 4, method: EventTextRequest.method, params: { slot: "compare", offset: -5 } });
  await dispatcher.receive({ id: 5, method: EventTextRequest.method, params: { slot: "main", offset: 1.5 } });
  assert.deepEqual(posted.slice(0, 2), [
    { method: ReadyRequest.method, responseTo: 1, params: { main } },
    { method: EventTextRequest.method, responseTo: 2, params: '{"ph":"X"}' },
  ]);
  assert.deepEqual(
    posted.slice(2).map((p) => [p.responseTo, /eventText needs/.test(p.error ?? "")]),
    [
      [3, true],
      [4, true],
      [5, true],
    ],
  );
  assert.deepEqual(calls, ["text main 1234"]);
});

void test("commands: compare, reveal a node (a node ref only), open a report of a run shown (only)", async () => {
  const { dispatcher, calls } = setup();
  await dispatcher.receive({ method: ChooseCompareCommand.method, params: {} });
  await dispatcher.receive({ method: RevealNodeCommand.method, params: { node: "/conv1/Conv" } });
  const badRef = await dispatcher.receive({ method: RevealNodeCommand.method, params: { node: 1 } });
  await dispatcher.receive({ method: OpenReportCommand.method, params: { runDir: main.runDir } });
  const elsewhere = await dispatcher.receive({ method: OpenReportCommand.method, params: { runDir: "/etc" } });
  assert.deepEqual(calls, ["compare", "reveal /conv1/Conv", `report ${main.runDir}`]);
  assert.match((badRef as { error?: string }).error ?? "", /revealNode needs/);
  assert.match((elsewhere as { error?: string }).error ?? "", /not a run this viewer shows/);
});

void test("traceConsumed: a slot and a byte count only", async () => {
  const { dispatcher, calls } = setup();
  await dispatcher.receive({ method: TraceConsumedCommand.method, params: { slot: "compare", bytes: 4194304 } });
  const bad = await dispatcher.receive({ method: TraceConsumedCommand.method, params: { slot: "main", bytes: -1 } });
  const other = await dispatcher.receive({ method: TraceConsumedCommand.method, params: { slot: "x", bytes: 1 } });
  assert.deepEqual(calls, ["consumed compare 4194304"]);
  assert.match((bad as { error?: string }).error ?? "", /traceConsumed needs/);
  assert.match((other as { error?: string }).error ?? "", /traceConsumed needs/);
});

void test("liveDrawn: iteration indexes only", async () => {
  const { dispatcher, calls } = setup();
  await dispatcher.receive({ method: LiveDrawnCommand.method, params: { iterations: [0, 7, 8] } });
  const bad = await dispatcher.receive({ method: LiveDrawnCommand.method, params: { iterations: [1, -2] } });
  const none = await dispatcher.receive({ method: LiveDrawnCommand.method, params: {} });
  assert.deepEqual(calls, ["drawn 0,7,8"]);
  assert.match((bad as { error?: string }).error ?? "", /liveDrawn needs/);
  assert.match((none as { error?: string }).error ?? "", /liveDrawn needs/);
});

/** A report with just what the model and profile readers look at. */
function report(o: { model: string; produced?: string; profile?: boolean; runId: string }): RunReport {
  return {
    schemaVersion: 1,
    runId: o.runId,
    status: "ok",
    recipe: { name: "cls" },
    device: { name: "laptop", kind: "local" },
    model: { path: o.model },
    profile: o.profile === false ? { enabled: false } : { enabled: true, path: "profile.json" },
    artifacts: o.produced ? [{ kind: "model", path: o.produced }] : [],
    optimization: o.produced ? { quantize: { source: o.model, output: o.produced } } : undefined,
  } as unknown as RunReport;
}

void test("a trace in a run folder: the run's label, its produced model (else its original) for reveals", () => {
  const plain = traceSourceOf("/t/trace.json", 10);
  assert.deepEqual(plain, { path: "/t/trace.json", label: "trace.json", sizeBytes: 10 });
  const ran = traceSourceOf("/w/runs/r1/profile.json", 5, {
    runDir: "/w/runs/r1",
    runId: "r1",
    report: report({ runId: "r1", model: "/m/a.onnx" }),
  });
  assert.equal(ran.model, "/m/a.onnx");
  assert.equal(ran.label, "r1");
  assert.equal(ran.runDir, "/w/runs/r1");
  const quantized = traceSourceOf("/w/runs/r2/profile.json", 5, {
    runDir: "/w/runs/r2",
    runId: "r2",
    report: report({ runId: "r2", model: "/m/a.onnx", produced: "a.int8.onnx" }),
  });
  assert.equal(quantized.model, "/w/runs/r2/a.int8.onnx");
  const early = traceSourceOf("/w/runs/r3/profile.json", undefined, {
    runDir: "/w/runs/r3",
    runId: "r3",
    recipeModel: "/m/b.onnx",
  });
  assert.equal(early.model, "/m/b.onnx");
  assert.equal(runProfilePath("/w/runs/r1", report({ runId: "r1", model: "/m/a.onnx", profile: false })), undefined);
});

void test("a run's trace carries the warm-up runs its report's profile summary counts (the viewer leaves them out)", () => {
  const withSummary = report({ runId: "r4", model: "/m/a.onnx" });
  withSummary.profile.summary = { runsInTrace: 6, runsSummarized: 5 } as NonNullable<RunReport["profile"]["summary"]>;
  const run = { runDir: "/w/runs/r4", runId: "r4", report: withSummary };
  assert.equal(traceSourceOf("/w/runs/r4/profile.json", 5, run).warmupRuns, 1);
  const noSummary = { runDir: "/w/runs/r5", runId: "r5", report: report({ runId: "r5", model: "/m/a.onnx" }) };
  assert.equal(traceSourceOf("/w/runs/r5/profile.json", 5, noSummary).warmupRuns, undefined);
});

void test("compare candidates: other runs' profiles, the same model's runs first, newest first, not the one shown", () => {
  const runs = [
    { runDir: "/w/r1-a", runId: "20200101-a", report: report({ runId: "a", model: "/m/a.onnx" }) },
    { runDir: "/w/r2-b", runId: "20200102-b", report: report({ runId: "b", model: "/m/b.onnx" }) },
    { runDir: "/w/r3-a", runId: "20200103-a", report: report({ runId: "a2", model: "/m/a.onnx", produced: "q.onnx" }) },
    { runDir: "/w/r4-a", runId: "20200104-a", report: report({ runId: "a3", model: "/m/a.onnx" }) },
    { runDir: "/w/r5", runId: "20200105", report: report({ runId: "n", model: "/m/a.onnx", profile: false }) },
    { runDir: "/w/r6", runId: "20200106" },
  ];
  const got = compareCandidates({ path: "/w/r4-a/profile.json", models: ["/m/a.onnx"] }, runs);
  assert.deepEqual(
    got.map((c) => [c.runId, c.sameModel, c.path]),
    [
      ["20200103-a", true, "/w/r3-a/profile.json"],
      ["20200101-a", true, "/w/r1-a/profile.json"],
      ["20200102-b", false, "/w/r2-b/profile.json"],
    ],
  );
});

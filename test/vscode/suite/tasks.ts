// The `edge` task provider, its pseudoterminal runs, cancellation, the "edge-run" diagnostics and the recipe CodeLens,
// through the VS Code API. Recipes come from test/vscode/workspace.ts (run-ok, run-budget, run-long, bad-device).
import * as assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { edgeApi, open, waitFor, workspaceFile } from "./helpers";
import { test } from "./runner";

interface EdgeDefinition extends vscode.TaskDefinition {
  recipe: string;
  device?: string;
}

function runsDir(): string {
  return join(vscode.workspace.workspaceFolders![0].uri.fsPath, ".edge", "runs");
}

/** Run directories of the recipe named `name`, oldest first. */
function runsOf(name: string): string[] {
  if (!existsSync(runsDir())) return [];
  return readdirSync(runsDir())
    .filter((d) => d.includes(`-${name}-`))
    .sort()
    .map((d) => join(runsDir(), d));
}

async function edgeTask(recipe: string, device: string): Promise<vscode.Task> {
  const tasks = await vscode.tasks.fetchTasks({ type: "edge" });
  const task = tasks.find(
    (t) => (t.definition as EdgeDefinition).recipe === recipe && (t.definition as EdgeDefinition).device === device,
  );
  assert.ok(task, `a task for ${recipe} on ${device} among: ${tasks.map((t) => t.name).join(", ")}`);
  return task;
}

/** Starts the task; `ended` resolves with the exit code its process (the pseudoterminal) closed with. */
async function start(
  task: vscode.Task,
): Promise<{ execution: vscode.TaskExecution; ended: Promise<number | undefined> }> {
  const started: { execution?: vscode.TaskExecution } = {};
  const ended = new Promise<number | undefined>((resolve) => {
    const listener = vscode.tasks.onDidEndTaskProcess((event) => {
      if (event.execution !== started.execution && event.execution.task.name !== task.name) return;
      listener.dispose();
      resolve(event.exitCode);
    });
  });
  started.execution = await vscode.tasks.executeTask(task);
  return { execution: started.execution, ended };
}

/** Waits until `read` returns a value, re-checking on file events under .edge/ and every 250 ms as a safety net. */
function waitForFile<T>(read: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const watcher = vscode.workspace.createFileSystemWatcher(
    new vscode.RelativePattern(vscode.workspace.workspaceFolders![0], ".edge/**"),
  );
  const ticks = new vscode.EventEmitter<void>();
  const interval = setInterval(() => ticks.fire(), 250);
  const any: vscode.Event<unknown> = (listener) => {
    const fire = () => listener(undefined);
    const ds = [watcher.onDidCreate(fire), watcher.onDidChange(fire), ticks.event(fire)];
    return new vscode.Disposable(() => ds.forEach((d) => d.dispose()));
  };
  return waitFor(any, read, what, timeoutMs).finally(() => {
    clearInterval(interval);
    ticks.dispose();
    watcher.dispose();
  });
}

test("tasks: the provider lists a task per recipe and device", async () => {
  await edgeApi();
  const tasks = await vscode.tasks.fetchTasks({ type: "edge" });
  const keys = tasks.map(
    (t) => `${(t.definition as EdgeDefinition).recipe}@${(t.definition as EdgeDefinition).device}`,
  );
  for (const key of ["ok.edge.yaml@laptop", "run-ok.edge.yaml@laptop", "ui.edge.yaml@local"])
    assert.ok(keys.includes(key), `${key} in ${keys.join(", ")}`);
  assert.ok(tasks.every((t) => t.source === "edge"));
});

test("tasks: running a recipe to the end writes its report and exits 0", async () => {
  const before = runsOf("task-ok").length;
  const { ended } = await start(await edgeTask("run-ok.edge.yaml", "laptop"));
  assert.equal(await ended, 0);
  const runs = runsOf("task-ok");
  assert.equal(runs.length, before + 1, "one new run directory");
  const report = JSON.parse(readFileSync(join(runs[runs.length - 1], "report.json"), "utf8")) as { status: string };
  assert.equal(report.status, "ok");
}, 60_000);

test("tasks: a failing budget ends the task with exit code 1", async () => {
  const { ended } = await start(await edgeTask("run-budget.edge.yaml", "laptop"));
  assert.equal(await ended, 1);
}, 60_000);

test("tasks: terminating the task stops the engine, which writes an aborted report", async () => {
  const before = new Set(runsOf("task-long"));
  const { execution, ended } = await start(await edgeTask("run-long.edge.yaml", "laptop"));
  // Wait until the run is under way (the engine wrote the resolved recipe into its run directory).
  const dir = await waitForFile(
    () => runsOf("task-long").find((d) => !before.has(d) && existsSync(join(d, "recipe.resolved.json"))),
    "the long run's directory",
  );
  execution.terminate();
  await ended;
  const status = await waitForFile(() => {
    const file = join(dir, "report.json");
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { status: string }).status : undefined;
  }, "the aborted run's report");
  assert.equal(status, "aborted");
}, 60_000);

test("tasks: an engine error with a line lands in the edge-run diagnostics on that line", async () => {
  const uri = workspaceFile("bad-device.edge.yaml");
  const { ended } = await start(await edgeTask("bad-device.edge.yaml", "laptop"));
  const code = await ended;
  assert.notEqual(code, 0);
  const diagnostic = await waitFor(
    vscode.languages.onDidChangeDiagnostics,
    () => vscode.languages.getDiagnostics(uri).find((d) => d.source === "edge run"),
    "an edge run diagnostic",
  );
  const document = await vscode.workspace.openTextDocument(uri);
  assert.match(document.lineAt(diagnostic.range.start.line).text, /device:\s*pixel9/);
  assert.equal(diagnostic.code, "recipe/invalid");
}, 60_000);

test("codelens: a recipe shows Run on laptop (edge.runRecipe with its uri and device) and Open last report", async () => {
  const editor = await open("run-ok.edge.yaml");
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
    "vscode.executeCodeLensProvider",
    editor.document.uri,
  );
  const run = lenses.find((l) => l.command?.title.includes("Run on laptop"));
  assert.ok(run?.command, `a Run on laptop lens among: ${lenses.map((l) => l.command?.title).join(", ")}`);
  assert.equal(run.command.command, "edge.runRecipe");
  const [uri, device] = run.command.arguments ?? [];
  assert.equal(String(uri), editor.document.uri.toString());
  assert.equal(device, "laptop");
  // run-ok ran above, so its report exists.
  const last = lenses.find((l) => l.command?.title === "Open last report");
  assert.equal(last?.command?.command, "edge.openLastReport");
});

test("commands: edge.runRecipe runs a recipe as an edge task, and edge.openLastReport finds its report", async () => {
  const uri = workspaceFile("run-ok.edge.yaml");
  const before = runsOf("task-ok").length;
  const ended = new Promise<{ exitCode: number | undefined; definition: EdgeDefinition }>((resolve) => {
    const listener = vscode.tasks.onDidEndTaskProcess((event) => {
      if (event.execution.task.definition.type !== "edge") return;
      listener.dispose();
      resolve({ exitCode: event.exitCode, definition: event.execution.task.definition as EdgeDefinition });
    });
  });
  await vscode.commands.executeCommand("edge.runRecipe", uri, "laptop");
  const { exitCode, definition } = await ended;
  assert.equal(exitCode, 0);
  assert.deepEqual([definition.recipe, definition.device], ["run-ok.edge.yaml", "laptop"]);
  const runs = runsOf("task-ok");
  assert.equal(runs.length, before + 1);
  const report = await vscode.commands.executeCommand<vscode.Uri | undefined>("edge.openLastReport", uri);
  assert.equal(report?.fsPath, join(runs[runs.length - 1], "report.md"));
}, 60_000);

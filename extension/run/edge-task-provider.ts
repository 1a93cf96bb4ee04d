// The task provider for type `edge` (tasks.json: { "type": "edge", "recipe": "…", "device": "…", "steps": [...] }).
// provideTasks offers one task per `*.edge.yaml` in the workspace and per device it defines (the local one when it
// defines none); resolveTask fills a task from tasks.json. Execution is a CustomExecution with RunPseudoterminal.
// In an untrusted workspace it provides nothing and resolves nothing.
import { dirname, isAbsolute } from "node:path";
import * as vscode from "vscode";
import { readRecipeDevices, runnableDevices } from "./recipe-devices";
import { canRun } from "./trust";
import { RunPseudoterminal, type RunServices } from "./run-pseudoterminal";

export const TASK_TYPE = "edge";
/**
 * The steps a task may list that `edge run` does: quantize and compile (when the recipe has those sections), run, and
 * profile (when the recipe asks); `deploy` comes with the device transports.
 */
export const AVAILABLE_STEPS: readonly string[] = ["quantize", "compile", "run", "profile"];

export interface EdgeTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  /** The recipe, relative to the workspace folder or absolute. */
  recipe: string;
  /** A device the recipe defines; absent: the recipe's `run.device`. */
  device?: string;
  /** Accepted for the pipeline to come; today every task runs the recipe's steps as it writes them, and `deploy` is reported as skipped. */
  steps?: string[];
}

export class EdgeTaskProvider implements vscode.TaskProvider {
  constructor(private readonly services: RunServices) {}

  async provideTasks(token: vscode.CancellationToken): Promise<vscode.Task[]> {
    if (!canRun()) return [];
    const tasks: vscode.Task[] = [];
    const files = await vscode.workspace.findFiles(
      "**/*.edge.{yaml,yml}",
      "**/{node_modules,.edge}/**",
      undefined,
      token,
    );
    for (const file of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
      const folder = vscode.workspace.getWorkspaceFolder(file);
      if (!folder) continue;
      let devices: string[];
      try {
        devices = runnableDevices(
          await readRecipeDevices(new TextDecoder().decode(await vscode.workspace.fs.readFile(file))),
        );
      } catch {
        continue; // unreadable: the language server says why
      }
      const recipe = vscode.workspace.asRelativePath(file, false);
      for (const device of devices) tasks.push(this.createTask({ type: TASK_TYPE, recipe, device }, folder));
    }
    return tasks;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    if (!canRun()) return undefined;
    const definition = task.definition as EdgeTaskDefinition;
    if (typeof definition.recipe !== "string" || definition.recipe === "") return undefined;
    const folder = typeof task.scope === "object" ? task.scope : undefined;
    // The same definition object: VS Code matches a resolved task to its tasks.json entry by it.
    return this.createTask(definition, folder, task.name);
  }

  /** A runnable task for `definition` (also what `edge.runRecipe` executes). */
  createTask(definition: EdgeTaskDefinition, folder: vscode.WorkspaceFolder | undefined, name?: string): vscode.Task {
    const label = name ?? `run ${definition.recipe}${definition.device ? ` on ${definition.device}` : ""}`;
    const task = new vscode.Task(
      definition,
      folder ?? vscode.TaskScope.Workspace,
      label,
      TASK_TYPE,
      new vscode.CustomExecution(async (resolved) => this.terminalFor(resolved as EdgeTaskDefinition, folder)),
      [],
    );
    task.group = vscode.TaskGroup.Test;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
    return task;
  }

  private terminalFor(
    definition: EdgeTaskDefinition,
    folder: vscode.WorkspaceFolder | undefined,
  ): vscode.Pseudoterminal {
    const base = folder ?? vscode.workspace.workspaceFolders?.[0];
    const recipe = isAbsolute(definition.recipe)
      ? vscode.Uri.file(definition.recipe)
      : base
        ? vscode.Uri.joinPath(base.uri, definition.recipe)
        : vscode.Uri.file(definition.recipe);
    const steps = Array.isArray(definition.steps)
      ? definition.steps.filter((s): s is string => typeof s === "string")
      : [];
    return new RunPseudoterminal(
      {
        recipe,
        device: definition.device || undefined,
        skippedSteps: steps.filter((s) => !AVAILABLE_STEPS.includes(s)),
        cwd: base?.uri.fsPath ?? dirname(recipe.fsPath),
      },
      this.services,
    );
  }
}

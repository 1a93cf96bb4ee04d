// Wires the run features into the extension: the `edge` task provider, the "edge-run" diagnostics, the recipe
// CodeLens, the device status bar item, and the commands edge.runRecipe / edge.selectDevice / edge.openLastReport
// (main.ts spreads `runCommands` into its table). Registration is cheap: nothing runs until a task does.
import * as vscode from "vscode";
import { LANGUAGE_ID } from "../common/recipe-language";
import { RecipeCodeLensProvider } from "./codelens";
import { readConfig } from "./config";
import type { Ctx } from "./ctx";
import { DeviceChoices, devicesOf } from "./device-choice";
import { findLastReport, openRunReport } from "./last-report";
import { DeviceStatusItem } from "./status-bar";
import { EdgeTaskProvider, TASK_TYPE } from "./tasks/edge-task-provider";
import { RunDiagnostics } from "./tasks/run-diagnostics";
import type { RunFinished } from "./tasks/run-pseudoterminal";
import { canRun, explainUntrusted, onDidGrantTrust } from "./trust";

export class RunFeatures {
  readonly choices: DeviceChoices;
  readonly tasks: EdgeTaskProvider;
  readonly codeLens: RecipeCodeLensProvider;
  private readonly finished = new vscode.EventEmitter<RunFinished>();
  /** Fires when a run's terminal closes (with the report's paths when one was written). */
  readonly onDidFinishRun = this.finished.event;

  constructor(ctx: Ctx) {
    const subscriptions = ctx.extension.subscriptions;
    this.choices = new DeviceChoices(ctx.extension.workspaceState);
    const diagnostics = new RunDiagnostics();
    this.tasks = new EdgeTaskProvider({
      extensionPath: ctx.extension.extensionPath,
      log: ctx.log,
      diagnostics,
      nodePath: () => readConfig().nodePath,
      didFinish: (result) => this.finished.fire(result),
    });
    this.codeLens = new RecipeCodeLensProvider(this.choices);
    subscriptions.push(
      this.choices,
      diagnostics,
      this.codeLens,
      this.finished,
      new DeviceStatusItem(this.choices),
      vscode.tasks.registerTaskProvider(TASK_TYPE, this.tasks),
      vscode.languages.registerCodeLensProvider({ language: LANGUAGE_ID }, this.codeLens),
      this.choices.onDidChange(() => this.codeLens.refresh()),
      this.onDidFinishRun((run) => {
        this.codeLens.refresh();
        // A finished (not cancelled) run's report opens by itself.
        if (run.reportJsonPath && !run.cancelled) {
          openRunReport(vscode.Uri.file(run.reportJsonPath)).catch((error: unknown) => ctx.log.warn(`could not open the report ${run.reportJsonPath}: ${String(error)}`));
        }
      }),
      onDidGrantTrust(() => this.codeLens.refresh()),
    );
  }

  /** Runs a recipe (default: the active one) on a device (default: the chosen one) as an `edge` task. */
  async runRecipe(uri?: unknown, device?: unknown): Promise<vscode.TaskExecution | undefined> {
    if (!canRun()) {
      await explainUntrusted("running a recipe");
      return undefined;
    }
    const recipe = recipeUri(uri);
    if (!recipe) {
      void vscode.window.showInformationMessage("Edge: open a recipe (*.edge.yaml) to run it.");
      return undefined;
    }
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === recipe.toString());
    if (open?.isDirty) await open.save();
    const chosen = typeof device === "string" && device !== "" ? device : this.choices.deviceFor(recipe, await devicesOf(recipe));
    const folder = vscode.workspace.getWorkspaceFolder(recipe);
    const task = this.tasks.createTask({ type: TASK_TYPE, recipe: folder ? vscode.workspace.asRelativePath(recipe, false) : recipe.fsPath, device: chosen }, folder);
    return vscode.tasks.executeTask(task);
  }

  async selectDevice(uri?: unknown): Promise<string | undefined> {
    const recipe = recipeUri(uri);
    if (!recipe) {
      void vscode.window.showInformationMessage("Edge: open a recipe (*.edge.yaml) to choose its device.");
      return undefined;
    }
    return this.choices.pick(recipe);
  }

  async openLastReport(uri?: unknown): Promise<vscode.Uri | undefined> {
    const recipe = recipeUri(uri);
    const folder = recipe && vscode.workspace.getWorkspaceFolder(recipe);
    const name = recipe && (await devicesOf(recipe)).name;
    const report = folder && name ? await findLastReport(folder.uri, name) : undefined;
    if (!report) {
      void vscode.window.showInformationMessage("Edge: this recipe has no report yet; run it first.");
      return undefined;
    }
    await openRunReport(report);
    return report;
  }
}

/** The recipe a command is about: its argument when it is a Uri, else the active editor's recipe. */
function recipeUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === "string" && arg !== "") return /^[a-z][\w+.-]+:/i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  const document = vscode.window.activeTextEditor?.document;
  return document?.languageId === LANGUAGE_ID ? document.uri : undefined;
}

const features = new WeakMap<Ctx, RunFeatures>();

/** Called once from activate. */
export function registerRunFeatures(ctx: Ctx): RunFeatures {
  const created = new RunFeatures(ctx);
  features.set(ctx, created);
  return created;
}

function of(ctx: Ctx): RunFeatures {
  return features.get(ctx) ?? registerRunFeatures(ctx);
}

/** The run commands, for main.ts's command table. */
export const runCommands: Record<string, (ctx: Ctx, ...args: unknown[]) => unknown> = {
  "edge.runRecipe": (ctx, uri, device) => of(ctx).runRecipe(uri, device),
  "edge.selectDevice": (ctx, uri) => of(ctx).selectDevice(uri),
  "edge.openLastReport": (ctx, uri) => of(ctx).openLastReport(uri),
};

// The run features: the `edge` task provider, the "edge-run" diagnostics, the recipe CodeLens, the device status bar
// item, and what the commands edge.runRecipe / edge.selectDevice / edge.openLastReport do (main.ts's table calls
// them). Ctx creates the one RunFeatures and disposes it. Registration is cheap: nothing runs until a task does.
import * as vscode from "vscode";
import { LANGUAGE_ID } from "../../common/recipe-language";
import { RecipeCodeLensProvider } from "./codelens";
import { readConfig } from "../config";
import { DeviceChoices, devicesOf } from "./device-choice";
import { findLastReport, runDirOf } from "./last-report";
import { DeviceStatusItem } from "./status-bar";
import { EdgeTaskProvider, TASK_TYPE } from "./edge-task-provider";
import { RunDiagnostics } from "./run-diagnostics";
import type { RunFinished, RunObserver } from "./run-pseudoterminal";
import { canRun, explainUntrusted, onDidGrantTrust } from "./trust";
import type { LiveDevices } from "../devices/device-model";

/** What the run features need from the rest of the extension. */
export interface RunHost {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** Shows a run's report (the report feature). */
  openReport(runDir: vscode.Uri): Promise<void>;
  /** The devices listed now (the device features): attached phones in the CodeLens and the device picker. */
  readonly devices?: LiveDevices;
  /** Follows a run's engine events (the profile viewer's live timeline). */
  observeRun?(recipe: vscode.Uri, cwd: string): RunObserver;
}

export class RunFeatures implements vscode.Disposable {
  readonly choices: DeviceChoices;
  readonly tasks: EdgeTaskProvider;
  readonly codeLens: RecipeCodeLensProvider;
  private readonly finished = new vscode.EventEmitter<RunFinished>();
  /** Fires when a run's terminal closes (with the report's paths when one was written). */
  readonly onDidFinishRun = this.finished.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly host: RunHost) {
    this.choices = new DeviceChoices(host.extension.workspaceState, host.devices);
    const diagnostics = new RunDiagnostics();
    this.tasks = new EdgeTaskProvider({
      extensionPath: host.extension.extensionPath,
      log: host.log,
      diagnostics,
      nodePath: () => readConfig().nodePath,
      toolEnv: () => {
        const config = readConfig();
        return {
          EDGE_ADB_PATH: config.adbPath,
          EDGE_SSH_PATH: config.sshPath,
          ...(config.perfTestPath ? { EDGE_PERF_TEST_PATH: config.perfTestPath } : {}),
        };
      },
      didFinish: (result) => this.finished.fire(result),
      observeRun: host.observeRun && ((recipe, cwd) => host.observeRun!(recipe, cwd)),
    });
    this.codeLens = new RecipeCodeLensProvider(this.choices, host.devices);
    const statusItem = new DeviceStatusItem(this.choices);
    this.disposables.push(
      this.choices,
      diagnostics,
      this.codeLens,
      this.finished,
      statusItem,
      vscode.tasks.registerTaskProvider(TASK_TYPE, this.tasks),
      vscode.languages.registerCodeLensProvider({ language: LANGUAGE_ID }, this.codeLens),
      this.choices.onDidChange(() => this.codeLens.refresh()),
      this.onDidFinishRun((run) => {
        this.codeLens.refresh();
        // A finished (not cancelled) run's report opens by itself.
        if (run.reportJsonPath && !run.cancelled) {
          host
            .openReport(runDirOf(vscode.Uri.file(run.reportJsonPath)))
            .catch((error: unknown) =>
              host.log.warn(`could not open the report ${run.reportJsonPath}: ${String(error)}`),
            );
        }
      }),
      onDidGrantTrust(() => this.codeLens.refresh()),
    );
    if (host.devices)
      this.disposables.push(
        host.devices.onDidChange(() => {
          this.codeLens.refresh();
          statusItem.update();
        }),
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
    const chosen =
      typeof device === "string" && device !== "" ? device : this.choices.deviceFor(recipe, await devicesOf(recipe));
    const folder = vscode.workspace.getWorkspaceFolder(recipe);
    const task = this.tasks.createTask(
      {
        type: TASK_TYPE,
        recipe: folder ? vscode.workspace.asRelativePath(recipe, false) : recipe.fsPath,
        device: chosen,
      },
      folder,
    );
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
    await this.host.openReport(runDirOf(report));
    return report;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The recipe a command is about: its argument when it is a Uri, else the active editor's recipe. */
function recipeUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === "string" && arg !== "")
    return /^[a-z][\w+.-]+:/i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  const document = vscode.window.activeTextEditor?.document;
  return document?.languageId === LANGUAGE_ID ? document.uri : undefined;
}

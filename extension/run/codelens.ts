// CodeLens at the top of a recipe: "▶ Run on <device>" per device it defines (the local one when it defines none;
// the remembered choice first), "▶ Deploy to <model> (<serial>)" per adb device attached now (from the live device
// listing; as `--device` the recipe's device with that serial, else `adb:SERIAL`), and "Open last report" once a run
// of it wrote report.md. In an untrusted workspace a single "Run (trust this workspace to run)" lens explains instead.
import * as vscode from "vscode";
import type { LiveDevices } from "../devices/device-model";
import { deployTargets } from "../devices/deploy-targets";
import { readRecipeTransports } from "../devices/recipe-transports";
import type { DeviceChoices } from "./device-choice";
import { findLastReport } from "./last-report";
import { readRecipeDevices, runnableDevices } from "./recipe-devices";
import { canRun } from "./trust";

export const RUN_COMMAND = "edge.runRecipe";
export const OPEN_LAST_REPORT_COMMAND = "edge.openLastReport";

export class RecipeCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly choices: DeviceChoices,
    private readonly live?: LiveDevices,
  ) {}

  /** Asks VS Code to ask again (trust granted, a device chosen, a run finished). */
  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const top = new vscode.Range(0, 0, 0, 0);
    if (!canRun()) {
      return [
        new vscode.CodeLens(top, {
          title: "Run (trust this workspace to run)",
          command: RUN_COMMAND,
          arguments: [document.uri],
          tooltip: "Running is disabled in an untrusted workspace",
        }),
      ];
    }
    const text = document.getText();
    const info = await readRecipeDevices(text);
    const chosen = this.choices.deviceFor(document.uri, info);
    const devices = runnableDevices(info).sort((a, b) => Number(b === chosen) - Number(a === chosen));
    const lenses = devices.map(
      (device) =>
        new vscode.CodeLens(top, {
          title: `▶ Run on ${device}`,
          command: RUN_COMMAND,
          arguments: [document.uri, device],
          tooltip: `Run this recipe on ${device} (a task)`,
        }),
    );
    if (this.live) {
      this.live.ensureWatching(); // attached phones show up here as they come
      for (const target of deployTargets(this.live.devices, await readRecipeTransports(text)))
        lenses.push(
          new vscode.CodeLens(top, {
            title: target.title,
            command: RUN_COMMAND,
            arguments: [document.uri, target.device],
            tooltip: target.tooltip,
          }),
        );
    }
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (folder && info.name) {
      const report = await findLastReport(folder.uri, info.name);
      if (report)
        lenses.push(
          new vscode.CodeLens(top, {
            title: "Open last report",
            command: OPEN_LAST_REPORT_COMMAND,
            arguments: [document.uri],
            tooltip: vscode.workspace.asRelativePath(report),
          }),
        );
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

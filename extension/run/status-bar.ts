// The status bar item showing the device the active recipe runs on; clicking it picks another (edge.selectDevice).
// Shown only while a recipe is the active editor.
import * as vscode from "vscode";
import { LANGUAGE_ID } from "../../common/recipe-language";
import type { DeviceChoices } from "./device-choice";
import { readRecipeDevices } from "./recipe-devices";

export const SELECT_DEVICE_COMMAND = "edge.selectDevice";

export class DeviceStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("edge.device", vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];
  private generation = 0;

  constructor(private readonly choices: DeviceChoices) {
    this.item.name = "Edge device";
    this.item.command = SELECT_DEVICE_COMMAND;
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d === vscode.window.activeTextEditor?.document) this.update();
      }),
      choices.onDidChange(() => this.update()),
    );
    this.update();
  }

  update(): void {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || document.languageId !== LANGUAGE_ID) {
      this.item.hide();
      return;
    }
    const generation = ++this.generation;
    void readRecipeDevices(document.getText()).then((info) => {
      if (generation !== this.generation) return; // a newer update is on its way
      const device = this.choices.deviceFor(document.uri, info);
      this.item.text = `$(${device.startsWith("adb:") ? "device-mobile" : "device-desktop"}) ${device}`;
      this.item.tooltip = `Edge: ${info.name ?? "this recipe"} runs on ${device}. Click to choose another device.`;
      this.item.show();
    });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

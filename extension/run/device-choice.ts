// The device each recipe runs on when the user does not say: chosen in the status bar's QuickPick (the recipe's
// devices, attached phones marked, then attached phones the recipe does not define, as `adb:SERIAL`), remembered per
// recipe in workspaceState, and read by the CodeLens order, the status bar and `edge.runRecipe`.
import * as vscode from "vscode";
import { readConfig } from "../config";
import { devicePicks, isLiveAdHoc } from "../devices/deploy-targets";
import type { LiveDevices } from "../devices/device-model";
import { transportsOf } from "../devices/workspace-recipes";
import { defaultDevice, readRecipeDevices, runnableDevices, type RecipeDevices } from "./recipe-devices";

const KEY_PREFIX = "edge.device:";

export class DeviceChoices implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires with the recipe whose device was chosen. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly live?: LiveDevices,
  ) {}

  /**
   * The device for `recipe`: the remembered choice while the recipe still defines it (or, for an attached phone the
   * recipe does not define, while it is attached), else `edge.defaultDevice` when the recipe defines that device,
   * else the recipe's own default.
   */
  deviceFor(recipe: vscode.Uri, info: RecipeDevices): string {
    const runnable = runnableDevices(info);
    const stored = this.state.get<string>(KEY_PREFIX + recipe.toString());
    if (stored && (runnable.includes(stored) || (this.live && isLiveAdHoc(stored, this.live.devices)))) return stored;
    const configured = readConfig(recipe).defaultDevice;
    return configured && runnable.includes(configured) ? configured : defaultDevice(info);
  }

  async choose(recipe: vscode.Uri, device: string): Promise<void> {
    await this.state.update(KEY_PREFIX + recipe.toString(), device);
    this.changed.fire(recipe);
  }

  /** Shows a QuickPick of the recipe's devices and the attached phones, and remembers the pick; undefined when dismissed. */
  async pick(recipe: vscode.Uri): Promise<string | undefined> {
    this.live?.ensureWatching();
    const info = await devicesOf(recipe);
    const current = this.deviceFor(recipe, info);
    const picks = devicePicks(runnableDevices(info), current, await transportsOf(recipe), this.live?.devices ?? []);
    type Item = vscode.QuickPickItem & { device?: string };
    const items: Item[] = [];
    for (const pick of picks) {
      if (!pick.fromRecipe && items.every((i) => i.kind !== vscode.QuickPickItemKind.Separator))
        items.push({ label: "attached now", kind: vscode.QuickPickItemKind.Separator });
      items.push({
        label: pick.fromRecipe ? pick.label : `$(device-mobile) ${pick.label}`,
        description: pick.description,
        picked: pick.device === current,
        device: pick.device,
      });
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: `Edge: device for ${info.name ?? vscode.workspace.asRelativePath(recipe)}`,
      placeHolder: "Run the recipe on…",
    });
    if (!picked?.device) return undefined;
    await this.choose(recipe, picked.device);
    return picked.device;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Reads a recipe's devices from its open document when there is one (unsaved edits count), else from disk. */
export async function devicesOf(recipe: vscode.Uri): Promise<RecipeDevices> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === recipe.toString());
  const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(recipe));
  return readRecipeDevices(text);
}

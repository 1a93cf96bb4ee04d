// "Deploy to…" on an ONNX model (explorer context menu and command palette, edge.deployModel): pick a live device,
// write a recipe next to the model (`<model>.edge.yaml`, or the first free `<model>-N.edge.yaml`: an existing file is
// never overwritten) naming the model, the device and `run: { device, warmup: 5, iterations: 50, profile: true }`,
// open it, and run it as an `edge` task.
import { writeFile } from "node:fs/promises";
import { basename } from "node:path";
import * as vscode from "vscode";
import type { DeviceListing } from "../../common/devices";
import { deployRecipeText, freeRecipeFileName } from "./deploy-recipe";
import type { RecipeTransport } from "./recipe-transports";

export interface DeployServices {
  log: vscode.LogOutputChannel;
  pickDevice(title: string): Promise<DeviceListing | undefined>;
  knownTransport(device: DeviceListing): RecipeTransport | undefined;
  runRecipe(recipe: vscode.Uri, device: string): Promise<unknown>;
}

export async function deployModel(arg: unknown, services: DeployServices): Promise<vscode.Uri | undefined> {
  const model = await modelUri(arg);
  if (!model) return undefined;
  const fileName = basename(model.fsPath);
  const device = await services.pickDevice(`deploy ${fileName} to…`);
  if (!device) return undefined;
  const folder = vscode.Uri.joinPath(model, "..");
  const { text, deviceName } = await deployRecipeText(fileName, device, services.knownTransport(device));
  const recipe = await writeNew(folder, fileName, text);
  services.log.info(`deploy: wrote ${recipe.fsPath} for ${fileName} on ${device.name} (device ${deviceName})`);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(recipe));
  await services.runRecipe(recipe, deviceName);
  return recipe;
}

/** The model a command is about: its argument, else the active editor's .onnx, else one chosen in a dialog. */
async function modelUri(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document.uri ?? activeTabUri();
  if (active && /\.onnx$/i.test(active.path)) return active;
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { "ONNX models": ["onnx"] },
    openLabel: "Deploy",
    title: "Edge: deploy which model?",
  });
  return chosen?.[0];
}

function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText ? input.uri : undefined;
}

/** Writes `text` as a new recipe beside the model; never over an existing file (a name taken meanwhile is skipped). */
async function writeNew(folder: vscode.Uri, modelFileName: string, text: string): Promise<vscode.Uri> {
  const taken = new Set<string>();
  const exists = async (name: string) => {
    if (taken.has(name)) return true;
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, name));
      return true;
    } catch {
      return false;
    }
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    const name = await freeRecipeFileName(modelFileName, exists);
    const uri = vscode.Uri.joinPath(folder, name);
    if (uri.scheme === "file") {
      // Exclusive create: a file made between the check and the write is not overwritten.
      try {
        await writeFile(uri.fsPath, text, { flag: "wx" });
        return uri;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        taken.add(name);
        continue;
      }
    }
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    return uri;
  }
  throw new Error(`no free recipe name beside ${modelFileName}`);
}

// The workspace's recipes as the device features see them: their files (passed to `edge devices --recipe`), the
// transports of the devices each defines (for matching a listed device to a recipe's own, and its ssh options), and
// a signature that changes only when the devices part of some recipe does (so the watcher restarts only then).
import { dirname, isAbsolute, join } from "node:path";
import * as vscode from "vscode";
import type { DeviceListing } from "../../common/devices";
import { RECIPE_FILE_GLOB } from "../../common/recipe-language";
import { readRecipeTransports, type RecipeTransport, type RecipeTransports } from "./recipe-transports";

export const RECIPE_EXCLUDE = "**/{node_modules,.edge}/**";

export interface WorkspaceRecipe {
  uri: vscode.Uri;
  transports: RecipeTransports;
}

/** Every recipe of the workspace with its devices' transports, by path. */
export async function scanRecipes(): Promise<WorkspaceRecipe[]> {
  const files = await vscode.workspace.findFiles(RECIPE_FILE_GLOB, RECIPE_EXCLUDE);
  const recipes = await Promise.all(
    files.map(async (uri) => {
      try {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        return { uri, transports: await readRecipeTransports(text) };
      } catch {
        return { uri, transports: new Map() as RecipeTransports };
      }
    }),
  );
  return recipes.sort((a, b) => a.uri.fsPath.localeCompare(b.uri.fsPath));
}

/** Changes when a recipe comes or goes or its devices change (not for other edits). */
export function recipesSignature(recipes: readonly WorkspaceRecipe[]): string {
  return JSON.stringify(recipes.map((r) => [r.uri.fsPath, [...r.transports]]));
}

/** The transports of one recipe: from the open document when there is one (unsaved edits count), else from disk. */
export async function transportsOf(recipe: vscode.Uri): Promise<RecipeTransports> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === recipe.toString());
  try {
    const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(recipe));
    return await readRecipeTransports(text);
  } catch {
    return new Map();
  }
}

/**
 * The transport a recipe of the workspace gives a listed device that came from a recipe (same name and kind), with
 * a relative identity file made absolute against that recipe's folder.
 */
export function knownTransport(
  device: DeviceListing,
  recipes: readonly WorkspaceRecipe[],
): RecipeTransport | undefined {
  if (device.source !== "recipe") return undefined;
  for (const recipe of recipes) {
    const transport = recipe.transports.get(device.name);
    if (!transport || transport.kind !== device.kind) continue;
    if (transport.kind === "ssh" && transport.identityFile) {
      const file = transport.identityFile;
      if (!isAbsolute(file) && !file.startsWith("~"))
        return { ...transport, identityFile: join(dirname(recipe.uri.fsPath), file) };
    }
    return transport;
  }
  return undefined;
}

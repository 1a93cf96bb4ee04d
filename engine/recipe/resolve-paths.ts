// The recipe's file paths made absolute: relative to the recipe's folder, `~/` to the home folder.
// The engine and the language server use these, never the raw strings, so both agree on what a path means.
import { isAbsolute, resolve } from "node:path";
import type { EdgeRecipe } from "./recipe-types.generated";

export interface DatasetPaths {
  path: string;
  tokenizer?: string;
}

export interface RecipePaths {
  /** Folder relative paths start from: the recipe file's folder. */
  baseDir: string;
  model: string;
  datasets: Record<string, DatasetPaths>;
  /** SSH identity files, by device name. */
  identityFiles: Record<string, string>;
  /** `onnxruntime_perf_test` binaries on this machine (`perf_test_path`), by device name. */
  perfTestBinaries: Record<string, string>;
}

/** An absolute path for a path written in a recipe. */
export function resolveRecipePath(path: string, baseDir: string, homeDir?: string): string {
  if (homeDir && (path === "~" || path.startsWith("~/"))) return resolve(homeDir, path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(baseDir, path);
}

export function resolveRecipePaths(
  recipe: Pick<EdgeRecipe, "model" | "data" | "devices">,
  baseDir: string,
  homeDir?: string,
): RecipePaths {
  const at = (p: string) => resolveRecipePath(p, baseDir, homeDir);
  const datasets: Record<string, DatasetPaths> = {};
  for (const [name, dataset] of Object.entries(recipe.data ?? {})) {
    datasets[name] = { path: at(dataset.path), ...(dataset.tokenizer ? { tokenizer: at(dataset.tokenizer) } : {}) };
  }
  const identityFiles: Record<string, string> = {};
  const perfTestBinaries: Record<string, string> = {};
  for (const [name, device] of Object.entries(recipe.devices ?? {})) {
    if (device.ssh?.identity_file) identityFiles[name] = at(device.ssh.identity_file);
    if (device.perf_test_path) perfTestBinaries[name] = at(device.perf_test_path);
  }
  return { baseDir: resolve(baseDir), model: at(recipe.model.path), datasets, identityFiles, perfTestBinaries };
}

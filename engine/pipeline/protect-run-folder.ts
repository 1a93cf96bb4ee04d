// A run writes its files into the run folder (`--out` may be any folder, the model's own included): none of them may
// be a file the run reads. Checked once, before the run writes anything: every name the run may write in the folder
// against the source model, its external data files, the recipe and the recipe's datasets (real paths and
// device/inode, see fs/protect-sources.ts). quantizeModel and compileModel check their own outputs too, but the
// compile step reads the quantized model, so only the run knows the original model's files.
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { isRunFile, RUN_FOLDER_FILES } from "../report/run-dir";
import { refuseWritingOverSources, type SourceFile } from "../fs/protect-sources";
import { readModelSourceFiles } from "../onnx/source-files";
import type { EdgeRecipe, RecipePaths } from "../recipe";

/** The names a run of `recipe` may write in its run folder (temporary files have random names and are left out). */
export function runFolderNames(recipe: Pick<EdgeRecipe, "quantize" | "compile">): string[] {
  const names = [...RUN_FOLDER_FILES];
  const models = [
    ...(recipe.quantize ? [`model.${recipe.quantize.method}.onnx`] : []),
    ...(recipe.compile ? ["model.compiled.onnx"] : []),
  ];
  for (const model of models) names.push(model, `${model}.data`);
  return names;
}

/**
 * Throws `io/write` when a file the run would write in `runDir`, or remove there as an earlier run's, is one of the
 * files it reads. A folder that has
 * none of those names yet (a new run folder) cannot hold one, so the model is read only when one is there.
 */
export async function refuseRunFolderOverSources(
  runDir: string,
  run: { recipe: EdgeRecipe; paths: RecipePaths; recipeFile: string },
): Promise<void> {
  const names = runFolderNames(run.recipe);
  // Compared without case, for case-insensitive file systems; the identity check below decides.
  const present = new Set((await fs.readdir(runDir).catch(() => [] as string[])).map((n) => n.toLowerCase()));
  // A reused folder's earlier run files are removed before the run (report/run-dir.ts): those count as written too.
  const written = new Set(names.map((n) => n.toLowerCase()));
  const outputs = [...present].filter((name) => written.has(name) || isRunFile(name)).map((name) => join(runDir, name));
  if (outputs.length === 0) return;
  const sources: SourceFile[] = [
    ...(await readModelSourceFiles(run.paths.model)),
    { path: run.recipeFile, role: "the recipe" },
  ];
  for (const [name, dataset] of Object.entries(run.paths.datasets)) {
    sources.push({ path: dataset.path, role: `the recipe's dataset "${name}"` });
    if (dataset.tokenizer) sources.push({ path: dataset.tokenizer, role: `the tokenizer of dataset "${name}"` });
  }
  await refuseWritingOverSources(sources, outputs);
}

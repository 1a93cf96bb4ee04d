// Step 2 of reading a recipe: the checks of meaning, on a recipe that matched the schema. References between
// sections, option combinations, budgets, files, and the model's signature. I/O is injected (`RecipeCheckHost`)
// so the language server can run the same checks with its own file cache.
import { promises as fs } from "node:fs";
import { homedir } from "node:os";
import { type ModelSignature, readModelSignature } from "../onnx/signature";
import { checkBudgets } from "./check-budgets";
import { checkDatasetFiles, checkIdentityFiles, checkModelFile, type PathKind, type RecipeFileHost } from "./check-files";
import { checkInputSpecs } from "./check-inputs";
import { checkAgainstModel } from "./check-model";
import { checkOptions } from "./check-options";
import { checkReferences } from "./check-references";
import type { ParsedRecipe } from "./parse-recipe";
import { type Problem, sortProblems } from "./problem";
import { ProblemSink } from "./problem-sink";
import { type RecipePaths, resolveRecipePaths } from "./resolve-paths";

export interface RecipeCheckHost extends RecipeFileHost {
  /** Folder the recipe's relative paths start from: the recipe file's folder. */
  baseDir: string;
  /** What `~/` means in paths; leave undefined to keep `~` literal. */
  homeDir?: string;
}

export interface RecipeCheck {
  /** Every problem: the parse's (YAML, schema) and the meaning checks', sorted by position. */
  problems: Problem[];
  /** The recipe's paths made absolute (when the recipe matched the schema). */
  paths?: RecipePaths;
  /** The model's signature (when the model could be read). */
  signature?: ModelSignature;
}

/** The host that reads the real file system. */
export function nodeCheckHost(baseDir: string): RecipeCheckHost {
  return {
    baseDir,
    homeDir: homedir(),
    readModelSignature,
    pathKind: async (path: string): Promise<PathKind | undefined> => {
      try {
        const stat = await fs.stat(path);
        return stat.isDirectory() ? "directory" : "file";
      } catch {
        return undefined;
      }
    },
  };
}

export async function checkRecipe(parsed: ParsedRecipe, host: RecipeCheckHost): Promise<RecipeCheck> {
  const recipe = parsed.recipe;
  if (!recipe) return { problems: sortProblems(parsed.problems) };
  const sink = new ProblemSink(parsed.source, parsed.file);
  const paths = resolveRecipePaths(recipe, host.baseDir, host.homeDir);

  checkReferences(recipe, sink);
  checkOptions(recipe, sink);
  checkBudgets(recipe, sink);
  const [signature] = await Promise.all([
    checkModelFile(recipe, paths, host, sink),
    checkDatasetFiles(recipe, paths, host, sink),
    checkIdentityFiles(recipe, paths, host, sink),
  ]);
  checkInputSpecs(recipe, sink, Object.fromEntries((signature?.inputs ?? []).map((i) => [i.name, i.dtype])));
  if (signature) checkAgainstModel(recipe, signature, sink);

  return { problems: sortProblems([...parsed.problems, ...sink.problems]), paths, signature };
}

// Reads a recipe file and runs every check: what `edge validate` and `edge run` call. `requireValidRecipe`
// turns problems into one EdgeError "recipe/invalid" for callers that cannot go on without a valid recipe.
import { dirname, resolve } from "node:path";
import { EdgeError, isEdgeError } from "../errors";
import { readRegularTextFile } from "../fs/regular-file";
import type { ModelSignature } from "../onnx/signature";
import { type RecipeCheckHost, checkRecipe, nodeCheckHost } from "./check-recipe";
import { parseRecipe } from "./parse-recipe";
import { type Problem, formatProblem, hasErrors, summarizeProblems } from "./problem";
import type { EdgeRecipe } from "./recipe-types.generated";
import type { RecipePaths } from "./resolve-paths";

/**
 * The largest recipe file read (64 MB). Recipes are hand-written YAML of a few kB, but generated ones (a device list
 * of a whole lab) can be MBs, and parsing is linear; the limit only keeps `/dev/zero`-like files from eating memory.
 * The editor has its own, lower limit for checking as you type (language-server/README.md).
 */
export const MAX_RECIPE_BYTES = 64e6;

export interface LoadedRecipe {
  /** The file as the caller named it (problems carry this name). */
  file: string;
  /** The file's absolute path. */
  absolutePath: string;
  /** The recipe when it matched the schema; check `problems` for errors of meaning. */
  recipe?: EdgeRecipe;
  /** The recipe's paths made absolute, relative to the recipe's folder. */
  paths?: RecipePaths;
  signature?: ModelSignature;
  /** All problems, sorted by position. */
  problems: Problem[];
}

export interface LoadRecipeOptions {
  /** Folder a relative `file` is relative to (default: the process's). */
  cwd?: string;
  /** Replace parts of the file-system host (tests, the language server's cache). */
  host?: Partial<RecipeCheckHost>;
}

export async function loadRecipe(file: string, options: LoadRecipeOptions = {}): Promise<LoadedRecipe> {
  const absolutePath = resolve(options.cwd ?? process.cwd(), file);
  let text: string;
  try {
    // Only a regular file of a recipe's size is read: a FIFO would block, /dev/zero would never end.
    text = await readRegularTextFile(absolutePath, {
      code: "recipe/invalid",
      name: `recipe ${file}`,
      hint: "a recipe is a YAML file (*.edge.yaml), not a pipe or a device",
      maxBytes: MAX_RECIPE_BYTES,
    });
  } catch (e) {
    if (isEdgeError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "does not exist"
        : code === "EISDIR"
          ? "is a folder"
          : `cannot be read (${code ?? (e as Error).message})`;
    throw new EdgeError(
      "recipe/not-found",
      `recipe ${file} ${reason}`,
      { file },
      "recipes are YAML files, usually named *.edge.yaml",
    );
  }
  const parsed = parseRecipe(text, file);
  const host: RecipeCheckHost = { ...nodeCheckHost(dirname(absolutePath)), ...options.host };
  const { problems, paths, signature } = await checkRecipe(parsed, host);
  return { file, absolutePath, recipe: parsed.recipe, paths, signature, problems };
}

/** The recipe, when it has no errors (warnings are fine); otherwise throws "recipe/invalid" listing the errors. */
export function requireValidRecipe(loaded: LoadedRecipe): {
  recipe: EdgeRecipe;
  paths: RecipePaths;
  signature?: ModelSignature;
  problems: Problem[];
} {
  if (loaded.recipe && loaded.paths && !hasErrors(loaded.problems)) {
    return { recipe: loaded.recipe, paths: loaded.paths, signature: loaded.signature, problems: loaded.problems };
  }
  const errors = loaded.problems.filter((p) => p.severity === "error");
  const first = errors[0];
  const listed = errors.slice(0, 20).map((p) => `  ${formatProblem(p)}`);
  if (errors.length > listed.length) listed.push(`  … and ${errors.length - listed.length} more`);
  throw new EdgeError(
    "recipe/invalid",
    `not a valid recipe (${summarizeProblems(errors)}):\n${listed.join("\n")}`,
    first
      ? { file: loaded.file, line: first.range.start.line, column: first.range.start.column }
      : { file: loaded.file },
    `run \`edge validate ${loaded.file}\` for every problem`,
  );
}

/** `loadRecipe` then `requireValidRecipe`: for `edge run`. */
export async function loadValidRecipe(
  file: string,
  options: LoadRecipeOptions = {},
): Promise<ReturnType<typeof requireValidRecipe>> {
  return requireValidRecipe(await loadRecipe(file, options));
}

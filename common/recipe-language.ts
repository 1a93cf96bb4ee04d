// The recipe language as editors know it: its language id (package.json's `contributes.languages`) and the file
// names of recipes.

/** VS Code's language id of recipes. */
export const LANGUAGE_ID = "edge-recipe";

/** What a recipe's file name ends with. */
export const RECIPE_FILE_EXTENSIONS = [".edge.yaml", ".edge.yml"] as const;

/** A glob of every recipe in a folder tree. */
export const RECIPE_FILE_GLOB = "**/*.edge.{yaml,yml}";

/** Whether a file name or path names a recipe. */
export function isRecipeFile(name: string): boolean {
  return RECIPE_FILE_EXTENSIONS.some((ext) => name.endsWith(ext));
}

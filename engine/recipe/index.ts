// The recipe module's public surface: parse (pure), check (injectable I/O), load (files), and the types.
// The engine's commands and the language server import from here, not from the files behind it.
export { parseRecipe, type ParsedRecipe, type ParseRecipeOptions } from "./parse-recipe";
export { YamlBlockCache } from "./yaml-blocks";
export { parseYaml } from "./yaml-parse";
export { checkRecipe, nodeCheckHost, type RecipeCheck, type RecipeCheckHost } from "./check-recipe";
export type { PathKind, RecipeFileHost } from "./check-files";
export {
  loadRecipe,
  loadValidRecipe,
  requireValidRecipe,
  type LoadedRecipe,
  type LoadRecipeOptions,
} from "./load-recipe";
export { resolveRecipePath, resolveRecipePaths, type DatasetPaths, type RecipePaths } from "./resolve-paths";
export { defaultDeviceName, implicitLocalDevice } from "./check-references";
export { generationBudgets, promptLengths } from "./check-generate";
export {
  countBySeverity,
  formatProblem,
  hasErrors,
  sortProblems,
  summarizeProblems,
  type Position,
  type Problem,
  type ProblemCode,
  type Range,
  type Severity,
} from "./problem";
export { RecipeSource, type DataPath, type PathSegment } from "./recipe-source";
export { type PartialRecipe, type RecipeParts, wellFormedParts, wholeRecipe } from "./well-formed";
export { closestName, didYouMean, editDistance, listNames } from "./suggest";
export { describePath, pointerToPath } from "./schema-problems";
export { recipeSchema, resolveRef, schemaAt, type SchemaNode } from "./recipe-schema";
export type * from "./recipe-types.generated";
export type { EdgeRecipe as Recipe } from "./recipe-types.generated";

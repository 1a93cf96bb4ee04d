// The pipeline's public surface: run a recipe as a library call (what `edge run` does), and the pieces it is made
// of for callers that run one step. The CLI, and later the extension, import from here.
export { runRecipe, type RunRecipeOptions, type RunRecipeResult } from "./run-recipe";
export { exitCodeForReport } from "./run-steps";
export type { RecipeRunContext } from "./context";
export { chooseDevice, planFromRecipe, type DeviceChoice } from "./plan-from-recipe";
export { optimizeForRecipe, quantizeOptionsFromRecipe, type OptimizeOutcome } from "./optimize";
export type { CompileOutcome } from "../compile/compile-outcome";
export { evaluateForRecipe, type EvaluateOutcome } from "./evaluate-step";

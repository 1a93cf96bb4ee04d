// Which models a run started from and produced, read from its report.json: what the graph viewer offers a run's
// overlays for, the run report's "Open graph" links, and `edge graph --run`. The report writes paths absolute or
// relative to the run folder; the caller's `resolvePath` makes them comparable (the same file may be named both ways).
import type { RunReport } from "./report";

/**
 * The model path recipe.resolved.json records (`{ source, device, recipe, paths }`: `paths.model` is the resolved
 * absolute path, `recipe.model.path` the recipe's own text), or undefined when the content has neither.
 */
export function resolvedRecipeModel(content: unknown): string | undefined {
  const file = content as { paths?: { model?: unknown }; recipe?: { model?: { path?: unknown } } } | null;
  if (typeof file?.paths?.model === "string") return file.paths.model;
  if (typeof file?.recipe?.model?.path === "string") return file.recipe.model.path;
  return undefined;
}

export interface RunModelPaths {
  /** The model the recipe names: what quantize or compile started from, or what ran when nothing was produced. */
  original?: string;
  /** Models the run wrote (quantize's output, compile's output), in the order they were made, without repeats. */
  produced: string[];
}

/**
 * A run's models, each passed through `resolvePath`. `recipeModel` is the recipe's model path (recipe.resolved.json),
 * used when the report does not name the original (a run that only compiled and was not evaluated).
 */
export function runModelPaths(
  report: RunReport,
  resolvePath: (path: string) => string,
  recipeModel?: string,
): RunModelPaths {
  const produced: string[] = [];
  const add = (path: string | undefined) => {
    if (!path) return;
    const resolved = resolvePath(path);
    if (!produced.includes(resolved)) produced.push(resolved);
  };
  const quantize = report.optimization?.quantize;
  add(quantize?.output);
  add(report.optimization?.compile?.path);
  for (const artifact of report.artifacts ?? []) if (artifact.kind === "model") add(artifact.path);
  const original =
    quantize?.source ??
    report.evaluation?.comparison?.original.path ??
    (produced.length === 0 ? report.model?.path : undefined) ??
    recipeModel;
  return { ...(original !== undefined ? { original: resolvePath(original) } : {}), produced };
}

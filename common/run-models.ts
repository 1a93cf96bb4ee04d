// Which models a run started from and produced, read from its report.json: what the graph viewer offers a run's
// overlays for, the run report's "Open graph" links, and `edge graph --run`. Paths are as the report writes them
// (absolute, or relative to the run folder); the caller resolves them.
import type { RunReport } from "./report";

export interface RunModelPaths {
  /** The model the recipe names: what quantize or compile started from, or what ran when nothing was produced. */
  original?: string;
  /** Models the run wrote (quantize's output, compile's output), in the order they were made, without repeats. */
  produced: string[];
}

/**
 * A run's models. `recipeModel` is the recipe's model path (recipe.resolved.json), used when the report does not name
 * the original (a run that only compiled and was not evaluated).
 */
export function runModelPaths(report: RunReport, recipeModel?: string): RunModelPaths {
  const produced: string[] = [];
  const add = (path: string | undefined) => {
    if (path && !produced.includes(path)) produced.push(path);
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
  return { ...(original !== undefined ? { original } : {}), produced };
}

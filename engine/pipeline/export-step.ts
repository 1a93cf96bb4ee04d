// Before a run: a recipe with `model.export` gets its model made (or finds it made with the same settings) by the
// user's exporter (engine/export/), and is then loaded again so its model checks see the exported model. Runs before
// the run folder exists: an exporter that is missing or fails is an error of the run's setup (`model/export`), like a
// missing model; its output lines are `log` events.
import { dirname, resolve } from "node:path";
import type { EventSink } from "../events";
import { ensureExported } from "../export";
import { type LoadedRecipe, loadRecipe } from "../recipe";

/** `loaded`, or when its model was exported just now, the recipe loaded again. */
export async function exportedRecipe(
  loaded: LoadedRecipe,
  cwd: string,
  sink: EventSink,
  signal?: AbortSignal,
): Promise<LoadedRecipe> {
  const spec = loaded.recipe?.model.export;
  if (!spec || !loaded.paths || loaded.problems.some((p) => p.severity === "error")) return loaded;
  const outcome = await ensureExported({
    spec,
    modelPath: loaded.paths.model,
    recipeDir: dirname(loaded.absolutePath),
    recipeFile: loaded.file,
    sink,
    signal,
  });
  if (!outcome.exported) return loaded;
  // Loaded again under the name the caller used (problems carry it) when it still names the same file from `cwd`.
  return loadRecipe(resolve(cwd, loaded.file) === loaded.absolutePath ? loaded.file : loaded.absolutePath, { cwd });
}

// `edge export RECIPE [--force]`: runs the recipe's `model.export` alone (what `edge run` does first): the exporter's
// output on stderr, then where the model is. Exits 0 when the model is in place (exported now or already), else with
// the error's code (`model/export`: exit 4; stopped: 130; a recipe without model.export is a usage error).
import { dirname } from "node:path";
import { EdgeError, exitCodes } from "../errors";
import { ensureExported } from "../export";
import { formatProblem, loadRecipe, requireValidRecipe } from "../recipe";
import { parseArgs } from "./args";
import type { CliIO } from "./io";

export const EXPORT_USAGE = "edge export RECIPE [--force]";

export async function exportCommand(argv: string[], io: CliIO, signal?: AbortSignal): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { force: "boolean" }, "export");
  if (positionals.length !== 1) throw new EdgeError("cli/usage", "edge export: give one recipe file", {}, EXPORT_USAGE);
  const loaded = await loadRecipe(positionals[0], { cwd: io.cwd });
  const { recipe, paths, problems } = requireValidRecipe(loaded);
  for (const p of problems) if (p.severity === "warning") io.stderr(`${formatProblem(p)}\n`);
  if (!recipe.model.export)
    throw new EdgeError(
      "cli/usage",
      `${loaded.file} has no model.export`,
      { file: loaded.file },
      "add model.export (optimum or command) to the recipe's model",
    );
  const outcome = await ensureExported({
    spec: recipe.model.export,
    modelPath: paths.model,
    recipeDir: dirname(loaded.absolutePath),
    recipeFile: loaded.file,
    force: Boolean(flags.force),
    signal,
    sink: {
      emit: (event) => {
        if (event.type === "log") io.stderr(`${event.message}\n`);
      },
    },
  });
  io.stderr(
    outcome.exported
      ? `exported ${paths.model}\n`
      : `${paths.model} is up to date (exported with the same settings; --force exports again)\n`,
  );
  return exitCodes.ok;
}

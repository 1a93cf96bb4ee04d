// `edge validate RECIPE... [--json]`: every problem of every recipe, one line each as
// `file:line:col: error|warning|info: message` (or a JSON array with --json) on stdout, a summary on stderr.
// Exits 1 when any recipe has an error; warnings alone exit 0. A recipe file that is missing is a
// "recipe/not-found" error (exit 3). Messages quote names from the recipe and the model: each line is shown through
// `visible` (common/terminal-text.ts), so a control character in them is printed as an escape.
import { visible, visibleOutput } from "../../common/terminal-text";
import { EdgeError, exitCodes } from "../errors";
import { formatProblem, hasErrors, loadRecipe, type Problem, sortProblems, summarizeProblems } from "../recipe";
import { parseArgs } from "./args";
import type { CliIO } from "./io";

export async function validateCommand(argv: string[], io: CliIO): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { json: "boolean" }, "validate");
  if (positionals.length === 0) {
    throw new EdgeError(
      "cli/usage",
      "edge validate: give at least one recipe file",
      {},
      "edge validate RECIPE... [--json]",
    );
  }
  const problems: Problem[] = [];
  for (const file of new Set(positionals)) {
    const loaded = await loadRecipe(file, { cwd: io.cwd });
    problems.push(...loaded.problems);
  }
  // Keep the files in the order given, each sorted by position.
  const ordered = [...new Set(positionals)].flatMap((file) => sortProblems(problems.filter((p) => p.file === file)));
  if (flags.json) io.stdout(visibleOutput(`${JSON.stringify(ordered, null, 2)}\n`));
  else for (const p of ordered) io.stdout(`${visible(formatProblem(p))}\n`);

  const files = positionals.length === 1 ? positionals[0] : `${positionals.length} recipes`;
  io.stderr(`${visible(files)}: ${summarizeProblems(ordered)}\n`);
  return hasErrors(ordered) ? exitCodes.failed : exitCodes.ok;
}

// `edge inspect MODEL [--json] [--strict] [--input-shape NAME=D1,D2,...]...`: what a model is, what it holds, the
// memory it needs and what is wrong with it. A table on stdout, or the JSON report with --json; a line on stderr when
// the model has problems, and with --strict exit 4 (model invalid). Errors are thrown as EdgeError for the dispatcher.
import { resolve } from "node:path";
import { visibleOutput } from "../../common/terminal-text";
import { EdgeError, exitCodes, isEdgeError } from "../errors";
import { formatReport } from "../inspect/format-report";
import { inspectModel } from "../inspect/inspect-model";
import { parseArgs } from "./args";
import type { CliIO } from "./io";

export const INSPECT_USAGE = "edge inspect MODEL [--json] [--strict] [--input-shape NAME=D1,D2,...]...";

/** Parses `NAME=D1,D2,...` (an empty list for a scalar: `NAME=`) into a map; a repeated name is an error. */
export function parseInputShapes(specs: string[]): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const spec of specs) {
    const eq = spec.lastIndexOf("=");
    const name = spec.slice(0, eq);
    const text = spec.slice(eq + 1).trim();
    const dims = text === "" ? [] : text.split(/[,x×]/).map((d) => d.trim());
    if (eq <= 0 || dims.some((d) => !/^\d+$/.test(d))) {
      throw new EdgeError(
        "cli/usage",
        `edge inspect: --input-shape "${spec}" is not NAME=D1,D2,...`,
        {},
        "for example --input-shape input=1,3,224,224 or --input-shape batch=4",
      );
    }
    if (name in shapes) throw new EdgeError("cli/usage", `edge inspect: --input-shape gives "${name}" twice`);
    shapes[name] = dims.map(Number);
  }
  return shapes;
}

export async function inspectCommand(argv: string[], io: CliIO): Promise<number> {
  const { positionals, flags } = parseArgs(
    argv,
    { json: "boolean", strict: "boolean", "input-shape": "string[]" },
    "inspect",
  );
  if (positionals.length !== 1) {
    throw new EdgeError(
      "cli/usage",
      `edge inspect: expected one MODEL, got ${positionals.length}`,
      {},
      `usage: ${INSPECT_USAGE}`,
    );
  }
  const inputShapes = parseInputShapes((flags["input-shape"] as string[] | undefined) ?? []);
  const report = await inspectModel(resolve(io.cwd, positionals[0]), { inputShapes }).catch((e: unknown) => {
    // The only run/input errors of inspection are --input-shape values that do not fit the model: wrong usage.
    if (isEdgeError(e) && e.code === "run/input")
      throw new EdgeError("cli/usage", `edge inspect: --input-shape: ${e.message}`, { hint: e.hint, cause: e });
    throw e;
  });
  io.stdout(visibleOutput(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report)));
  const n = report.problems.length;
  if (n === 0) return exitCodes.ok;
  io.stderr(
    `edge inspect: the model has ${n === 1 ? "a problem" : `${n} problems`} (see "problems")${flags.strict ? "" : "; --strict makes that exit 4"}\n`,
  );
  return flags.strict ? exitCodes.model : exitCodes.ok;
}

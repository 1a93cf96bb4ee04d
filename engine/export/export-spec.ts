// What an export runs: `model.export` (optimum or a command) turned into a program and an argument list, with `{out}`
// and `{model}` replaced in the arguments and nothing ever passed through a shell; and the stamp key that says
// whether an existing export was made with the same settings.
import { basename, isAbsolute, resolve } from "node:path";
import type { ModelExport } from "../recipe/recipe-types.generated";

export interface ExportInvocation {
  /** The program as written (`optimum-cli`, `python3`, `./export.sh`) and where it was looked for. */
  program: string;
  args: string[];
  /** How people should read it (for logs and errors): the program and its arguments, quoted where needed. */
  display: string;
  /** What to install when the program is missing. */
  installHint: string;
}

/** The program and arguments of `spec`, writing into `outDir` the model file `modelName`. */
export function exportInvocation(
  spec: ModelExport,
  o: { outDir: string; modelName: string; recipeDir: string; env?: NodeJS.ProcessEnv },
): ExportInvocation {
  const env = o.env ?? process.env;
  if (spec.optimum) {
    const { model, task, args = [] } = spec.optimum;
    // A local folder is passed as an absolute path (optimum runs in the recipe's folder either way); anything else is
    // a Hugging Face model id and passed as written.
    const local = model.startsWith(".") || isAbsolute(model) ? resolve(o.recipeDir, model) : model;
    const program = env.EDGE_OPTIMUM_CLI || "optimum-cli";
    const argv = ["export", "onnx", "--model", local, ...(task ? ["--task", task] : []), ...args, o.outDir];
    return {
      program,
      args: argv,
      display: displayCommand(program, argv),
      installHint:
        "install Hugging Face Optimum's exporters (`pip install optimum[exporters]`) so that `optimum-cli` is on PATH, or set EDGE_OPTIMUM_CLI to its path",
    };
  }
  if (spec.command && spec.command.length > 0) {
    const model = resolve(o.outDir, o.modelName);
    const [program, ...rest] = spec.command.map((a) => a.replaceAll("{out}", o.outDir).replaceAll("{model}", model));
    return {
      program,
      args: rest,
      display: displayCommand(program, rest),
      installHint: `install \`${basename(program)}\` or name it by its path in model.export.command`,
    };
  }
  throw new Error("model.export needs optimum or command");
}

/** The settings an export depends on, as a stable string (the stamp's key). */
export function exportKey(spec: ModelExport, modelName: string): string {
  return JSON.stringify({ optimum: spec.optimum ?? null, command: spec.command ?? null, modelName });
}

function displayCommand(program: string, args: string[]): string {
  return [program, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(" ");
}

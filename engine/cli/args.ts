// A small, strict flag parser: `--name value`, `--name=value`, boolean `--flag`, positionals. Unknown flags are errors.
import { EdgeError } from "../errors";

export interface FlagSpec {
  [name: string]: "string" | "boolean" | "string[]";
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
}

export function parseArgs(argv: string[], spec: FlagSpec, command: string): ParsedArgs {
  const positionals: string[] = [];
  const flags: ParsedArgs["flags"] = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = spec[name];
    if (!kind)
      throw new EdgeError("cli/usage", `edge ${command}: unknown option --${name}`, {}, `run \`edge help ${command}\``);
    if (kind === "boolean") {
      if (eq !== -1) throw new EdgeError("cli/usage", `edge ${command}: --${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new EdgeError("cli/usage", `edge ${command}: --${name} needs a value`);
      value = argv[++i];
    }
    if (kind === "string[]") flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else flags[name] = value;
  }
  return { positionals, flags };
}

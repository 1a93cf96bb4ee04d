// The `edge` command line: parses the command name and hands the rest to that command's module.
// Exit codes are documented in README.md and defined in engine/errors.ts. Everything a command writes goes through
// `visibleOutput` (common/terminal-text.ts): names and paths from models and recipes reach the terminal with their
// control characters shown as escapes, never acted on (the CLI writes no escape sequences of its own; JSON stays JSON).
import { visibleOutput } from "../../common/terminal-text";
import { exitCodeFor, exitCodes, isEdgeError } from "../errors";
import { sweepSystemTemp } from "../fs/stale-temps";
import { type CliIO, processIO } from "./io";
import { INSPECT_USAGE, inspectCommand } from "./inspect-command";
import { validateCommand } from "./validate-command";
import { runCommand } from "./run-command";
import { QUANTIZE_USAGE, quantizeCommand } from "./quantize-command";
import { COMPILE_USAGE, compileCommand } from "./compile-command";
import { EVALUATE_USAGE, evaluateCommand } from "./evaluate-command";
import { LSP_USAGE, lspCommand } from "./lsp-command";
import { DEVICES_USAGE, devicesCommand } from "./devices-command";
import { GRAPH_USAGE, graphCommand } from "./graph-command";
import { PROFILE_USAGE, profileCommand } from "./profile-command";
import { EXPORT_USAGE, exportCommand } from "./export-command";
import { ENGINE_VERSION } from "../version";

/** A command; `signal` is a stop that came before it started (Ctrl-C while the engine loaded), which `run` honours. */
type Command = (argv: string[], io: CliIO, signal?: AbortSignal) => Promise<number>;

const commands: Record<string, { run: Command; usage: string }> = {
  inspect: { run: inspectCommand, usage: INSPECT_USAGE },
  validate: { run: validateCommand, usage: "edge validate RECIPE... [--json]" },
  run: { run: runCommand, usage: "edge run RECIPE [--device NAME] [--out DIR] [--events jsonl]" },
  quantize: { run: quantizeCommand, usage: QUANTIZE_USAGE },
  compile: { run: compileCommand, usage: COMPILE_USAGE },
  evaluate: { run: evaluateCommand, usage: EVALUATE_USAGE },
  devices: { run: devicesCommand, usage: DEVICES_USAGE },
  graph: { run: graphCommand, usage: GRAPH_USAGE },
  profile: { run: profileCommand, usage: PROFILE_USAGE },
  export: { run: exportCommand, usage: EXPORT_USAGE },
  lsp: { run: lspCommand, usage: LSP_USAGE },
};

function usage(): string {
  return [
    `edge ${ENGINE_VERSION}: take an ONNX model to an edge device`,
    "",
    "usage:",
    ...Object.values(commands).map((c) => `  ${c.usage}`),
    "  edge help [COMMAND]",
    "  edge --version",
    "",
  ].join("\n");
}

/** The same streams, with what a terminal would act on shown as escapes. */
export function visibleIO(io: CliIO): CliIO {
  return {
    stdout: (text) => io.stdout(visibleOutput(text)),
    stderr: (text) => io.stderr(visibleOutput(text)),
    cwd: io.cwd,
  };
}

export async function main(argv: string[], rawIO: CliIO = processIO, signal?: AbortSignal): Promise<number> {
  const io = visibleIO(rawIO);
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    const topic = name === "help" ? rest[0] : undefined;
    if (topic && commands[topic]) io.stdout(`usage: ${commands[topic].usage}\n`);
    else io.stdout(usage());
    return exitCodes.ok;
  }
  if (name === "--version" || name === "version") {
    io.stdout(`${ENGINE_VERSION}\n`);
    return exitCodes.ok;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`edge: unknown command "${name}"\n\n${usage()}`);
    return exitCodes.usage;
  }
  // Stopped while the engine loaded: `edge run` still writes its (empty) aborted report; the others just stop.
  if (signal?.aborted && name !== "run") return exitCodes.aborted;
  // What killed edge processes left in the system's temporary folder; the folders a command writes are swept as
  // it first writes there (fs/stale-temps.ts).
  if (["run", "quantize", "compile", "evaluate"].includes(name)) sweepSystemTemp();
  try {
    return await command.run(rest, io, signal);
  } catch (e) {
    if (isEdgeError(e)) {
      io.stderr(`edge ${name}: ${e.format()}\n`);
    } else {
      io.stderr(`edge ${name}: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    }
    return exitCodeFor(e);
  }
}

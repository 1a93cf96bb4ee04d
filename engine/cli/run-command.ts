// `edge run RECIPE [--device NAME] [--out DIR] [--events jsonl]`: the run itself is the pipeline's `runRecipe`; this
// command parses the arguments, turns Ctrl-C (SIGINT) and SIGTERM into an abort (the run stops after the current
// iteration and still writes the partial report), and prints: JSON-lines events on stdout with `--events jsonl`,
// human text on stderr.
import { EdgeError, exitCodeFor, isEdgeError } from "../errors";
import { createEventSink, type EngineEvent } from "../events";
import { runRecipe } from "../pipeline";
import { parseArgs } from "./args";
import { humanEventWriter } from "./human-events";
import type { CliIO } from "./io";

export async function runCommand(argv: string[], io: CliIO, signal?: AbortSignal): Promise<number> {
  const { positionals, flags } = parseArgs(
    argv,
    { device: "string", out: "string", events: "string", runs: "string" },
    "run",
  );
  if (positionals.length !== 1)
    throw new EdgeError(
      "cli/usage",
      "edge run takes exactly one recipe",
      {},
      "usage: edge run RECIPE [--device NAME] [--out DIR] [--events jsonl]",
    );
  const events = flags.events as string | undefined;
  if (events !== undefined && events !== "jsonl")
    throw new EdgeError("cli/usage", `edge run: --events takes "jsonl", not "${events}"`);

  const human = humanEventWriter(io.stderr);
  // Human text always goes to stderr; with --events jsonl the events themselves go to stdout as well.
  const write = (event: EngineEvent) => {
    if (events === "jsonl") io.stdout(`${JSON.stringify(event)}\n`);
    human(event);
  };
  const startMs = performance.now();
  const sink = createEventSink(write, startMs);
  const file = positionals[0];

  const interrupted = new AbortController();
  const stop = () => interrupted.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const result = await runRecipe(file, {
      cwd: io.cwd,
      device: flags.device as string | undefined,
      outDir: flags.out as string | undefined,
      runsDir: flags.runs as string | undefined,
      signal: signal ? AbortSignal.any([signal, interrupted.signal]) : interrupted.signal,
      sink,
    });
    return result.exitCode;
  } catch (e) {
    // Errors before the run starts: the dispatcher prints them for humans; machines get them as events too, so the
    // extension can place them on the recipe's line.
    if (events === "jsonl") {
      const machine = createEventSink((event) => io.stdout(`${JSON.stringify(event)}\n`), startMs);
      if (isEdgeError(e))
        machine.emit({ type: "error", code: e.code, message: e.message, where: e.where, hint: e.hint });
      machine.emit({ type: "run/end", ok: false, exitCode: exitCodeFor(e) });
    }
    throw e;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

// `edge run RECIPE [--device NAME] [--out DIR] [--events jsonl]`: the run itself is the pipeline's `runRecipe`; this
// command parses the arguments, turns Ctrl-C (SIGINT) and SIGTERM into stops, and prints: JSON-lines events on
// stdout with `--events jsonl`, human text on stderr.
//
// Stops: the first signal stops the run after the current unit of work (an iteration, a sample; a compile as soon
// as it returns) and the partial report is written as usual (exit 130). A second signal stops at once: the partial
// report of what is known is written synchronously, temporary files are removed, and the process exits 130.
import { EdgeError, exitCodeFor, exitCodes, isEdgeError } from "../errors";
import { createEventSink, type EngineEvent } from "../events";
import { removeTempPathsSync } from "../fs/temp-paths";
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
  let ended = false;
  // Human text always goes to stderr; with --events jsonl the events themselves go to stdout as well.
  const write = (event: EngineEvent) => {
    if (event.type === "run/end") ended = true;
    if (events === "jsonl") io.stdout(`${JSON.stringify(event)}\n`);
    human(event);
  };
  const startMs = performance.now();
  const sink = createEventSink(write, startMs);
  const file = positionals[0];

  const interrupted = new AbortController();
  const stopNow = new AbortController();
  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    if (signals === 1) {
      sink.emit({
        type: "log",
        level: "warning",
        message: `${name}: stopping after the current unit of work (an iteration, a sample, a step that cannot stop sooner); Ctrl-C again to stop at once`,
      });
      interrupted.abort();
      return;
    }
    if (ended) return; // the report is written: the run ends on its own
    // Writes the partial report and run/end synchronously (once the run folder exists), then leaves.
    stopNow.abort();
    if (!ended) {
      sink.emit({ type: "log", level: "warning", message: "stopped at once, before the run started" });
      sink.emit({ type: "run/end", ok: false, exitCode: exitCodes.aborted });
    }
    removeTempPathsSync();
    process.exit(exitCodes.aborted);
  };
  // A stop before the command started (Ctrl-C while bin/edge.js loaded the engine) counts as the first signal.
  if (signal?.aborted) onSignal("stop");
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const result = await runRecipe(file, {
      cwd: io.cwd,
      device: flags.device as string | undefined,
      outDir: flags.out as string | undefined,
      runsDir: flags.runs as string | undefined,
      signal: signal ? AbortSignal.any([signal, interrupted.signal]) : interrupted.signal,
      stopNow: stopNow.signal,
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
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

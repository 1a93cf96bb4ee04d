// `edge profile TRACE [--json] [--compare OTHER] [--top N] [--warmup N]`: what the profile viewer's tables show, for CI
// and terminals: per op type, the top N nodes and per iteration (model_run) latencies with outliers, and with
// --compare the change per op type and node against another trace. The trace is streamed from the file through the
// trace parser into the index (common/trace/), never held as one string, so traces past V8's string limit work. A
// trace it can only partly read (cut off, a syntax error part-way) still prints what it read, with a note saying where
// it stopped; a file that is not JSON, or JSON that is not a trace, is a `data/invalid` error saying so.
import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { INDEX_ARGS, TraceIndexBuilder } from "../../common/trace/trace-index";
import type { TraceModel } from "../../common/trace/trace-model";
import { TraceParser } from "../../common/trace/trace-parser";
import { isTraceSyntaxError } from "../../common/trace/trace-syntax-error";
import { compareTraces, iterationTable, kernelTables } from "../../common/trace/trace-tables";
import { EdgeError, exitCodes } from "../errors";
import { parseArgs } from "./args";
import type { CliIO } from "./io";
import { formatProfile, profileJson, readNote } from "./profile-format";

export const PROFILE_USAGE = "edge profile TRACE [--json] [--compare OTHER] [--top N] [--warmup N]";

function usage(message: string): EdgeError {
  return new EdgeError("cli/usage", `edge profile: ${message}`, {}, `usage: ${PROFILE_USAGE}`);
}

/** A count flag's value (a whole number ≥ `min`), or `fallback` when absent. */
function count(flags: Record<string, unknown>, name: string, fallback: number, min: number): number {
  const text = flags[name] as string | undefined;
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min)
    throw usage(`--${name} must be a whole number ≥ ${min}, not "${text}"`);
  return Number(text);
}

/**
 * Streams `file` into a TraceModel. A syntax error after some events is kept as the model's note; one before any
 * event, or a file that is not a trace, is a `data/invalid` error.
 */
export async function readTraceModel(file: string, signal?: AbortSignal): Promise<TraceModel> {
  const builder = new TraceIndexBuilder();
  const parser = new TraceParser({ onEvent: (e, offset) => builder.add(e, offset), args: INDEX_ARGS });
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) {
      parser.write(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    const result = parser.end();
    const model = builder.finish(result);
    if (model.notes.eventCount > 0 && (model.notes.phaseCounts["?"] ?? 0) === model.notes.eventCount)
      throw notATrace(file, `none of its ${model.notes.eventCount} objects has a phase ("ph"): JSON, but not a trace`);
    return model;
  } catch (e) {
    if (isTraceSyntaxError(e)) {
      const model = builder.finish({
        truncated: false,
        byteLength: bytes,
        error: { message: e.reason, offset: e.byteOffset, line: e.line },
      });
      if (model.notes.eventCount > 0) return model;
      throw notATrace(file, e.reason.startsWith("not ") ? e.reason : `not JSON (a Chrome trace): ${e.message}`, e);
    }
    if (e instanceof EdgeError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ABORT_ERR") throw e;
    throw new EdgeError("data/invalid", `edge profile: cannot read ${file}: ${(e as Error).message}`, { file });
  }
}

function notATrace(file: string, why: string, e?: { byteOffset: number; line: number }): EdgeError {
  return new EdgeError(
    "data/invalid",
    `${file} is ${why.startsWith("not ") ? why : `not a trace: ${why}`}`,
    { file, ...(e ? { offset: e.byteOffset, line: e.line } : {}) },
    'edge profile reads Chrome trace JSON: onnxruntime\'s profile.json, a [...] of events or {"traceEvents": [...]}',
  );
}

export async function profileCommand(argv: string[], io: CliIO, signal?: AbortSignal): Promise<number> {
  const { positionals, flags } = parseArgs(
    argv,
    { json: "boolean", compare: "string", top: "string", warmup: "string" },
    "profile",
  );
  if (positionals.length !== 1) throw usage(`expected one TRACE, got ${positionals.length}`);
  const top = count(flags, "top", 20, 1);
  const skipRuns = count(flags, "warmup", 0, 0);
  const file = resolve(io.cwd, positionals[0]);
  const model = await readTraceModel(file, signal);
  const otherFile = flags.compare === undefined ? undefined : resolve(io.cwd, flags.compare as string);
  const other = otherFile === undefined ? undefined : await readTraceModel(otherFile, signal);
  const tables = kernelTables(model, { skipRuns });
  const iterations = iterationTable(model, { skipRuns });
  const comparison = other ? compareTraces(model, other, { skipRuns }) : undefined;
  const view = {
    file,
    model,
    tables,
    iterations,
    top,
    skipRuns,
    other: other && otherFile ? { file: otherFile, model: other, comparison: comparison! } : undefined,
  };
  io.stdout(flags.json ? `${JSON.stringify(profileJson(view), null, 2)}\n` : formatProfile(view));
  for (const [name, m] of [[file, model], ...(other && otherFile ? [[otherFile, other]] : [])] as [
    string,
    TraceModel,
  ][]) {
    const note = readNote(m);
    if (note) io.stderr(`edge profile: ${name}: ${note}\n`);
  }
  return exitCodes.ok;
}

// Capturing onnxruntime's profile: profiling writes into a private temporary directory inside the run's output
// directory; after the measured iterations, endProfiling() flushes it (in onnxruntime-node 1.30 it returns
// nothing, so the file is found in that directory), the file is read as a stream into the trace parser
// (common/trace/) and the kernel collector (never as one string: a long run's trace is larger than a string can
// be), renamed to outDir/profile.json (same filesystem: atomic), summarized, and the last run's kernels are emitted
// as `kernel` events. A profile that cannot be read to its end (truncated, malformed, missing) does not fail the
// run: the summary covers what was read, and `incomplete` says what went wrong. The capture folder is tracked as
// temporary (fs/temp-paths.ts) until it is removed, and a stop (the signal) ends the collection between its stages
// (and between the chunks it reads), removing the folder.
import { PROFILE_FILE } from "../../common/profile-summary";
import { createReadStream, promises as fs } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { EdgeError } from "../errors";
import type { EventSink } from "../events";
import { commitTempFile } from "../fs/atomic";
import { makeTempDir, removeTempPath } from "../fs/temp-paths";
import { ensureDir } from "../fs/write-errors";
import type { TraceEvent } from "../../common/trace/trace-event";
import type { OrtSession } from "./ort";
import { type TraceParseResult, TraceParser } from "../../common/trace/trace-parser";
import { KernelCollector, type KernelRecord, type ProfileSummary, kernelsToStream, summarizeKernels } from "./profile";

export interface ProfileCapture {
  dir: string;
  /** The profileFilePrefix given to onnxruntime. */
  prefix: string;
}

export interface RunProfile {
  /** outDir/profile.json (Chrome trace; opens in Perfetto); absent when onnxruntime wrote none. */
  path?: string;
  /** Over the events that could be read; absent when none could. */
  summary?: ProfileSummary;
  kernelEventsEmitted: number;
  /** Why the profile is incomplete (truncated, malformed, missing); absent when it was read to its end. */
  incomplete?: string;
  /** Live profiles (live-profile.ts): the measured iterations replayed on profiled sessions, as inclusive ranges. */
  iterations?: [number, number][];
  /** Live profiles: how many windows of iterations were profiled and streamed. */
  windows?: number;
  /** Live profiles: wall time the profiled windows added to the run (replays, flushes, reads, sessions), ms. */
  overheadMs?: number;
}

/** Read size of the trace file: larger chunks cost fewer calls, and the parser holds one at a time. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * Streams a trace file into `onEvent`, chunk by chunk (an aborted `signal` stops it between chunks). Throws the
 * parser's TraceSyntaxError for a malformed trace; a truncated one is a result with `truncated`.
 */
export async function readTraceFile(
  file: string,
  onEvent: (event: TraceEvent) => void,
  signal?: AbortSignal,
): Promise<TraceParseResult> {
  const parser = new TraceParser({ onEvent });
  // for await ends (and closes) the stream when the loop body throws.
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) {
    signal?.throwIfAborted();
    parser.write(chunk as Buffer);
  }
  return parser.end();
}

export async function prepareProfileCapture(outDir: string): Promise<ProfileCapture> {
  await ensureDir(outDir);
  const dir = await makeTempDir(join(resolve(outDir), ".profile"));
  return { dir, prefix: join(dir, "ort") };
}

export async function discardProfileCapture(capture: ProfileCapture): Promise<void> {
  await removeTempPath(capture.dir);
}

async function findProfileFile(capture: ProfileCapture, returned: unknown): Promise<string> {
  if (typeof returned === "string" && returned.length > 0) return isAbsolute(returned) ? returned : resolve(returned);
  const files = (await fs.readdir(capture.dir)).filter((f) => f.endsWith(".json")).sort();
  if (files.length === 0)
    throw new EdgeError("run/failed", `onnxruntime wrote no profile into ${capture.dir}`, { file: capture.dir });
  return join(capture.dir, files[files.length - 1]);
}

/**
 * Ends profiling, reads the trace, moves it to outDir/profile.json, summarizes it and emits kernel events. A trace
 * that cannot be read to its end still gives a profile (`incomplete` says why) and a warning. An aborted `signal`
 * stops it between stages (after onnxruntime's flush, during the read): it throws the signal's reason, and no
 * profile.json is written.
 */
export async function collectProfile(
  session: OrtSession,
  capture: ProfileCapture,
  outDir: string,
  options: { skipRuns: number; maxKernelEvents: number; sink: EventSink; signal?: AbortSignal },
): Promise<RunProfile> {
  const { signal, sink } = options;
  try {
    let file: string;
    try {
      const returned: unknown = (session.endProfiling as () => unknown)();
      file = await findProfileFile(capture, returned);
    } catch (e) {
      signal?.throwIfAborted();
      return incompleteProfile(sink, `onnxruntime's profile could not be found (${messageOf(e)})`);
    }
    signal?.throwIfAborted();

    const collector = new KernelCollector();
    let events = 0;
    let incomplete: string | undefined;
    try {
      const read = await readTraceFile(
        file,
        (e) => {
          collector.add(e);
          events++;
        },
        signal,
      );
      if (read.truncated)
        incomplete = `the trace ends before it is closed (onnxruntime stopped writing it); the summary covers its ${events} complete events`;
    } catch (e) {
      signal?.throwIfAborted();
      incomplete = `the trace could not be read to its end (${messageOf(e)}); the summary covers the ${events} events before`;
    }
    signal?.throwIfAborted();
    const target = join(outDir, PROFILE_FILE);
    await commitTempFile(file, target);
    sink.emit({ type: "artifact", kind: "profile.json", path: target });

    const records = collector.finish();
    const summary = summarizeKernels(records, { skipRuns: options.skipRuns });
    const kernels = kernelsToStream(records, options.maxKernelEvents);
    emitKernelEvents(sink, kernels);
    if (incomplete) sink.emit({ type: "log", level: "warning", message: `profile incomplete: ${incomplete}` });
    return { path: target, summary, kernelEventsEmitted: kernels.length, incomplete };
  } finally {
    await discardProfileCapture(capture);
  }
}

/**
 * One `kernel` event per kernel (a device run's pulled profile is announced the same way); live windows give each
 * kernel its measured iteration.
 */
export function emitKernelEvents(sink: EventSink, kernels: readonly (KernelRecord & { iteration?: number })[]): void {
  for (const k of kernels) {
    sink.emit({
      type: "kernel",
      node: k.node,
      opType: k.opType,
      provider: k.provider,
      startUs: k.startUs,
      durationUs: k.durationUs,
      ...(k.iteration !== undefined ? { iteration: k.iteration } : {}),
    });
  }
}

function incompleteProfile(sink: EventSink, why: string): RunProfile {
  sink.emit({ type: "log", level: "warning", message: `profile incomplete: ${why}` });
  return { kernelEventsEmitted: 0, incomplete: why };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

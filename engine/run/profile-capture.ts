// Capturing onnxruntime's profile: profiling writes into a private temporary directory inside the run's output
// directory; after the measured iterations, endProfiling() flushes it (in onnxruntime-node 1.30 it returns
// nothing, so the file is found in that directory), the file is renamed to outDir/profile.json (same
// filesystem: atomic), summarized, and the last run's kernels are emitted as `kernel` events. The capture folder
// is tracked as temporary (fs/temp-paths.ts) until it is removed, and a stop (the signal) ends the collection
// between its stages, removing the folder.
import { promises as fs } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { EdgeError } from "../errors";
import type { EventSink } from "../events";
import { commitTempFile } from "../fs/atomic";
import { makeTempDir, removeTempPath } from "../fs/temp-paths";
import { ensureDir } from "../fs/write-errors";
import type { OrtSession } from "./ort";
import { type ProfileSummary, kernelRecords, kernelsToStream, parseTrace, summarizeKernels } from "./profile";

export interface ProfileCapture {
  dir: string;
  /** The profileFilePrefix given to onnxruntime. */
  prefix: string;
}

export interface RunProfile {
  /** outDir/profile.json (Chrome trace; opens in Perfetto). */
  path: string;
  summary: ProfileSummary;
  kernelEventsEmitted: number;
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
 * Ends profiling, moves the trace to outDir/profile.json, summarizes it and emits kernel events. An aborted
 * `signal` stops it between stages (after onnxruntime's flush, the read, the parse): it throws the signal's reason,
 * and no profile.json is written.
 */
export async function collectProfile(
  session: OrtSession,
  capture: ProfileCapture,
  outDir: string,
  options: { skipRuns: number; maxKernelEvents: number; sink: EventSink; signal?: AbortSignal },
): Promise<RunProfile> {
  const { signal } = options;
  try {
    const returned: unknown = (session.endProfiling as () => unknown)();
    const file = await findProfileFile(capture, returned);
    signal?.throwIfAborted();
    const text = await fs.readFile(file, "utf8");
    signal?.throwIfAborted();
    const events = parseTrace(text, file);
    // A signal that came while the trace was parsed (synchronous) is seen once the event loop turns.
    await new Promise((tick) => setImmediate(tick));
    signal?.throwIfAborted();
    const target = join(outDir, "profile.json");
    await commitTempFile(file, target);
    options.sink.emit({ type: "artifact", kind: "profile.json", path: target });

    const records = kernelRecords(events);
    const summary = summarizeKernels(records, { skipRuns: options.skipRuns });
    const kernels = kernelsToStream(records, options.maxKernelEvents);
    for (const k of kernels) {
      options.sink.emit({
        type: "kernel",
        node: k.node,
        opType: k.opType,
        provider: k.provider,
        startUs: k.startUs,
        durationUs: k.durationUs,
      });
    }
    return { path: target, summary, kernelEventsEmitted: kernels.length };
  } finally {
    await discardProfileCapture(capture);
  }
}

// A run folder's measurements as overlays for the graph viewer (common/graph/overlays.ts): kernel time per node
// from profile.json (streamed through common/trace/'s parser into the same kernel collector and summary as the
// run's own profile summary, with the warm-up runs left out as report.json says), provider placement from
// partitions.json, and quantization error from quant-error.json. A file that is not there leaves its overlay
// absent; one that is there but cannot be read (truncated, another format) is said in `notes`. Also the models a
// run used and produced, from its report.json.
import { createReadStream } from "node:fs";
import { basename, isAbsolute, join, resolve } from "node:path";
import type { QuantErrorFile } from "../../common/evaluation";
import type { GraphOverlays, LatencyOverlay, PartitionsOverlay, QuantErrorOverlay } from "../../common/graph/overlays";
import { PARTITIONS_FILE, PARTITIONS_FORMAT, type PartitionsFile } from "../../common/partitions";
import { PROFILE_FILE } from "../../common/profile-summary";
import { RECIPE_RESOLVED_FILE, REPORT_JSON_FILE, type RunReport } from "../../common/report";
import { QUANT_ERROR_FILE } from "../../common/evaluation";
import { resolvedRecipeModel, runModelPaths } from "../../common/run-models";
import { KernelCollector, summarizeKernels } from "../../common/trace/kernels";
import { TraceParser } from "../../common/trace/trace-parser";
import { isEdgeError } from "../errors";
import { readRegularTextFile, statRegularFile } from "../fs/regular-file";

/** JSON files of a run are small; a larger one is not what the run wrote. */
const MAX_JSON_BYTES = 200_000_000;

type Read<T> = { value: T } | { missing: true } | { note: string };

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === "ENOENT" || (isEdgeError(e) && /no such file/i.test(e.message));
}

async function readJson<T>(file: string): Promise<Read<T>> {
  let text: string;
  try {
    text = await readRegularTextFile(file, { code: "run/failed", maxBytes: MAX_JSON_BYTES });
  } catch (e) {
    if (isMissing(e)) return { missing: true };
    return { note: `${basename(file)} cannot be read: ${(e as Error).message}` };
  }
  try {
    return { value: JSON.parse(text) as T };
  } catch (e) {
    return { note: `${basename(file)} is not valid JSON (${(e as Error).message})` };
  }
}

/** A path from report.json: relative to the run folder, or absolute. */
const inRun = (runDir: string, path: string) => (isAbsolute(path) ? path : join(runDir, path));

function artifactPath(report: RunReport | undefined, runDir: string, kind: string, fallback: string): string {
  const a = report?.artifacts?.find((x) => x.kind === kind);
  return a ? inRun(runDir, a.path) : join(runDir, fallback);
}

/** Runs at the start of the trace that the run's own summary left out (the warm-up). */
function warmupRuns(report: RunReport | undefined): number {
  const s = report?.profile?.summary;
  if (s && s.runsInTrace >= s.runsSummarized) return s.runsInTrace - s.runsSummarized;
  return report?.run?.warmupDone ?? 0;
}

async function readLatency(file: string, skipRuns: number): Promise<{ value?: LatencyOverlay; note?: string }> {
  try {
    await statRegularFile(file, { code: "run/failed" });
  } catch (e) {
    if (isMissing(e)) return {};
    return { note: `${basename(file)} cannot be read: ${(e as Error).message}` };
  }
  const collector = new KernelCollector();
  let note: string | undefined;
  let events = 0;
  try {
    const parser = new TraceParser({
      onEvent: (e) => {
        collector.add(e);
        events++;
      },
    });
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) parser.write(chunk as Buffer);
    if (parser.end().truncated)
      note = `${basename(file)} ends before the trace is closed; the latency covers its ${events} complete events`;
  } catch (e) {
    note = `${basename(file)} could not be read to its end (${(e as Error).message}); the latency covers the ${events} events before`;
  }
  const summary = summarizeKernels(collector.finish(), { skipRuns, topNodes: Number.MAX_SAFE_INTEGER });
  if (summary.nodeCount === 0)
    return { note: note ?? `${basename(file)} has no kernel events (was the run profiled?)` };
  const byNode: LatencyOverlay["byNode"] = {};
  for (const row of summary.topNodes) {
    byNode[row.node] = {
      totalUs: row.totalUs,
      calls: row.calls,
      meanUsPerRun: summary.runsSummarized > 0 ? row.totalUs / summary.runsSummarized : row.totalUs,
      share: row.share,
      ...(row.provider ? { provider: row.provider } : {}),
    };
  }
  const value = { runsSummarized: summary.runsSummarized, kernelTimePerRunUs: summary.kernelTimePerRunUs, byNode };
  return { value, note };
}

function partitionsOverlay(file: PartitionsFile, name: string): Read<PartitionsOverlay> {
  if (file?.format !== PARTITIONS_FORMAT || !Array.isArray(file.nodes))
    return { note: `${name} is not an edge partitions file (format "${String(file?.format)}")` };
  const byNode: PartitionsOverlay["byNode"] = {};
  for (const n of file.nodes) {
    byNode[n.node] = {
      placement: n.placement,
      ...(n.partition !== undefined ? { partition: n.partition } : {}),
      ...(n.reason ? { reason: n.reason } : {}),
    };
  }
  return { value: { provider: file.provider, byNode } };
}

function quantErrorOverlay(file: QuantErrorFile, name: string): Read<QuantErrorOverlay> {
  if (file?.method !== "sqnr" || !Array.isArray(file.nodes)) return { note: `${name} is not a quant-error.json file` };
  const byNode: QuantErrorOverlay["byNode"] = {};
  for (const n of file.nodes) {
    byNode[n.node] = {
      sqnrDb: n.sqnr_db,
      maxAbs: n.max_abs,
      output: n.output,
      ...(n.note ? { note: n.note } : {}),
    };
  }
  return { value: { samples: file.samples, byNode } };
}

/** The overlays of a run folder; never throws for a missing or bad file (see `notes`). */
export async function readRunOverlays(runDir: string): Promise<GraphOverlays> {
  const dir = resolve(runDir);
  const overlays: GraphOverlays = { runDir: dir, runId: basename(dir), notes: [] };
  const reportRead = await readJson<RunReport>(join(dir, REPORT_JSON_FILE));
  if ("note" in reportRead) overlays.notes.push(reportRead.note);
  const report = "value" in reportRead ? reportRead.value : undefined;
  if (report?.runId) overlays.runId = report.runId;

  const latency = await readLatency(artifactPath(report, dir, "profile.json", PROFILE_FILE), warmupRuns(report));
  if (latency.value) overlays.latency = latency.value;
  if (latency.note) overlays.notes.push(latency.note);

  const partitionsFile = artifactPath(report, dir, "partitions.json", PARTITIONS_FILE);
  const partitions = await readJson<PartitionsFile>(partitionsFile);
  const placed = "value" in partitions ? partitionsOverlay(partitions.value, basename(partitionsFile)) : partitions;
  if ("value" in placed) overlays.partitions = placed.value;
  else if ("note" in placed) overlays.notes.push(placed.note);

  const quantFile = artifactPath(report, dir, "quant-error.json", QUANT_ERROR_FILE);
  const quant = await readJson<QuantErrorFile>(quantFile);
  const errors = "value" in quant ? quantErrorOverlay(quant.value, basename(quantFile)) : quant;
  if ("value" in errors) overlays.quantError = errors.value;
  else if ("note" in errors) overlays.notes.push(errors.note);
  return overlays;
}

/**
 * The models of a run, as absolute paths: the original (the recipe's model: the quantizer's source, or the model
 * run when nothing was produced) and the models the run produced (quantized, compiled), from report.json. Nothing
 * when the folder has no readable report.
 */
export async function runModelFiles(runDir: string): Promise<{ original?: string; produced: string[] }> {
  const dir = resolve(runDir);
  const read = await readJson<RunReport>(join(dir, REPORT_JSON_FILE));
  if (!("value" in read)) return { produced: [] };
  const report = read.value;
  const inThisRun = (p: string) => inRun(dir, p);
  let paths = runModelPaths(report, inThisRun);
  if (paths.original === undefined) {
    const resolved = await readJson<unknown>(join(dir, RECIPE_RESOLVED_FILE));
    const recipeModel = "value" in resolved ? resolvedRecipeModel(resolved.value) : undefined;
    if (recipeModel !== undefined) paths = runModelPaths(report, inThisRun, recipeModel);
  }
  return paths;
}

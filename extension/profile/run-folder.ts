// What the profile viewer reads from disk about a trace and its run folder (profile-sources.ts decides, pure, from
// what is read here): the source a trace file makes (its size, its run: the folder holds report.json or
// recipe.resolved.json, and the model its kernels' nodes are in), a run's report.json (of this schema version), the
// model a run's recipe.resolved.json names (a run whose report is not written yet), and whether a path is a file or
// a folder. Unreadable files are answered with undefined, never an error.
import { readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { PROFILE_FILE } from "../../common/profile-summary";
import { RECIPE_RESOLVED_FILE, REPORT_JSON_FILE, REPORT_SCHEMA_VERSION, type RunReport } from "../../common/report";
import type { TraceSource } from "../../webviews/protocol/profile";
import { runDirCandidate, traceSourceOf } from "./profile-sources";

/** The source a trace file makes: its run (the folder holds report.json or recipe.resolved.json) and model. */
export async function traceSourceOfFile(path: string): Promise<TraceSource> {
  const sizeBytes = await stat(path).then(
    (s) => s.size,
    () => undefined,
  );
  const runDir = runDirCandidate(path);
  const report = await readRunReport(runDir);
  const recipeModel = report ? undefined : await readRecipeModel(runDir);
  if (!report && recipeModel === undefined) return traceSourceOf(path, sizeBytes);
  return traceSourceOf(path, sizeBytes, { runDir, runId: basename(runDir), report, recipeModel });
}

/** A run's report.json, when it is one of this schema version. */
export async function readRunReport(runDir: string): Promise<RunReport | undefined> {
  try {
    const json = JSON.parse(await readFile(join(runDir, REPORT_JSON_FILE), "utf8")) as RunReport;
    return json?.schemaVersion === REPORT_SCHEMA_VERSION ? json : undefined;
  } catch {
    return undefined;
  }
}

/** Where a run's kernels' nodes are: its produced model, else its original (its report, else its recipe copy). */
export async function runModelOf(runDir: string): Promise<string | undefined> {
  const report = await readRunReport(runDir);
  const recipeModel = report ? undefined : await readRecipeModel(runDir);
  return traceSourceOf(join(runDir, PROFILE_FILE), undefined, { runDir, runId: basename(runDir), report, recipeModel })
    .model;
}

/** The model recipe.resolved.json names (a run whose report is not written yet). */
export async function readRecipeModel(runDir: string): Promise<string | undefined> {
  try {
    const json = JSON.parse(await readFile(join(runDir, RECIPE_RESOLVED_FILE), "utf8")) as {
      paths?: { model?: unknown };
      recipe?: { model?: { path?: unknown } };
    };
    const model = json.paths?.model ?? json.recipe?.model?.path;
    return typeof model === "string" ? model : undefined;
  } catch {
    return undefined;
  }
}

export async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

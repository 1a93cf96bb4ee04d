// How a trace is named where two are side by side (the compare header and the compare tables' headings): the file's
// name, and the run folder's name when the file is a run's profile (TraceSource.runDir). Pure.
import type { TraceSource } from "../../protocol/profile";

/** The last segment of a path (POSIX or Windows separators), without trailing separators. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter((p) => p !== "");
  return parts.at(-1) ?? path;
}

/** "ort.json", or "profile.json of 20260101-120000-mnist-laptop" for a run's profile. */
export function traceName(source: Pick<TraceSource, "path" | "runDir" | "label">): string {
  const file = source.path ? baseName(source.path) : source.label;
  if (!source.runDir) return file;
  const run = baseName(source.runDir);
  return run && run !== file ? `${file} of ${run}` : file;
}

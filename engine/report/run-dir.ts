// Run ids and directories: `.edge/runs/<YYYYMMDD-HHMMSS>-<recipe>-<device>/`, local time, names sanitized to
// [A-Za-z0-9._-], made unique with a -2, -3… suffix when two runs start in the same second.
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { ensureDir, writeError } from "../fs/write-errors";

export interface RunDir {
  runId: string;
  dir: string;
}

/** A file-name-safe part: runs of other characters become "-", at most 40 characters, "x" if nothing is left. */
export function sanitizeName(name: string): string {
  const clean = name
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return clean || "x";
}

export function timestampId(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

export function runIdFor(recipe: string, device: string, date: Date): string {
  return `${timestampId(date)}-${sanitizeName(recipe)}-${sanitizeName(device)}`;
}

/** Creates the run's directory under `runsRoot` (e.g. "<workspace>/.edge/runs") and returns its id and path. */
export async function createRunDir(
  runsRoot: string,
  recipe: string,
  device: string,
  date = new Date(),
): Promise<RunDir> {
  const base = runIdFor(recipe, device, date);
  try {
    await ensureDir(runsRoot);
    for (let n = 1; ; n++) {
      const runId = n === 1 ? base : `${base}-${n}`;
      const dir = join(runsRoot, runId);
      try {
        await fs.mkdir(dir);
        return { runId, dir };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || n >= 1000) throw e;
      }
    }
  } catch (e) {
    throw writeError(e, runsRoot, "cannot create a run directory under");
  }
}

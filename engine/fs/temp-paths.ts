// The temporary files and folders the engine has made and not yet removed or moved into place (a profile capture
// folder, a compile's work folder, the `.NAME.edge-….tmp` of an atomic write), so that a run stopped at once
// (a second Ctrl-C) can remove them synchronously on its way out instead of leaving hidden folders behind. What a
// process killed outright leaves is recognised by its name (temp-names.ts) and swept by the next one (stale-temps.ts).
import { mkdirSync, promises as fs, rmSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { sweepStaleTempsOnce } from "./stale-temps";
import { tempName } from "./temp-names";
import { writeError } from "./write-errors";

const live = new Set<string>();

/** Remembers `path` as temporary (removed by `removeTempPathsSync` unless `releaseTempPath` comes first). */
export function trackTempPath(path: string): string {
  live.add(resolve(path));
  return path;
}

/** Forgets `path`: it was removed, or moved into place. */
export function releaseTempPath(path: string): void {
  live.delete(resolve(path));
}

/**
 * A new temporary folder `STEM.edge-….tmp` (temp-names.ts) for `stem` (a path: folder and name), tracked; the
 * folder it is in is swept of dead processes' leftovers first. A filesystem error is `io/write` naming the stem.
 */
export async function makeTempDir(stem: string): Promise<string> {
  sweepStaleTempsOnce(dirname(stem));
  const path = tempName(stem);
  try {
    // Made synchronously and tracked at once: an asynchronous mkdir still running in the thread pool when a stop at
    // once (a second Ctrl-C) removes the tracked paths and exits would leave the folder behind.
    mkdirSync(path);
    return trackTempPath(path);
  } catch (e) {
    throw writeError(e, stem, "cannot create a temporary folder");
  }
}

/** Removes a temporary file or folder (missing is fine) and forgets it. */
export async function removeTempPath(path: string): Promise<void> {
  await fs.rm(path, { recursive: true, force: true });
  releaseTempPath(path);
}

/** The tracked paths (under `root` when given), for tests and diagnostics. */
export function tempPaths(root?: string): string[] {
  const prefix = root === undefined ? undefined : resolve(root) + sep;
  return [...live].filter((p) => prefix === undefined || p.startsWith(prefix));
}

/** Removes the tracked temporary paths (those under `root` when given) synchronously; returns what it removed. */
export function removeTempPathsSync(root?: string): string[] {
  const removed: string[] = [];
  for (const path of tempPaths(root)) {
    try {
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Best effort on the way out: a path that cannot be removed now stays where it is.
    }
    live.delete(path);
  }
  return removed;
}

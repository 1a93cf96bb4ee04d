// The temporary files and folders the engine has made and not yet removed or moved into place (a profile capture
// folder, a compile's work folder, the `.NAME.PID.RANDOM.tmp` of an atomic write), so that a run stopped at once
// (a second Ctrl-C) can remove them synchronously on its way out instead of leaving hidden folders behind.
import { promises as fs, rmSync } from "node:fs";
import { resolve, sep } from "node:path";
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

/** `fs.mkdtemp(prefix)`, tracked; a filesystem error is `io/write` naming the prefix's folder. */
export async function makeTempDir(prefix: string): Promise<string> {
  try {
    return trackTempPath(await fs.mkdtemp(prefix));
  } catch (e) {
    throw writeError(e, prefix, "cannot create a temporary folder");
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

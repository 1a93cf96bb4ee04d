// Removing what dead processes left behind: temporary files and folders named by temp-names.ts whose owner is dead
// (a process killed with SIGKILL, a crash, a power loss: nothing of it ran to remove them), and lock files
// (folder-lock.ts) of dead owners. Only names of the engine's own form are looked at, only dead owners' are removed
// (a live or unknown owner's stay, as does everything else), and only directly in the folder swept (no recursion,
// except `sweepRunsFolder`, one level down). The engine sweeps a folder the first time it writes into it
// (atomic.ts, temp-paths.ts), each run sweeps its runs folder, and the CLI sweeps the system's temporary folder.
import { type Dirent, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LOCK_NAME, removeStaleLock } from "./folder-lock";
import { ownerState } from "./process-owner";
import { tempNameOwner } from "./temp-names";

/** Removes, in `dir`, the temporary files and folders and the lock file of dead processes; returns their paths. */
export function sweepStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // missing or unreadable: nothing to sweep
  }
  const removed: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (name === LOCK_NAME) {
      if (removeStaleLock(path)) removed.push(path);
      continue;
    }
    const owner = tempNameOwner(name);
    if (!owner || ownerState(owner) !== "dead") continue;
    try {
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Not ours to remove after all (permissions): it stays.
    }
  }
  return removed;
}

const swept = new Set<string>();

/** `sweepStaleTemps(dir)` the first time this process asks for `dir` (the engine's first write there). */
export function sweepStaleTempsOnce(dir: string): string[] {
  const key = resolve(dir);
  if (swept.has(key)) return [];
  swept.add(key);
  return sweepStaleTemps(key);
}

/** Sweeps a runs folder (`.edge/runs`): in it, and in each run folder in it. */
export function sweepRunsFolder(runsRoot: string): string[] {
  const removed = sweepStaleTempsOnce(runsRoot);
  let entries: Dirent[];
  try {
    entries = readdirSync(runsRoot, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const entry of entries)
    if (entry.isDirectory() && !tempNameOwner(entry.name))
      removed.push(...sweepStaleTempsOnce(join(runsRoot, entry.name)));
  return removed;
}

/** Sweeps the system's temporary folder (where `edge evaluate` measures latency) once; for the CLI's writing commands. */
export function sweepSystemTemp(): string[] {
  return sweepStaleTempsOnce(tmpdir());
}

// An exclusive lock on a folder (a run folder while its run writes it): the file `.edge.lock` in it, holding the
// owner (process-owner.ts: pid, start time, machine) and what it is doing. It is made complete and at once (written
// to a temporary name, then hard-linked to `.edge.lock`, which fails when the lock exists; `wx` where links are not
// supported), removed when the owner is done, and tracked as temporary (temp-paths.ts) so a process stopped at once
// removes it too. A lock whose owner is dead (killed, crashed, the machine restarted) is stale: the next one to lock
// the folder, or a sweep (stale-temps.ts), removes it; it is first moved aside and checked, so two processes breaking
// the same stale lock never remove each other's fresh one.
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { formatOwner, type OwnerState, ownerState, parseOwner, thisOwner } from "./process-owner";
import { tempName } from "./temp-names";

/** The lock file's name in the locked folder. */
export const LOCK_NAME = ".edge.lock";

export interface LockHolder {
  /** The lock file. */
  path: string;
  pid?: number;
  /** What the holder said it was doing (`edge run recipe.edge.yaml`). */
  purpose?: string;
  /** When it took the lock (ISO time). */
  since?: string;
  state: OwnerState;
}

export interface FolderLock {
  path: string;
  /** Removes the lock (when it is still this one). */
  release(): void;
}

interface LockText {
  owner: string;
  pid: number;
  purpose: string;
  since: string;
}

type Errno = NodeJS.ErrnoException;

/** Locks `dir` (which must exist) for `purpose`, or says who holds it. A stale lock is removed and taken. */
export function tryLockFolder(dir: string, purpose: string): { lock: FolderLock } | { holder: LockHolder } {
  const path = join(dir, LOCK_NAME);
  const text = `${JSON.stringify({ owner: formatOwner(thisOwner()), pid: process.pid, purpose, since: new Date().toISOString() } satisfies LockText)}\n`;
  for (let attempt = 0; ; attempt++) {
    if (createComplete(path, text)) {
      return { lock: { path, release: () => releaseLock(path, text) } };
    }
    const holder = lockHolder(path);
    if (holder === undefined) continue; // removed meanwhile: try again
    if (holder.state !== "dead" || attempt >= 5) return { holder };
    removeStaleLock(path); // then try again: another process may have taken it meanwhile
  }
}

/** Who holds the lock file `path`; undefined when there is none. Unreadable content is an `unknown` holder. */
export function lockHolder(path: string): LockHolder | undefined {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as Errno).code === "ENOENT") return undefined;
    return { path, state: "unknown" };
  }
  return holderOf(path, raw);
}

/**
 * Removes the lock file `path` if its holder is dead; true when it did (or the lock was gone already). The lock is
 * moved aside first and its content checked there: a fresh lock moved aside by mistake is put back.
 */
export function removeStaleLock(path: string): boolean {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (e) {
    return (e as Errno).code === "ENOENT";
  }
  if (holderOf(path, raw).state !== "dead") return false;
  const aside = tempName(path);
  try {
    renameSync(path, aside);
  } catch (e) {
    return (e as Errno).code === "ENOENT";
  }
  try {
    const moved = readFileSync(aside, "utf8");
    if (moved === raw) return true;
    // Another process replaced the stale lock between the read and the move: its lock goes back.
    try {
      linkSync(aside, path);
    } catch {
      // A third process locked it meanwhile: that lock stands.
    }
    return false;
  } finally {
    rmSync(aside, { force: true });
  }
}

function holderOf(path: string, raw: string): LockHolder {
  let parsed: Partial<LockText>;
  try {
    parsed = JSON.parse(raw) as Partial<LockText>;
  } catch {
    return { path, state: "unknown" };
  }
  const owner = typeof parsed.owner === "string" ? parseOwner(parsed.owner) : undefined;
  return {
    path,
    pid: owner?.pid,
    purpose: typeof parsed.purpose === "string" ? parsed.purpose : undefined,
    since: typeof parsed.since === "string" ? parsed.since : undefined,
    state: owner ? ownerState(owner) : "unknown",
  };
}

/** Creates `path` holding `text`, complete, unless it exists (false then). */
function createComplete(path: string, text: string): boolean {
  const staged = tempName(path);
  try {
    writeWhole(staged, text, "w");
    try {
      linkSync(staged, path);
      return true;
    } catch (e) {
      const code = (e as Errno).code;
      if (code === "EEXIST") return false;
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw e;
    }
    // No hard links on this filesystem: exclusive create (a process killed while writing leaves an `unknown` lock).
    try {
      writeWhole(path, text, "wx");
      return true;
    } catch (e) {
      if ((e as Errno).code === "EEXIST") return false;
      throw e;
    }
  } finally {
    rmSync(staged, { force: true });
  }
}

function writeWhole(path: string, text: string, flags: "w" | "wx"): void {
  const fd = openSync(path, flags);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function releaseLock(path: string, text: string): void {
  try {
    if (readFileSync(path, "utf8") === text) rmSync(path, { force: true });
  } catch {
    // Already gone.
  }
}

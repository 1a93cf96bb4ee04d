// Node's filesystem errors from writing (a run folder, an artifact) as the engine's one error type: `io/write`
// (exit 6) with the path in `where.file` and a reason a user understands (EEXIST, ENOTDIR, EACCES, EROFS, ENOSPC…),
// instead of a raw errno that the CLI would call a bug. `ensureDir` makes a folder and its parents the same way.
import { promises as fs } from "node:fs";
import { dirname, resolve } from "node:path";
import { EdgeError, isEdgeError } from "../errors";

type Errno = NodeJS.ErrnoException;

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only filesystem",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  ENAMETOOLONG: "the name is too long",
  EISDIR: "it is a folder, not a file",
  EEXIST: "it exists and is not a folder",
  ENOTDIR: "a part of the path is a file, not a folder",
  EMFILE: "too many open files",
  ENOENT: "no such file or folder, and it cannot be made there",
};

/** The reason of a filesystem error in words (its code when there is no better one). */
export function writeReason(e: unknown): string {
  const code = (e as Errno)?.code;
  if (code && REASONS[code]) return REASONS[code];
  return (e as Error)?.message ?? String(e);
}

/** `e` (a filesystem error from writing `path`) as an `io/write` EdgeError; an EdgeError is returned as it is. */
export function writeError(e: unknown, path: string, action = "cannot write"): EdgeError {
  if (isEdgeError(e)) return e;
  return new EdgeError("io/write", `${action} ${path}: ${writeReason(e)}`, { where: { file: path }, cause: e });
}

/** Runs `body` (which writes `path`), turning a filesystem error into an `io/write` EdgeError naming `path`. */
export async function writingTo<T>(path: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    throw writeError(e, path);
  }
}

/**
 * Makes the folder `dir` and its missing parents (an existing folder is fine). Throws `io/write` naming `dir`, and
 * for a path under a file, which file. Unlike `mkdir -p` in node, never loops on a parent that refuses (/proc).
 */
export async function ensureDir(dir: string): Promise<void> {
  const target = resolve(dir);
  try {
    await makeDir(target);
  } catch (e) {
    const code = (e as Errno)?.code;
    if (code === "ENOTDIR" || code === "EEXIST") {
      const file = await fileOnTheWay(target);
      if (file && file !== target)
        throw new EdgeError("io/write", `cannot create the folder ${dir}: ${file} is a file, not a folder`, {
          where: { file: dir },
          cause: e,
        });
    }
    throw writeError(e, dir, "cannot create the folder");
  }
}

async function makeDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir);
  } catch (e) {
    const code = (e as Errno).code;
    if (code === "EEXIST") {
      if ((await fs.stat(dir)).isDirectory()) return;
      throw e;
    }
    const parent = dirname(dir);
    if (code !== "ENOENT" || parent === dir) throw e;
    await makeDir(parent);
    // Once: a parent that exists and still says ENOENT (/proc) is an error, not a reason to try again.
    await fs.mkdir(dir).catch((again: Errno) => {
      if (again.code !== "EEXIST") throw again;
    });
  }
}

/** The nearest existing ancestor of `dir` (or `dir` itself) that is a file, if any. */
async function fileOnTheWay(dir: string): Promise<string | undefined> {
  for (let p = dir; ; p = dirname(p)) {
    const stat = await fs.stat(p).catch(() => undefined);
    if (stat) return stat.isDirectory() ? undefined : p;
    if (dirname(p) === p) return undefined;
  }
}

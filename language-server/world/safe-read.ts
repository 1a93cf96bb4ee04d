// Reading files a workspace names without trusting them: only regular files, opened with O_NONBLOCK (an open of a
// named pipe would otherwise wait forever for a writer, holding a thread the process cannot exit without), checked
// again on the open descriptor (the path may have changed since the stat), and never more than a limit.
// The language server runs in untrusted workspaces, so every file it reads on a recipe's word goes through here.
import { constants, promises as fs, type Stats } from "node:fs";

/** What a path is, as a message says it: "a named pipe (FIFO)", "a character device", … */
export function kindOf(stat: Stats): string {
  if (stat.isFile()) return "a regular file";
  if (stat.isDirectory()) return "a folder";
  if (stat.isFIFO()) return "a named pipe (FIFO)";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isSocket()) return "a socket";
  return "not a file";
}

/** Why a file cannot be read: `missing` (nothing there), `kind` (not a regular file), `size` (over the limit). */
export class UnsafeFileError extends Error {
  constructor(
    readonly reason: "missing" | "kind" | "size",
    message: string,
  ) {
    super(message);
  }
}

/** Flags for opening a workspace file: read-only, never blocking (a FIFO opens at once, and is then refused). */
export const SAFE_OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * Opens a regular file for reading, after a stat and again on the descriptor; throws UnsafeFileError for anything
 * else or a file over `maxBytes`. The caller closes the handle.
 */
export async function openRegularFile(
  path: string,
  maxBytes: number,
): Promise<{ handle: fs.FileHandle; sizeBytes: number; mtimeMs: number }> {
  await statRegularFile(path, maxBytes);
  const handle = await fs.open(path, SAFE_OPEN_FLAGS).catch((e: NodeJS.ErrnoException) => {
    throw new UnsafeFileError("missing", e.code === "ENOENT" ? "no such file" : (e.code ?? e.message));
  });
  try {
    const stat = await handle.stat();
    checkStat(stat, maxBytes);
    return { handle, sizeBytes: stat.size, mtimeMs: stat.mtimeMs };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The stat of a regular file of at most `maxBytes`; throws UnsafeFileError for anything else. Opens nothing. */
export async function statRegularFile(path: string, maxBytes: number): Promise<Stats> {
  const stat = await fs.stat(path).catch(() => undefined);
  if (!stat) throw new UnsafeFileError("missing", "no such file");
  checkStat(stat, maxBytes);
  return stat;
}

function checkStat(stat: Stats, maxBytes: number): void {
  if (!stat.isFile()) throw new UnsafeFileError("kind", `it is ${kindOf(stat)}, not a regular file`);
  if (stat.size > maxBytes)
    throw new UnsafeFileError("size", `it is ${stat.size} bytes, over the ${maxBytes}-byte limit for reading it here`);
}

/**
 * The whole of a regular file of at most `maxBytes` (a file that grows while it is read is cut at the limit).
 * Throws UnsafeFileError as openRegularFile does.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  const { handle, sizeBytes } = await openRegularFile(path, maxBytes);
  try {
    const buffer = Buffer.alloc(sizeBytes);
    let filled = 0;
    while (filled < sizeBytes) {
      const { bytesRead } = await handle.read(buffer, filled, sizeBytes - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** readRegularFile as text, or undefined when the file is missing, not regular, too big or unreadable. */
export async function readRegularText(path: string, maxBytes: number): Promise<string | undefined> {
  try {
    return (await readRegularFile(path, maxBytes)).toString("utf8");
  } catch {
    return undefined;
  }
}

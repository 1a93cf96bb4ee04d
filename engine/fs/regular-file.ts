// Reading only regular files. Opening a FIFO for reading blocks until something writes to it (possibly forever), and
// a device like /dev/zero never ends, so every reader of user-named files (models, external data, recipes,
// datasets, tokenizers) goes through here: stat first (never open what is not a regular file), open with
// O_NONBLOCK (a FIFO swapped in after the stat does not block the open), check the opened descriptor again with
// fstat (the same regular file), and read at most a size limit where the whole file is read into memory.
import { constants, promises as fs, type Stats } from "node:fs";
import { formatBytes } from "../../common/units";
import { EdgeError, type ErrorCode } from "../errors";

export interface RegularFileOptions {
  /** The error code for a file that is not a regular file, or is larger than `maxBytes`. */
  code: ErrorCode;
  /** How messages name the file ("recipe r.edge.yaml"); default the path. */
  name?: string;
  /** The hint of the not-a-regular-file error. */
  hint?: string;
  /** The most bytes the file may have (readers that hold the whole file in memory); default no limit. */
  maxBytes?: number;
  /** The hint of the too-large error (what to do with a file this big). */
  tooLargeHint?: string;
}

/** What a file system entry is, for messages: "a FIFO", "a character device", … */
export function fileKind(stat: Stats): string {
  if (stat.isFile()) return "a regular file";
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isSocket()) return "a socket";
  if (stat.isSymbolicLink()) return "a symbolic link";
  return "a special file";
}

function notRegular(path: string, stat: Stats, options: RegularFileOptions): EdgeError {
  return new EdgeError(
    options.code,
    `${options.name ?? path} is not a regular file (${fileKind(stat)})`,
    { file: path },
    options.hint ?? "give the path of a regular file; pipes and devices are not read",
  );
}

/** `sizeBytes` is the file's size, or with `atLeast` how much of it was seen before it passed the limit. */
function tooLarge(path: string, sizeBytes: number, options: RegularFileOptions, atLeast = false): EdgeError {
  return new EdgeError(
    options.code,
    `${options.name ?? path} is ${atLeast ? "over " : ""}${formatBytes(sizeBytes)} (${sizeBytes} bytes), more than the ${formatBytes(options.maxBytes!)} it may have`,
    { file: path },
    options.tooLargeHint,
  );
}

/** The error `fs` gives for a directory, so callers keep their own message for one. */
function isDirectoryError(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), {
    code: "EISDIR",
    path,
  });
}

/**
 * Stats `path` (following symlinks) and returns the stat of a regular file. A missing file throws fs's own error
 * (ENOENT, …), a directory an EISDIR error (callers word those themselves); anything else (a FIFO, a device, a
 * socket) throws EdgeError `options.code`, as does a file larger than `options.maxBytes`.
 */
export async function statRegularFile(path: string, options: RegularFileOptions): Promise<Stats> {
  const stat = await fs.stat(path);
  if (stat.isDirectory()) throw isDirectoryError(path);
  if (!stat.isFile()) throw notRegular(path, stat, options);
  if (options.maxBytes !== undefined && stat.size > options.maxBytes) throw tooLarge(path, stat.size, options);
  return stat;
}

/**
 * Opens a regular file for reading without ever blocking on a FIFO: stat, open with O_NONBLOCK, and fstat the
 * descriptor (it must be the file that was checked, still regular). Errors as `statRegularFile`.
 */
export async function openRegularFile(
  path: string,
  options: RegularFileOptions,
): Promise<{ handle: fs.FileHandle; stat: Stats }> {
  const checked = await statRegularFile(path, options);
  const handle = await fs.open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegular(path, stat, options);
    if (stat.dev !== checked.dev || stat.ino !== checked.ino)
      throw new EdgeError(options.code, `${options.name ?? path} changed while it was being opened`, { file: path });
    if (options.maxBytes !== undefined && stat.size > options.maxBytes) throw tooLarge(path, stat.size, options);
    return { handle, stat };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** Reads a regular file whole (at most `options.maxBytes`, also when it grows while being read). */
export async function readRegularFile(path: string, options: RegularFileOptions): Promise<Buffer> {
  const { handle, stat } = await openRegularFile(path, options);
  const max = options.maxBytes ?? Number.MAX_SAFE_INTEGER;
  try {
    let buffer = Buffer.allocUnsafe(stat.size);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        // Full: the file grew, or reports no size (files of /proc). One more byte tells which; then grow.
        const probe = Buffer.allocUnsafe(1);
        if ((await handle.read(probe, 0, 1, length)).bytesRead === 0) break;
        if (length + 1 > max) throw tooLarge(path, length, options, true);
        const grown = Buffer.allocUnsafe(Math.min(max, Math.max(2 * length, length + (64 << 10))));
        buffer.copy(grown, 0, 0, length);
        grown[length++] = probe[0];
        buffer = grown;
        continue;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/** `readRegularFile` decoded as UTF-8. */
export async function readRegularTextFile(path: string, options: RegularFileOptions): Promise<string> {
  return (await readRegularFile(path, options)).toString("utf8");
}

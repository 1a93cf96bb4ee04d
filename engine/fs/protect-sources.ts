// The source model is never written: every command that writes files checks its outputs against the files it reads
// (the model, its external data files, a recipe's datasets) before it writes anything. Two paths name the same file
// when their real paths are equal (symlinks and `..` resolved) or when they have the same device and inode (hard
// links, and case-insensitive file systems); either one refuses the write with `io/write`, naming both paths.
import { promises as fs } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { EdgeError } from "../errors";

/** A file a command reads and must never write. */
export interface SourceFile {
  path: string;
  /** What it is, for the message: "the source model", "the source model's external data file". */
  role: string;
  /** Said after the path: "the source model reads its weights from it". */
  note?: string;
}

interface Identity {
  /** The real path (symlinks resolved); for a missing file, its real folder and its name. */
  real: string;
  /** Device and inode when the file exists. */
  id?: { dev: number; ino: number };
  /** True when the path itself is a symbolic link. */
  symlink: boolean;
}

/** The real path of `path`, also when it (or some of its folders) does not exist yet: the real part, then the rest. */
async function realPathOf(path: string): Promise<string> {
  try {
    return await fs.realpath(path);
  } catch {
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await realPathOf(parent), basename(path));
  }
}

async function identify(path: string): Promise<Identity> {
  const absolute = resolve(path);
  const [real, stat, lstat] = await Promise.all([
    realPathOf(absolute),
    fs.stat(absolute).catch(() => undefined),
    fs.lstat(absolute).catch(() => undefined),
  ]);
  return {
    real,
    id: stat ? { dev: stat.dev, ino: stat.ino } : undefined,
    symlink: lstat?.isSymbolicLink() ?? false,
  };
}

/** How `output` reaches `source`, for the message. */
function how(output: string, out: Identity, source: string, src: Identity): string {
  if (resolve(output) === resolve(source)) return "";
  if (out.symlink) return " (through a symbolic link)";
  if (out.real === src.real) return ` (the same file: ${out.real})`;
  return " (a hard link to it: the same file under another name)";
}

/**
 * Throws `io/write` when one of `outputs` is one of `sources`. Call it before writing anything, with every file the
 * command will write (including the companion data file a model writer puts beside its output).
 */
export async function refuseWritingOverSources(
  sources: readonly SourceFile[],
  outputs: readonly string[],
): Promise<void> {
  if (sources.length === 0 || outputs.length === 0) return;
  const known = await Promise.all(sources.map(async (s) => ({ ...s, identity: await identify(s.path) })));
  for (const output of outputs) {
    const out = await identify(output);
    for (const source of known) {
      const src = source.identity;
      const sameFile =
        out.real === src.real || (out.id && src.id && out.id.dev === src.id.dev && out.id.ino === src.id.ino);
      if (!sameFile) continue;
      throw new EdgeError(
        "io/write",
        `refusing to write ${output}: it would overwrite ${source.role} ${source.path}${how(output, out, source.path, src)}${source.note ? `; ${source.note}` : ""}`,
        { file: output },
        "write the output to another path; a command never writes over the files it reads",
      );
    }
  }
}

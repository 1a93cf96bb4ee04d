// Atomic file writes: write to a temporary file beside the target, flush, then rename over it.
// A reader never sees half a file, and a crash leaves the previous file (or none) in place. A filesystem error is
// an `io/write` EdgeError naming the target (write-errors.ts); the temporary file is tracked (temp-paths.ts) until
// it is renamed or removed, so a run stopped at once removes it too; its name says which process made it
// (temp-names.ts), and the first write into a folder sweeps that folder of what dead processes left (stale-temps.ts).
import { promises as fs, closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { sweepStaleTempsOnce } from "./stale-temps";
import { tempName } from "./temp-names";
import { releaseTempPath, trackTempPath } from "./temp-paths";
import { ensureDir, writeError } from "./write-errors";

/**
 * A temporary path `.NAME.edge-….tmp` in the same directory as `target` (same filesystem, so rename is atomic);
 * tracked as temporary. The directory is swept of dead processes' leftovers the first time.
 */
export function tempPathFor(target: string): string {
  sweepStaleTempsOnce(dirname(target));
  return trackTempPath(join(dirname(target), tempName(`.${basename(target)}`)));
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await ensureDir(dirname(target));
  const tmp = tempPathFor(target);
  try {
    const handle = await fs.open(tmp, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
    releaseTempPath(tmp);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    releaseTempPath(tmp);
    throw writeError(e, target, "could not write");
  }
}

/**
 * writeFileAtomic without yielding: for a process on its way out (a run stopped at once writes its partial report
 * from a signal handler, then exits). The folder must exist.
 */
export function writeFileAtomicSync(target: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(target);
  try {
    const fd = openSync(tmp, "w");
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw writeError(e, target, "could not write");
  } finally {
    releaseTempPath(tmp);
  }
}

/** Moves a finished temporary file into place (for writers that stream into `tempPathFor(target)` themselves). */
export async function commitTempFile(tmp: string, target: string): Promise<void> {
  try {
    await fs.rename(tmp, target);
    releaseTempPath(tmp);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    releaseTempPath(tmp);
    throw writeError(e, target, "could not write");
  }
}

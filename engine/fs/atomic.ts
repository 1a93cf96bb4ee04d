// Atomic file writes: write to a temporary file beside the target, flush, then rename over it.
// A reader never sees half a file, and a crash leaves the previous file (or none) in place.
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import { basename, dirname, join } from "node:path";
import { EdgeError } from "../errors";

/** A temporary path in the same directory as `target` (same filesystem, so rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(dirname(target), { recursive: true });
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
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new EdgeError("io/write", `could not write ${target}: ${(e as Error).message}`, { file: target }, undefined, {
      cause: e,
    });
  }
}

/** Moves a finished temporary file into place (for writers that stream into `tempPathFor(target)` themselves). */
export async function commitTempFile(tmp: string, target: string): Promise<void> {
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new EdgeError("io/write", `could not write ${target}: ${(e as Error).message}`, { file: target }, undefined, {
      cause: e,
    });
  }
}

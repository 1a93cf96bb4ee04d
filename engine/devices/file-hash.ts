// Content hashes of files (sha256, streamed: a model of several GB is never held whole), for content-addressed
// copies to devices: a file whose hash is already there is not pushed again.
import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";

/** Hashes already taken in this process, by path, size, mtime and inode (a changed file is hashed again). */
const memo = new Map<string, string>();

export async function sha256File(path: string): Promise<string> {
  const stat = await fs.stat(path);
  const key = `${path}\0${stat.size}\0${stat.mtimeMs}\0${stat.ino}`;
  const known = memo.get(key);
  if (known) return known;
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  const hex = hash.digest("hex");
  memo.set(key, hex);
  return hex;
}

/** One hash for a set of (name, content hash) pairs, independent of their order. */
export function manifestHash(entries: readonly { name: string; sha256: string }[]): string {
  const hash = createHash("sha256");
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
    hash.update(`${e.name}\0${e.sha256}\n`);
  return hash.digest("hex");
}

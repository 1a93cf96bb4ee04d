// A small streaming tar reader for npm package tarballs (ustar, with pax and GNU long-name headers): it reads a
// .tgz through node's zlib and writes only the entries asked for, chunk by chunk (a node binary is ~120 MB, so it is
// never held whole). Used by node-runtime.ts; no system `tar` needed on any host.
import { createReadStream, promises as fs } from "node:fs";
import { createGunzip } from "node:zlib";
import { EdgeError } from "../errors";

const BLOCK = 512;

interface Header {
  name: string;
  size: number;
  mode: number;
  /** '0' file, '5' folder, 'x' pax header, 'g' global pax, 'L' GNU long name, … */
  type: string;
}

function field(block: Buffer, offset: number, length: number): string {
  const end = block.indexOf(0, offset);
  return block.toString("utf8", offset, end >= 0 && end < offset + length ? end : offset + length);
}

function octal(block: Buffer, offset: number, length: number): number {
  if (block[offset] & 0x80) {
    // base-256 (GNU) for sizes of 8 GiB and more
    let n = 0;
    for (let i = offset + 1; i < offset + length; i++) n = n * 256 + block[i];
    return n;
  }
  const text = field(block, offset, length).trim();
  return text === "" ? 0 : parseInt(text, 8);
}

function parseHeader(block: Buffer): Header | undefined {
  if (block.every((b) => b === 0)) return undefined;
  const name = field(block, 0, 100);
  const prefix = block.toString("latin1", 257, 262) === "ustar" ? field(block, 345, 155) : "";
  return {
    name: prefix ? `${prefix}/${name}` : name,
    mode: octal(block, 100, 8),
    size: octal(block, 124, 12),
    type: String.fromCharCode(block[156] || 0x30),
  };
}

/** pax records: "LEN key=value\n"; only `path` and `size` matter here. */
function parsePax(text: string): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  for (const line of text.split("\n")) {
    const m = /^\d+ ([^=]+)=(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === "path") out.path = m[2];
    else if (m[1] === "size") out.size = Number(m[2]);
  }
  return out;
}

/**
 * Extracts entries of a gzipped tarball: `target(name)` gives where an entry goes (undefined: skip it). Returns the
 * names written. A malformed archive is a `device/runner` error naming `label`.
 */
export async function extractTgz(
  file: string,
  target: (name: string) => string | undefined,
  label = file,
): Promise<string[]> {
  const written: string[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let header: Header | undefined;
  let remaining = 0; // bytes of the current entry's body still to come
  let padding = 0;
  let out: fs.FileHandle | undefined;
  let meta: Buffer[] | undefined; // the body of a pax or long-name header being collected
  let next: { path?: string; size?: number } = {};
  let ended = false;

  const startEntry = async (h: Header) => {
    const size = next.size ?? h.size;
    const name = next.path ?? h.name;
    next = {};
    header = { ...h, name, size };
    remaining = size;
    padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (h.type === "x" || h.type === "L") meta = [];
    else if (h.type === "0" || h.type === "\0" || h.type === "7") {
      const dest = target(name);
      if (dest !== undefined) {
        out = await fs.open(dest, "w", h.mode & 0o777 || 0o644);
        written.push(name);
      }
    }
    if (remaining === 0) await endEntry();
  };
  const endEntry = async () => {
    if (out) {
      await out.close();
      out = undefined;
    }
    if (meta && header) {
      const text = Buffer.concat(meta).toString("utf8");
      next = header.type === "L" ? { path: text.replace(/\0+$/, "") } : parsePax(text);
    }
    meta = undefined;
    header = undefined;
  };

  try {
    for await (const chunk of createReadStream(file).pipe(createGunzip())) {
      pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      while (!ended) {
        if (header) {
          if (remaining > 0) {
            if (pending.length === 0) break;
            const take = Math.min(remaining, pending.length);
            const part = pending.subarray(0, take);
            if (out) await out.write(part);
            else if (meta) meta.push(Buffer.from(part));
            pending = pending.subarray(take);
            remaining -= take;
            if (remaining === 0) await endEntry();
            else break;
          } else await endEntry();
        } else if (padding > 0) {
          const take = Math.min(padding, pending.length);
          pending = pending.subarray(take);
          padding -= take;
          if (padding > 0) break;
        } else {
          if (pending.length < BLOCK) break;
          const h = parseHeader(pending.subarray(0, BLOCK));
          pending = pending.subarray(BLOCK);
          if (!h) ended = true;
          else await startEntry(h);
        }
      }
      if (ended) break;
    }
  } catch (e) {
    throw new EdgeError("device/runner", `cannot read the archive ${label}: ${(e as Error).message}`, {
      where: { file },
      cause: e,
    });
  } finally {
    await out?.close();
  }
  if (!ended && (header || padding > 0))
    throw new EdgeError("device/runner", `the archive ${label} ends in the middle of an entry`, { where: { file } });
  return written;
}

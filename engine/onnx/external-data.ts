// Reading external data (TensorProto.data_location = EXTERNAL): locations resolve relative to the model's
// directory, and a location that is absolute or escapes that directory (`..`, a symlink out) is refused. Bytes are
// read lazily, on demand, through cached file handles, after bounds checks against the file size and the size
// the tensor's dims and type need. Only regular files are opened (never a FIFO or a device). Nothing is read
// until asked; `check` verifies references with a stat only.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { TensorProto } from "onnx-buf";
import { EdgeError, isEdgeError } from "../errors";
import { openRegularFile } from "../fs/regular-file";
import { bytesForElements, dtypeBits } from "./dtypes";
import { type ExternalRef, externalRef, isExternal, tensorElementCount } from "./tensor-proto";

/** A checked external reference: the absolute file, and the byte range the tensor occupies in it. */
export interface ResolvedExternal {
  ref: ExternalRef;
  file: string;
  offset: number;
  length: number;
}

export interface ExternalDataReader {
  /** The directory external locations resolve against (the model's directory). */
  readonly baseDir: string;
  /** Checks a tensor's reference (location, bounds, expected size) with a stat; reads no data. */
  resolve(tensor: TensorProto): Promise<ResolvedExternal>;
  /** Reads an external tensor's bytes. */
  read(tensor: TensorProto): Promise<Uint8Array>;
  /** Reads an external tensor's bytes into `target`, which must be exactly as long (no buffer of its own). */
  readInto(tensor: TensorProto, target: Uint8Array): Promise<void>;
  /** Reads an external tensor's bytes in chunks of at most `chunkBytes` (for copying big tensors). */
  chunks(tensor: TensorProto, chunkBytes?: number): AsyncGenerator<Uint8Array>;
  /** Resolves every external tensor among `tensors`; returns the files they use and their total bytes. */
  check(tensors: Iterable<TensorProto>): Promise<{ files: string[]; totalBytes: number }>;
  /** Closes the file handles opened so far. The reader can still be used (it reopens). */
  close(): Promise<void>;
}

export interface ExternalDataOptions {
  /** Verify `checksum` entries (SHA-1 of the tensor's bytes, hex) when reading (default false). */
  verifyChecksums?: boolean;
  /** The model file, named in errors. */
  modelFile?: string;
}

function refuse(tensor: TensorProto, message: string, file?: string, hint?: string): never {
  throw new EdgeError("model/external-data", `tensor "${tensor.name}": ${message}`, { file }, hint);
}

/**
 * The absolute path of an external location, refusing absolute locations and ones that leave `baseDir`.
 * `owner` names what the location belongs to in errors (`tensor "W"`).
 */
export function resolveLocation(baseDir: string, location: string, owner: string, modelFile?: string): string {
  const hint = "external data must live in the model's directory or below it, named by a relative path";
  const refuseLocation = (why: string): never => {
    throw new EdgeError(
      "model/external-data",
      `${owner}: external location "${location}" ${why}`,
      { file: modelFile },
      hint,
    );
  };
  if (location === "" || location.includes("\0")) refuseLocation("is empty or contains a NUL byte");
  if (isAbsolute(location) || /^[A-Za-z]:/.test(location) || location.startsWith("\\") || location.startsWith("/"))
    refuseLocation("is an absolute path");
  const path = resolve(baseDir, ...location.split(/[\\/]+/));
  const rel = relative(resolve(baseDir), path);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    refuseLocation("is outside the model's directory");
  return path;
}

interface OpenFile {
  handle: fs.FileHandle;
  size: number;
}

export function createExternalDataReader(baseDir: string, options: ExternalDataOptions = {}): ExternalDataReader {
  const open = new Map<string, Promise<OpenFile>>();
  let realBase: Promise<string> | undefined;

  async function openFile(tensor: TensorProto, path: string, location: string): Promise<OpenFile> {
    let pending = open.get(path);
    if (!pending) {
      pending = (async () => {
        realBase ??= fs.realpath(baseDir);
        let real: string;
        try {
          real = await fs.realpath(path);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          refuse(
            tensor,
            `external data file "${location}" cannot be opened (${code ?? (e as Error).message})`,
            path,
            "keep the data file next to the model, under the name its location entry gives",
          );
        }
        const base = await realBase;
        if (real !== base && !real.startsWith(base.endsWith(sep) ? base : base + sep)) {
          refuse(
            tensor,
            `external location "${location}" leads outside the model's directory (through a symbolic link)`,
            path,
          );
        }
        // Only a regular file is opened: a FIFO would block the open, a device would never end.
        try {
          const { handle, stat } = await openRegularFile(real, {
            code: "model/external-data",
            name: `tensor "${tensor.name}": external data file "${location}"`,
            hint: "external data lives in regular files next to the model, not in pipes or devices",
          });
          return { handle, size: stat.size };
        } catch (e) {
          if (isEdgeError(e)) throw new EdgeError(e.code, e.message, { file: path }, e.hint);
          const code = (e as NodeJS.ErrnoException).code;
          if (code === "EISDIR")
            refuse(tensor, `external data file "${location}" is not a regular file (a directory)`, path);
          refuse(tensor, `external data file "${location}" cannot be opened (${code ?? (e as Error).message})`, path);
        }
      })();
      open.set(path, pending);
      pending.catch(() => open.delete(path));
    }
    return pending;
  }

  async function resolveTensor(tensor: TensorProto): Promise<ResolvedExternal & { open: OpenFile }> {
    if (!isExternal(tensor)) refuse(tensor, "is not stored externally", options.modelFile);
    const ref = externalRef(tensor, options.modelFile);
    const file = resolveLocation(baseDir, ref.location, `tensor "${tensor.name}"`, options.modelFile);
    const opened = await openFile(tensor, file, ref.location);
    if (ref.offset > opened.size) {
      refuse(
        tensor,
        `external offset ${ref.offset} is past the end of "${ref.location}" (${opened.size} bytes)`,
        file,
        "the data file looks truncated or belongs to another model",
      );
    }
    const length = ref.length ?? opened.size - ref.offset;
    if (ref.offset + length > opened.size) {
      refuse(
        tensor,
        `external data needs bytes ${ref.offset}..${ref.offset + length} of "${ref.location}", which has only ${opened.size} bytes`,
        file,
        "the data file looks truncated or belongs to another model",
      );
    }
    const bits = dtypeBits(tensor.dataType);
    const elements = tensorElementCount(tensor);
    if (bits > 0 && Number.isFinite(elements)) {
      const expected = bytesForElements(tensor.dataType, elements);
      if (expected !== length)
        refuse(tensor, `external data has ${length} bytes but its dims and type need ${expected}`, file);
    }
    return { ref, file, offset: ref.offset, length, open: opened };
  }

  async function readRange(
    opened: OpenFile,
    offset: number,
    length: number,
    out: Uint8Array = Buffer.allocUnsafe(length),
  ): Promise<Uint8Array> {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await opened.handle.read(out, done, length - done, offset + done);
      if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${offset + done}`);
      done += bytesRead;
    }
    return out;
  }

  /** Reads a resolved tensor's bytes into `out` (its length), verifying the checksum when asked. */
  async function readChecked(
    tensor: TensorProto,
    r: ResolvedExternal & { open: OpenFile },
    out: Uint8Array,
  ): Promise<Uint8Array> {
    try {
      await readRange(r.open, r.offset, r.length, out);
    } catch (e) {
      refuse(tensor, `reading "${r.ref.location}" failed: ${(e as Error).message}`, r.file);
    }
    if (options.verifyChecksums && r.ref.checksum) {
      const digest = createHash("sha1").update(out).digest("hex");
      if (digest !== r.ref.checksum.toLowerCase())
        refuse(tensor, `external data checksum ${digest} does not match the recorded ${r.ref.checksum}`, r.file);
    }
    return out;
  }

  return {
    baseDir,
    async resolve(tensor) {
      const { open: _open, ...resolved } = await resolveTensor(tensor);
      return resolved;
    },
    async read(tensor) {
      const r = await resolveTensor(tensor);
      return readChecked(tensor, r, Buffer.allocUnsafe(r.length));
    },
    async readInto(tensor, target) {
      const r = await resolveTensor(tensor);
      if (target.length !== r.length)
        refuse(tensor, `external data has ${r.length} bytes, but ${target.length} were asked for`, r.file);
      await readChecked(tensor, r, target);
    },
    async *chunks(tensor, chunkBytes = 16 << 20) {
      const r = await resolveTensor(tensor);
      for (let at = 0; at < r.length; at += chunkBytes)
        yield await readRange(r.open, r.offset + at, Math.min(chunkBytes, r.length - at));
    },
    async check(tensors) {
      const files = new Set<string>();
      let totalBytes = 0;
      for (const tensor of tensors) {
        if (!isExternal(tensor)) continue;
        const r = await resolveTensor(tensor);
        files.add(r.file);
        totalBytes += r.length;
      }
      return { files: [...files], totalBytes };
    },
    async close() {
      const pending = [...open.values()];
      open.clear();
      for (const p of pending) {
        try {
          await (await p).handle.close();
        } catch {
          // a file that failed to open has nothing to close
        }
      }
    },
  };
}

/** The default external data file name for a model file name: `model.onnx` → `model.onnx.data`. */
export function defaultDataLocation(modelFileName: string): string {
  return `${modelFileName}.data`;
}

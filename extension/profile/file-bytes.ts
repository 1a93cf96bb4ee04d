// A trace file as a ByteSource (trace-stream.ts, event-text.ts): ranged reads through one file handle, opened on the
// first read and closed by `close()`. VS Code's workspace.fs reads whole files only; traces can be 1 GB.
import { open, type FileHandle } from "node:fs/promises";
import type { ByteSource } from "./trace-stream";

export class FileBytes implements ByteSource {
  private handle: Promise<FileHandle> | undefined;

  constructor(readonly path: string) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.handle ??= open(this.path, "r");
    const handle = await this.handle;
    const buffer = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    // A copy for a short read: a view would carry the whole 4 MB buffer into the webview message.
    return filled === length ? buffer : buffer.slice(0, filled);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await (await handle?.catch(() => undefined))?.close();
  }
}

/** Reads what `use` needs from the file and closes it. */
export async function withFileBytes<T>(path: string, use: (bytes: FileBytes) => Promise<T>): Promise<T> {
  const bytes = new FileBytes(path);
  try {
    return await use(bytes);
  } finally {
    await bytes.close();
  }
}

// The one interface every way of reaching a device implements (local, ssh, adb): run a program there and stream
// its output, copy files both ways, and read what the device is. The pipeline talks to devices only through it.
//
// Programs are given as argument arrays. A transport whose far end is a shell (ssh, adb) quotes every argument
// itself (./shell-quote.ts): no caller ever builds a command string.
import type { DeviceKind, DeviceProbe } from "../../common/devices";

export interface ExecOptions {
  /** Working directory on the device (must exist). */
  cwd?: string;
  /** Extra environment variables for the program. */
  env?: Record<string, string>;
  /** Called with output as it arrives (not line-split; a chunk may end mid-line or mid-character). */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Aborting stops the program on the device (not only the local client) and resolves with `signal` set. */
  signal?: AbortSignal;
  /** Bytes written to the program's stdin, then stdin is closed. Default: stdin closed at once. */
  stdin?: Buffer | string;
}

export interface ExecResult {
  /** The program's exit code; null when it was stopped by a signal or by `ExecOptions.signal`. */
  code: number | null;
  /** "SIGTERM", "SIGKILL", … when the program ended by a signal; "aborted" when `ExecOptions.signal` stopped it. */
  signal?: string;
}

export interface ProbeOptions {
  nodePath?: string;
  look?: boolean;
}

export interface TransferProgress {
  /** The local path (push) or remote path (pull) being copied. */
  path: string;
  doneBytes: number;
  totalBytes: number;
}

export interface TransferOptions {
  onProgress?: (p: TransferProgress) => void;
  signal?: AbortSignal;
}

/**
 * A connection to one device. Errors are EdgeErrors with `transport/…` codes (`not-found`: the ssh or adb program is
 * missing; `unreachable`; `auth`; `disconnected`: the device went away mid-call; `failed`: anything else), with
 * `where.device` set. `close()` releases the connection (the ssh master, for example) and is idempotent.
 */
export interface Transport {
  readonly kind: DeviceKind;
  /** The device's name for messages ("local", the recipe device name, the serial, the ssh host). */
  readonly name: string;
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Copies a local file to `remotePath` (parent folders created); writes to a temporary name then renames. */
  push(localPath: string, remotePath: string, options?: TransferOptions): Promise<void>;
  /** Copies a device file to `localPath`, atomically on the host side. */
  pull(remotePath: string, localPath: string, options?: TransferOptions): Promise<void>;
  /**
   * What the device is; `workdir` is the folder runs use there (created when missing). `nodePath` is the node to ask
   * for its version (a recipe's `runner_path`); default `node` on the device's PATH. `look` changes nothing on the
   * device (the work directory is not created; its free space is its nearest existing folder's).
   */
  probe(workdir: string, options?: ProbeOptions): Promise<DeviceProbe>;
  close(): Promise<void>;
}

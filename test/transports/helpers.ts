// Shared by the transport tests: temporary folders, collecting an exec's output, and waiting for a condition.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import type { ExecOptions, ExecResult, Transport } from "../../engine/transports/transport";

/** A fresh temporary directory, removed when the test file ends. */
export function tempDir(prefix = "edge-transport-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Collected extends ExecResult {
  stdout: string;
  stderr: string;
}

/** Runs argv and collects stdout and stderr as text. */
export async function run(transport: Transport, argv: string[], options: ExecOptions = {}): Promise<Collected> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const result = await transport.exec(argv, {
    ...options,
    onStdout: (c) => {
      out.push(c);
      options.onStdout?.(c);
    },
    onStderr: (c) => {
      err.push(c);
      options.onStderr?.(c);
    },
  });
  return { ...result, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

/** Polls `check` every 20 ms until it is true; false after `limitMs`. */
export async function eventually(check: () => boolean, limitMs: number): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

/** The promise's outcome, or a rejection if it takes longer than `limitMs`. */
export function within<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${limitMs} ms`)), limitMs);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** File names a shell would mangle if anything were not quoted. */
export const HOSTILE_NAMES = [
  `a b'c"d`,
  "$(touch pwned)`id`;*?.bin",
  "naïve – 模型 🚀.onnx",
  "-starts-with-dash",
  "line\nbreak",
  "back\\slash & pipe|",
];

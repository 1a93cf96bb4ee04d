// This machine as a device: exec spawns the program directly (an argument array, no shell) in its own process group,
// so a cancel stops it and everything it started (SIGTERM, then SIGKILL after a grace); push and pull are file
// copies into a temporary name renamed when complete; probe runs the shared probe script on POSIX hosts and asks
// node's `os` on Windows. A leading `~/` in a path means the home folder, as on the other transports.
import { type ChildProcess, spawn } from "node:child_process";
import { createReadStream, createWriteStream, mkdirSync, statSync, statfsSync } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { arch, cpus, freemem, homedir, hostname, platform, release, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DeviceProbe } from "../../common/devices";
import { EdgeError } from "../errors";
import { tempPathFor } from "../fs/atomic";
import { releaseTempPath } from "../fs/temp-paths";
import { ensureDir } from "../fs/write-errors";
import { probeWithShell } from "./probe";
import { envAssignments } from "./shell-quote";
import type { ExecOptions, ExecResult, ProbeOptions, Transport, TransferOptions } from "./transport";

export interface LocalTransportOptions {
  /** The device's name in messages. Default "local". */
  name?: string;
  /** How long a cancelled program gets after SIGTERM before SIGKILL. Default 1000 ms. */
  killGraceMs?: number;
}

/** `~` and `~/…` as the home folder; other paths as they are. */
export function expandHome(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  return path;
}

export class LocalTransport implements Transport {
  readonly kind = "local" as const;
  readonly name: string;
  private readonly killGraceMs: number;

  constructor(options: LocalTransportOptions = {}) {
    this.name = options.name ?? "local";
    this.killGraceMs = options.killGraceMs ?? 1000;
  }

  async exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new EdgeError("internal/bug", "an empty command for the device");
    envAssignments(options.env); // refuses names that are not identifiers, as the remote transports do
    const cwd = options.cwd === undefined ? undefined : expandHome(options.cwd);
    if (cwd !== undefined && !isDirectory(cwd)) {
      throw new EdgeError("transport/failed", `the working directory ${cwd} does not exist on ${this.name}`, {
        where: { device: this.name },
      });
    }
    if (options.signal?.aborted) return { code: null, signal: "aborted" };
    const posix = process.platform !== "win32";
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env: { ...process.env, ...options.env },
      detached: posix,
      stdio: "pipe",
      windowsHide: true,
    });
    child.stdout.on("data", (c: Buffer) => options.onStdout?.(c));
    child.stderr.on("data", (c: Buffer) => options.onStderr?.(c));
    child.stdin.on("error", () => undefined); // the program stopped reading; its status says why
    if (options.stdin === undefined) child.stdin.end();
    else child.stdin.end(options.stdin);

    let aborted = false;
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      aborted = true;
      stopTree(child, "SIGTERM");
      grace = setTimeout(() => stopTree(child, "SIGKILL"), this.killGraceMs);
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await new Promise<ExecResult>((resolveResult, reject) => {
        child.once("error", (e: NodeJS.ErrnoException) => {
          // As a shell would say it: a missing program is status 127, one that cannot be run 126.
          if (e.code === "ENOENT" || e.code === "EACCES") {
            options.onStderr?.(Buffer.from(`${argv[0]}: ${e.code === "ENOENT" ? "not found" : "permission denied"}\n`));
            resolveResult({ code: e.code === "ENOENT" ? 127 : 126 });
          } else
            reject(
              new EdgeError("transport/failed", `cannot run ${argv[0]}: ${e.message}`, {
                where: { device: this.name },
                cause: e,
              }),
            );
        });
        child.once("close", (code, signal) => {
          if (aborted) {
            // the group may hold children that outlived the leader
            if (posix) stopTree(child, "SIGKILL");
            resolveResult({ code: null, signal: "aborted" });
          } else resolveResult(signal ? { code: null, signal } : { code });
        });
      });
    } finally {
      clearTimeout(grace);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  push(localPath: string, remotePath: string, options: TransferOptions = {}): Promise<void> {
    return this.copy(localPath, expandHome(remotePath), localPath, options);
  }

  pull(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<void> {
    return this.copy(expandHome(remotePath), localPath, remotePath, options);
  }

  async probe(workdir: string, options: ProbeOptions = {}): Promise<DeviceProbe> {
    if (process.platform !== "win32") return probeWithShell(this, workdir, options.nodePath, options.look);
    return this.probeWithNode(workdir);
  }

  async close(): Promise<void> {}

  /** Copies `from` to a temporary name beside `to`, then renames it; progress per chunk. */
  private async copy(from: string, to: string, progressPath: string, options: TransferOptions): Promise<void> {
    let totalBytes: number;
    try {
      const st = await stat(from);
      if (!st.isFile()) throw new Error("not a regular file");
      totalBytes = st.size;
    } catch (e) {
      throw new EdgeError("transport/failed", `cannot copy ${from}: ${(e as Error).message}`, {
        where: { device: this.name },
        cause: e,
      });
    }
    await ensureDir(dirname(resolve(to)));
    const tmp = tempPathFor(resolve(to));
    let doneBytes = 0;
    options.onProgress?.({ path: progressPath, doneBytes, totalBytes });
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        doneBytes += chunk.length;
        options.onProgress?.({ path: progressPath, doneBytes, totalBytes });
        done(null, chunk);
      },
    });
    try {
      await pipeline(createReadStream(from), count, createWriteStream(tmp), { signal: options.signal });
      await rename(tmp, to);
    } catch (e) {
      options.signal?.throwIfAborted();
      throw new EdgeError("transport/failed", `cannot copy ${from} to ${to}: ${(e as Error).message}`, {
        where: { device: this.name },
        cause: e,
      });
    } finally {
      await rm(tmp, { force: true });
      releaseTempPath(tmp);
    }
  }

  /** The probe from node's `os` module, for hosts without a POSIX sh (Windows). */
  private probeWithNode(workdir: string): DeviceProbe {
    const dir = resolve(expandHome(workdir));
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new EdgeError("transport/failed", `cannot create the work directory ${dir} on ${this.name}`, {
        where: { device: this.name },
        cause: e,
      });
    }
    const probe: DeviceProbe = {
      os: platform(),
      arch: arch(),
      abi: arch(),
      kernel: release(),
      cores: cpus().length,
      totalMemoryBytes: totalmem(),
      availableMemoryBytes: freemem(),
      workdir: dir,
      node: { path: process.execPath, version: process.version },
    };
    try {
      const fs = statfsSync(dir);
      probe.freeBytes = fs.bavail * fs.bsize;
    } catch {
      // left out: the probe never guesses
    }
    return probe;
  }
}

/** A transport for this machine. */
export function createLocalTransport(options: LocalTransportOptions = {}): LocalTransport {
  return new LocalTransport(options);
}

/** The host's name, for listings. */
export function localAddress(): string {
  return hostname();
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Signals the child's whole process group (POSIX) or its process tree (Windows, through taskkill). */
function stopTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  if (process.platform === "win32") {
    if (child.exitCode === null)
      spawn("taskkill", ["/pid", String(child.pid), "/T", "/F"], { stdio: "ignore", windowsHide: true });
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

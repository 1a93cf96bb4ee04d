// A device reached with the system's OpenSSH client (`ssh`), so the user's ~/.ssh/config, agent, ProxyJump and
// known_hosts apply. One connection serves every call: the first call makes a control master (ControlMaster=auto,
// a socket in a private temporary folder, ControlPersist as a safety net) and `close()` ends it (`ssh -O exit`);
// where ssh has no control masters (Windows) each call connects on its own.
//
// exec runs the program under a small sh wrapper (ssh-wrapper.ts) that reports its pid and exit status on stderr, so
// a cancel kills the remote process through a second exec and a dropped connection is told apart from an exit code.
// push/pull stream the file through exec's stdin/stdout (`cat`), into a temporary name renamed when complete.
import { type ChildProcess, spawn } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import type { Readable, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { DeviceProbe } from "../../common/devices";
import { EdgeError } from "../errors";
import { tempPathFor } from "../fs/atomic";
import { tempName } from "../fs/temp-names";
import { releaseTempPath } from "../fs/temp-paths";
import { ensureDir } from "../fs/write-errors";
import { probeWithShell } from "./probe";
import { type SshOptions, sshBaseArgs, sshCommandArgs, sshControlArgs } from "./ssh-args";
import { sshError, sshNotFound, stderrTail } from "./ssh-errors";
import { KILL_SCRIPT, MarkerFilter, newMarker, statusToResult, wrapperCommand } from "./ssh-wrapper";
import { envAssignments, shellPath, shellQuote } from "./shell-quote";
import type { ExecOptions, ExecResult, ProbeOptions, Transport, TransferOptions } from "./transport";

export type { SshOptions } from "./ssh-args";
export { sshOptionsFromRecipe, sshAddress } from "./ssh-args";

/** How long a cancelled program may take to go away before the local client is stopped too. */
const CANCEL_WAIT_MS = 3000;
/** How long a cancel waits for a program that has not reported its pid yet. */
const PID_WAIT_MS = 2000;
const STDERR_TAIL_BYTES = 8192;

interface RunOptions extends Omit<ExecOptions, "stdin" | "cwd"> {
  /** The working directory as a word made by shellPath. */
  cwdWord?: string;
  /** Bytes for stdin, or a function making the stream to pipe into it once ssh runs. */
  stdin?: Buffer | string | (() => Readable);
  /** Where stdout goes (with back-pressure) besides onStdout. */
  stdoutTo?: Writable;
}

interface RunResult extends ExecResult {
  stderr: string;
}

export class OpenSshTransport implements Transport {
  readonly kind = "ssh" as const;
  readonly name: string;
  private readonly sshPath: string;
  private readonly multiplex: boolean;
  private controlDir?: string;
  private controlPath?: string;
  private connecting?: Promise<void>;
  private closing?: Promise<void>;

  constructor(private readonly options: SshOptions) {
    this.name = options.name ?? options.host;
    this.sshPath = options.sshPath ?? "ssh";
    this.multiplex = options.multiplex ?? process.platform !== "win32";
  }

  /** The control socket's path (undefined without connection sharing, or before the first call). */
  get controlSocket(): string | undefined {
    return this.controlPath;
  }

  async exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new EdgeError("internal/bug", "an empty command for the device");
    const { cwd, ...rest } = options;
    const { code, signal } = await this.run(argv.map(shellQuote), {
      ...rest,
      cwdWord: cwd === undefined ? undefined : shellPath(cwd),
    });
    return signal === undefined ? { code } : { code, signal };
  }

  async push(localPath: string, remotePath: string, options: TransferOptions = {}): Promise<void> {
    let totalBytes: number;
    try {
      totalBytes = statSync(localPath).size;
    } catch (e) {
      throw new EdgeError("transport/failed", `cannot read ${localPath} to copy it to ${this.name}`, {
        where: { device: this.name, file: localPath },
        cause: e,
      });
    }
    const dir = posix.dirname(remotePath);
    const tmp = posix.join(dir, tempName(`.${posix.basename(remotePath)}`));
    const script = [
      `mkdir -p -- "$1" || exit 1`,
      `trap 'rm -f -- "$2"' EXIT`,
      `trap 'exit 143' TERM HUP INT PIPE`,
      `cat > "$2" || exit 1`,
      `n=$(wc -c < "$2")`,
      `[ $n -eq "$4" ] || { echo "received $n of $4 bytes" >&2; exit 1; }`,
      `mv -f -- "$2" "$3"`,
    ].join("\n");
    const words = ["sh", "-c", shellQuote(script), "sh", shellPath(dir), shellPath(tmp), shellPath(remotePath)];
    words.push(String(totalBytes));
    let doneBytes = 0;
    options.onProgress?.({ path: localPath, doneBytes, totalBytes });
    // made when ssh starts: a stream read earlier would flow into nothing
    let input: Readable | undefined;
    const stdin = () => {
      input = createReadStream(localPath);
      input.on("data", (chunk) => {
        doneBytes += chunk.length;
        options.onProgress?.({ path: localPath, doneBytes, totalBytes });
      });
      return input;
    };
    const result = await this.run(words, { stdin, signal: options.signal });
    input?.destroy();
    if (result.signal === "aborted") options.signal?.throwIfAborted();
    if (result.code !== 0) {
      throw new EdgeError("transport/failed", `could not copy ${localPath} to ${remotePath} on ${this.name}`, {
        where: { device: this.name },
        hint: stderrTail(result.stderr) || undefined,
      });
    }
  }

  async pull(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<void> {
    const sizeScript = `[ -f "$1" ] || { echo "not a readable file: $1" >&2; exit 1; }; wc -c < "$1"`;
    let sizeOut = "";
    const sized = await this.run(["sh", "-c", shellQuote(sizeScript), "sh", shellPath(remotePath)], {
      signal: options.signal,
      onStdout: (c) => (sizeOut += c.toString("utf8")),
    });
    if (sized.signal === "aborted") options.signal?.throwIfAborted();
    const totalBytes = Number(sizeOut.trim());
    if (sized.code !== 0 || !Number.isInteger(totalBytes)) {
      throw new EdgeError("transport/failed", `cannot read ${remotePath} on ${this.name}`, {
        where: { device: this.name },
        hint: stderrTail(sized.stderr) || undefined,
      });
    }
    await ensureDir(dirname(localPath));
    const tmp = tempPathFor(localPath);
    try {
      const out = createWriteStream(tmp);
      let doneBytes = 0;
      options.onProgress?.({ path: remotePath, doneBytes, totalBytes });
      const result = await this.run(["cat", "--", shellPath(remotePath)], {
        signal: options.signal,
        stdoutTo: out,
        onStdout: (chunk) => {
          doneBytes += chunk.length;
          options.onProgress?.({ path: remotePath, doneBytes, totalBytes });
        },
      });
      await finished(out).catch(() => undefined);
      if (result.signal === "aborted") options.signal?.throwIfAborted();
      if (result.code !== 0 || doneBytes !== totalBytes) {
        throw new EdgeError("transport/failed", `could not copy ${remotePath} from ${this.name} to ${localPath}`, {
          where: { device: this.name },
          hint:
            stderrTail(result.stderr) ||
            `received ${doneBytes} of ${totalBytes} bytes (did the file change while it was copied?)`,
        });
      }
      await rename(tmp, localPath);
    } finally {
      await rm(tmp, { force: true });
      releaseTempPath(tmp);
    }
  }

  probe(workdir: string, options: ProbeOptions = {}): Promise<DeviceProbe> {
    return probeWithShell(this, workdir, options.nodePath, options.look);
  }

  /** Ends the shared connection (`ssh -O exit`) and removes its folder. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.controlPath) {
        await this.spawnCollect([
          ...sshBaseArgs(this.options),
          "-o",
          `ControlPath=${this.controlPath}`,
          "-O",
          "exit",
          "--",
          this.options.host,
        ]).catch(() => undefined);
      }
      if (this.controlDir) rmSync(this.controlDir, { recursive: true, force: true });
    })();
    return this.closing;
  }

  /** The control options for every call (none without sharing). */
  private control(): string[] {
    return this.controlPath ? sshControlArgs(this.controlPath, this.options.controlPersistS ?? 300) : [];
  }

  /** Makes the control master once, so concurrent first calls share it; errors are mapped and the next call retries. */
  private connect(): Promise<void> {
    if (!this.multiplex) return Promise.resolve();
    if (!this.controlDir) {
      // A short folder: a unix socket's path is limited to ~104 bytes (macOS's tmpdir alone is ~50).
      const base = process.platform !== "win32" && tmpdir().length > 40 ? "/tmp" : tmpdir();
      this.controlDir = mkdtempSync(join(base, "edge-ssh-"));
      this.controlPath = join(this.controlDir, "cm");
    }
    this.connecting ??= (async () => {
      const { code, stderr, error } = await this.spawnCollect(sshCommandArgs(this.options, this.control(), "exit 0"));
      if (error) throw sshNotFound(this.sshPath, this.name, error);
      if (code === 255) throw sshError(stderr, this.name, false);
    })().catch((e: unknown) => {
      this.connecting = undefined;
      throw e;
    });
    return this.connecting;
  }

  /** Runs the ssh program to its end, collecting stderr (for control commands). */
  private spawnCollect(args: string[]): Promise<{ code: number | null; stderr: string; error?: Error }> {
    return new Promise((resolve) => {
      let stderr = "";
      let child: ChildProcess;
      try {
        child = spawn(this.sshPath, args, { stdio: ["ignore", "ignore", "pipe"] });
      } catch (error) {
        resolve({ code: null, stderr, error: error as Error });
        return;
      }
      child.stderr?.on("data", (c: Buffer) => (stderr = (stderr + c.toString("utf8")).slice(-STDERR_TAIL_BYTES)));
      child.once("error", (error) => resolve({ code: null, stderr, error }));
      child.once("close", (code) => resolve({ code, stderr }));
    });
  }

  /** Stops a remote wrapper (and its process group) through another call on the shared connection. */
  private async killRemote(pid: number): Promise<void> {
    const command = ["sh", "-c", shellQuote(KILL_SCRIPT), "sh", String(pid)].join(" ");
    await this.spawnCollect(sshCommandArgs(this.options, this.control(), command));
  }

  private async run(argvWords: string[], options: RunOptions): Promise<RunResult> {
    if (this.closing)
      throw new EdgeError("transport/failed", `the connection to ${this.name} is closed`, {
        where: { device: this.name },
      });
    if (options.signal?.aborted) return { code: null, signal: "aborted", stderr: "" };
    await this.connect();
    const marker = newMarker();
    const env = envAssignments(options.env);
    const remote = wrapperCommand(marker, options.cwdWord, env, argvWords);
    let child: ChildProcess;
    try {
      child = spawn(this.sshPath, sshCommandArgs(this.options, this.control(), remote), { stdio: "pipe" });
    } catch (e) {
      throw sshNotFound(this.sshPath, this.name, e);
    }
    let stderrText = "";
    let pid: number | undefined;
    let status: number | undefined;
    let noCwd = false;
    let aborted = false;
    let onPid: (() => void) | undefined;
    const filter = new MarkerFilter(
      marker,
      (chunk) => {
        stderrText = (stderrText + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
        options.onStderr?.(chunk);
      },
      (record) => {
        if (record.startsWith("pid=")) {
          pid = Number(record.slice(4));
          onPid?.();
        } else if (record.startsWith("exit=")) status = Number(record.slice(5));
        else if (record === "nocwd") noCwd = true;
      },
    );
    child.stderr!.on("data", (c: Buffer) => filter.push(c));
    child.stdout!.on("data", (c: Buffer) => options.onStdout?.(c));
    if (options.stdoutTo) child.stdout!.pipe(options.stdoutTo);
    child.stdin!.on("error", () => undefined); // the far end stopped reading: its status says why
    const input = options.stdin;
    if (input === undefined) child.stdin!.end();
    else if (typeof input === "string" || Buffer.isBuffer(input)) child.stdin!.end(input);
    else input().pipe(child.stdin!);

    const cancel = async () => {
      if (aborted) return;
      aborted = true;
      if (pid === undefined) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, PID_WAIT_MS);
          onPid = () => {
            clearTimeout(timer);
            resolve();
          };
          child.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      if (pid !== undefined && child.exitCode === null) await this.killRemote(pid).catch(() => undefined);
      const stop = setTimeout(() => child.kill("SIGTERM"), pid === undefined ? 0 : CANCEL_WAIT_MS);
      child.once("close", () => clearTimeout(stop));
    };
    const onAbort = () => void cancel();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort(); // aborted while connecting

    try {
      const { code, error } = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
        child.once("error", (e) => resolve({ code: null, error: e }));
        child.once("close", (c) => resolve({ code: c }));
      });
      filter.end();
      if (error) throw sshNotFound(this.sshPath, this.name, error);
      if (aborted) return { code: null, signal: "aborted", stderr: stderrText };
      if (status !== undefined) return { ...statusToResult(status), stderr: stderrText };
      if (noCwd) {
        throw new EdgeError("transport/failed", `the working directory does not exist on ${this.name}`, {
          where: { device: this.name },
        });
      }
      if (code === 255) throw sshError(stderrText, this.name, pid !== undefined);
      if (pid !== undefined) throw sshError(stderrText, this.name, true);
      return { code, stderr: stderrText };
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }
}

/** A transport for one ssh device. */
export function createSshTransport(options: SshOptions): OpenSshTransport {
  return new OpenSshTransport(options);
}

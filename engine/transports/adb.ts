// The adb transport: an Android device through the adb program (`adb -s SERIAL shell|push|pull`), spawned with
// argument arrays. Commands run inside a marker wrapper (./adb-marker.ts) so that the exit status is certain, a
// device that vanished mid-command is `transport/disconnected` (adb 29 exits 0 then) and a cancel kills the remote
// process group through a second `adb shell`. Pushes go to a temporary name and are renamed on the device; pulls
// land in a temporary file beside the target and are renamed into place. A program killed by a signal on the
// device reports the shell's 128+N as its code: a remote shell cannot tell that from an exit with that code.
// Push progress is reported at the start and the end (adb prints its own only to a terminal); pull progress also
// follows the temporary file's size.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import { basename, dirname, posix } from "node:path";
import type { DeviceProbe } from "../../common/devices";
import { EdgeError } from "../errors";
import { commitTempFile, tempPathFor } from "../fs/atomic";
import { releaseTempPath } from "../fs/temp-paths";
import { ensureDir } from "../fs/write-errors";
import { chooseAdbDevice, listAdbDevices } from "./adb-devices";
import { killCommand, MarkerFilter, newMarkerToken, wrapCommand } from "./adb-marker";
import { findAdb } from "./adb-program";
import { probeWithShell } from "./probe";
import { shellCommand } from "./shell-quote";
import type { ExecOptions, ExecResult, ProbeOptions, TransferOptions, Transport } from "./transport";

export interface AdbTransportOptions {
  /** The adb program (the `edge.adb.path` setting); else $ANDROID_HOME/platform-tools/adb, else adb on PATH. */
  adbPath?: string;
  /** The device's serial; without one, the only attached device. */
  serial?: string;
  /** The device's name in messages (the recipe's device name); default the serial. */
  name?: string;
  /** The environment adb runs with (ANDROID_ADB_SERVER_PORT, HOME, …); default this process's. */
  env?: NodeJS.ProcessEnv;
}

/** How long a cancel waits for the remote shell's pid, and between SIGTERM and SIGKILL. */
const PID_WAIT_MS = 1500;
const KILL_GRACE_MS = 700;

/** Finds adb, picks the device (it must be attached and authorized) and returns a transport to it. */
export async function openAdbTransport(options: AdbTransportOptions = {}): Promise<AdbTransport> {
  const adbPath = findAdb({ adbPath: options.adbPath, env: options.env });
  const device = chooseAdbDevice(await listAdbDevices(adbPath, { env: options.env }), options.serial);
  return new AdbTransport(adbPath, device.serial, options.name ?? device.serial, options.env);
}

export class AdbTransport implements Transport {
  readonly kind = "adb" as const;
  private readonly running = new Set<ChildProcess>();
  private closed = false;

  constructor(
    readonly adbPath: string,
    readonly serial: string,
    readonly name: string = serial,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const token = newMarkerToken();
    const command = wrapCommand(argv, { cwd: options.cwd, env: options.env }, token);
    return new Promise<ExecResult>((resolve, reject) => {
      if (options.signal?.aborted) return resolve({ code: null, signal: "aborted" });
      const child = this.spawnAdb(["shell", command]);
      const outFilter = new MarkerFilter(token);
      const errFilter = new MarkerFilter(token);
      let pid: number | undefined;
      let exitCode: number | undefined;
      let aborted = false;
      let adbErrors = "";
      const pidWaiters: ((pid: number | undefined) => void)[] = [];
      const take = (events: ReturnType<MarkerFilter["push"]>["events"]) => {
        for (const e of events) {
          if (e.kind === "pid") {
            pid = e.pid;
            for (const w of pidWaiters.splice(0)) w(pid);
          } else exitCode = e.code;
        }
      };
      child.stdout!.on("data", (chunk: Buffer) => {
        const { output, events } = outFilter.push(chunk);
        take(events);
        if (output.length) options.onStdout?.(output);
      });
      child.stderr!.on("data", (chunk: Buffer) => {
        const { output, events } = errFilter.push(chunk);
        take(events);
        if (output.length) {
          if (pid === undefined) adbErrors = (adbErrors + output.toString("utf8")).slice(-2000);
          options.onStderr?.(output);
        }
      });
      child.stdin!.on("error", () => {});
      if (options.stdin !== undefined) child.stdin!.end(options.stdin);
      else child.stdin!.end();

      const onAbort = () => {
        aborted = true;
        void (async () => {
          const remotePid =
            pid ??
            (await new Promise<number | undefined>((res) => {
              pidWaiters.push(res);
              setTimeout(() => res(undefined), PID_WAIT_MS).unref();
            }));
          if (remotePid !== undefined && child.exitCode === null) {
            await this.quietShell(killCommand(remotePid, "TERM"));
            await new Promise((r) => setTimeout(r, KILL_GRACE_MS).unref());
            if (child.exitCode === null) await this.quietShell(killCommand(remotePid, "KILL"));
          }
          child.kill("SIGTERM");
        })();
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });

      child.on("error", (e: NodeJS.ErrnoException) => {
        options.signal?.removeEventListener("abort", onAbort);
        reject(this.spawnError(e));
      });
      child.on("close", (adbCode) => {
        options.signal?.removeEventListener("abort", onAbort);
        for (const w of pidWaiters.splice(0)) w(undefined);
        const restOut = outFilter.flush();
        if (restOut.length) options.onStdout?.(restOut);
        const restErr = errFilter.flush();
        if (restErr.length) options.onStderr?.(restErr);
        if (aborted) return resolve({ code: null, signal: "aborted" });
        if (exitCode !== undefined) return resolve({ code: exitCode });
        if (pid === undefined) return reject(this.adbError(adbErrors, adbCode, "run a command on"));
        reject(
          new EdgeError(
            "transport/disconnected",
            `the Android device ${this.name} went away while running ${argv[0]}`,
            {
              where: { device: this.name },
              hint: "check the cable (or the network for adb over TCP) and `adb devices`, then run again",
            },
          ),
        );
      });
    });
  }

  async push(localPath: string, remotePath: string, options: TransferOptions = {}): Promise<void> {
    const st = await fs.stat(localPath).catch((e: unknown) => {
      throw new EdgeError("transport/failed", `cannot read ${localPath}: ${(e as Error).message}`, { cause: e });
    });
    const total = st.size;
    options.onProgress?.({ path: localPath, doneBytes: 0, totalBytes: total });
    const tmp = posix.join(
      posix.dirname(remotePath),
      `.${posix.basename(remotePath)}.edge-${randomBytes(6).toString("hex")}.tmp`,
    );
    const out = await this.runTransfer(["push", localPath, tmp], options.signal);
    if (out.aborted || out.code !== 0) {
      await this.quietShell(shellCommand(["rm", "-f", tmp]));
      if (out.aborted) throw abortError(options.signal);
      throw this.transferError(out.text, out.code, `push ${localPath} to`);
    }
    const moved = await this.exec(["mv", "-f", tmp, remotePath]);
    if (moved.code !== 0) {
      await this.quietShell(shellCommand(["rm", "-f", tmp]));
      throw new EdgeError("transport/failed", `cannot rename ${tmp} to ${remotePath} on ${this.name}`, {
        where: { device: this.name },
      });
    }
    options.onProgress?.({ path: localPath, doneBytes: total, totalBytes: total });
  }

  async pull(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<void> {
    let total = 0;
    const sizes: Buffer[] = [];
    const st = await this.exec(["stat", "-c", "%s", remotePath], { onStdout: (c) => sizes.push(c) });
    if (st.code === 0) total = Number(Buffer.concat(sizes).toString("utf8").trim()) || 0;
    options.onProgress?.({ path: remotePath, doneBytes: 0, totalBytes: total });
    await ensureDir(dirname(localPath));
    const tmp = tempPathFor(localPath);
    // adb prints progress only to a terminal: the temporary file's size tells how far it got.
    const poll = options.onProgress
      ? setInterval(() => {
          void fs.stat(tmp).then(
            (s) => options.onProgress?.({ path: remotePath, doneBytes: s.size, totalBytes: Math.max(total, s.size) }),
            () => {},
          );
        }, 250)
      : undefined;
    let out: TransferOutcome;
    try {
      out = await this.runTransfer(["pull", remotePath, tmp], options.signal);
    } finally {
      if (poll) clearInterval(poll);
    }
    if (out.aborted || out.code !== 0) {
      await fs.rm(tmp, { force: true });
      releaseTempPath(tmp);
      if (out.aborted) throw abortError(options.signal);
      throw this.transferError(out.text, out.code, `pull ${remotePath} from`);
    }
    const size = (await fs.stat(tmp)).size;
    await commitTempFile(tmp, localPath);
    options.onProgress?.({ path: remotePath, doneBytes: size, totalBytes: size });
  }

  probe(workdir: string, options: ProbeOptions = {}): Promise<DeviceProbe> {
    return probeWithShell(this, workdir, options.nodePath, options.look);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const child of this.running) child.kill("SIGTERM");
  }

  private spawnAdb(args: string[]): ChildProcess {
    if (this.closed) throw new EdgeError("internal/bug", `the adb transport to ${this.name} is closed`);
    const child = spawn(this.adbPath, ["-s", this.serial, ...args], {
      env: this.env,
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    this.running.add(child);
    child.on("close", () => this.running.delete(child));
    return child;
  }

  /** A short helper command through adb shell whose result does not matter (kill, rm). */
  private quietShell(command: string): Promise<void> {
    return new Promise((resolve) => {
      const child = spawn(this.adbPath, ["-s", this.serial, "shell", command], {
        env: this.env,
        stdio: "ignore",
        windowsHide: true,
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      child.on("error", done);
      child.on("close", done);
    });
  }

  private runTransfer(args: string[], signal?: AbortSignal): Promise<TransferOutcome> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return resolve({ code: null, text: "", aborted: true });
      const child = this.spawnAdb(args);
      child.stdin!.end();
      let text = "";
      const collect = (c: Buffer) => {
        text = (text + c.toString("utf8")).slice(-4000);
      };
      child.stdout!.on("data", collect);
      child.stderr!.on("data", collect);
      let aborted = false;
      const onAbort = () => {
        aborted = true;
        child.kill("SIGTERM");
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      child.on("error", (e: NodeJS.ErrnoException) => {
        signal?.removeEventListener("abort", onAbort);
        reject(this.spawnError(e));
      });
      child.on("close", (code) => {
        signal?.removeEventListener("abort", onAbort);
        resolve({ code, text, aborted });
      });
    });
  }

  private spawnError(e: NodeJS.ErrnoException): EdgeError {
    if (e.code === "ENOENT") {
      return new EdgeError("transport/not-found", `adb not found at ${this.adbPath}`, {
        where: { device: this.name },
        hint: "install Android's platform-tools or set `edge.adb.path`",
        cause: e,
      });
    }
    return new EdgeError("transport/failed", `cannot start adb: ${e.message}`, {
      where: { device: this.name },
      cause: e,
    });
  }

  /** adb's own complaint (device gone, unauthorized, offline) as an EdgeError. */
  private adbError(text: string, code: number | null, doing: string): EdgeError {
    const message = text.trim().split("\n").filter(Boolean).pop() ?? `adb exited with ${code}`;
    const where = { device: this.name };
    if (/unauthorized/i.test(text)) {
      return new EdgeError("transport/auth", `the Android device ${this.name} has not authorized this computer`, {
        where,
        hint: 'unlock the phone and accept the "Allow USB debugging?" prompt, then retry',
      });
    }
    if (/not found|offline|no devices|closed|protocol fault|connection reset/i.test(text)) {
      return new EdgeError("transport/unreachable", `cannot ${doing} the Android device ${this.name}: ${message}`, {
        where,
        hint: "check `adb devices`: the device must be listed as `device`",
      });
    }
    return new EdgeError("transport/disconnected", `the Android device ${this.name} went away (${message})`, { where });
  }

  private transferError(text: string, code: number | null, doing: string): EdgeError {
    const where = { device: this.name };
    const line = text.trim().split("\n").filter(Boolean).pop() ?? `adb exited with ${code}`;
    if (/No space left on device/i.test(text)) {
      return new EdgeError("device/disk-full", `the Android device ${this.name} is full: cannot ${doing} it`, {
        where,
        hint: "free space on the device or choose a `workdir` on a larger partition",
      });
    }
    if (/remote object .* does not exist|No such file/i.test(text)) {
      return new EdgeError("transport/failed", `cannot ${doing} ${this.name}: ${line}`, { where });
    }
    if (/device .*not found|offline|unauthorized|no devices/i.test(text)) return this.adbError(text, code, doing);
    if (code === null || /closed|protocol fault|connection reset|EOF/i.test(text)) {
      return new EdgeError(
        "transport/disconnected",
        `the Android device ${this.name} went away during ${doing.split(" ")[0]}: ${line}`,
        {
          where,
        },
      );
    }
    return new EdgeError("transport/failed", `cannot ${doing} ${this.name}: ${line}`, { where });
  }
}

interface TransferOutcome {
  code: number | null;
  text: string;
  aborted: boolean;
}

function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : Object.assign(new Error("aborted"), { name: "AbortError" });
}

/** The transport's files on the device are named `.<name>.edge-<hex>.tmp` (unused here but for tests). */
export const isAdbTempName = (path: string): boolean => /^\..+\.edge-[0-9a-f]{12}\.tmp$/.test(basename(path));

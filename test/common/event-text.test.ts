// The one renderer of engine events as text (common/event-text.ts): steps, progress, warnings, budget verdicts, the
// report path and the closing summary; as the run terminal shows it (extension/run/run-renderer.ts: colours,
// progress in place, CRLF) and as `edge run` writes it on stderr (engine/cli/human-events.ts: plain lines).
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineEvent } from "../../common/events";
import { EventTextRenderer, terminalText } from "../../common/event-text";
import { humanEventWriter } from "../../engine/cli/human-events";
import { RunRenderer } from "../../extension/run/run-renderer";

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
  {
    type: "budget",
    name: "cosine_min",
    limit: 0.99,
    actual: null,
    unit: "",
    pass: null,
    reason: "no output was compared",
    timeMs: 24,
  },
  { type: "artifact", kind: "report.json", path: "/w/.edge/runs/r1/report.json", timeMs: 25 },
  { type: "artifact", kind: "report.md", path: "/w/.edge/runs/r1/report.md", timeMs: 25 },
  { type: "run/end", ok: false, exitCode: 1, reportPath: "/w/.edge/runs/r1/report.json", timeMs: 26 },
];

void test("the terminal: steps, throttled progress in place, warnings, verdicts and the report, in CRLF", () => {
  const r = new RunRenderer();
  const raw = run.map((e) => r.render(e)).join("");
  assert.match(raw, /\x1b\[32m✓ load/, "colours");
  assert.doesNotMatch(raw.replace(/\r\n/g, ""), /\n/, "every line ends in CRLF");
  const text = plain(raw);
  assert.match(text, /^edge run a\.edge\.yaml on laptop → \/w\/\.edge\/runs\/r1\r\n/);
  assert.match(text, /▸ load m\.onnx\r\n✓ load 12 ms\r\n/);
  assert.match(text, /⚠ dim not bound/);
  assert.match(raw, /\r\x1b\[2K {2}run \[█{5}·{15}\] 1\/4/, "the progress line is rewritten in place");
  assert.doesNotMatch(text, /2\/4/, "progress within 200 ms of the last is skipped");
  assert.match(text, /4\/4\r\n✓ run 2 ms/, "the progress line ends before the next line");
  assert.match(text, /budget ✓ latency_p95_ms: 2\.50 ms \(limit 10\.0 ms\)/);
  assert.match(text, /budget ✗ size_mb: 1\.50 MB \(limit 1\.00 MB\)/);
  assert.match(
    text,
    /budget – cosine_min: not measured \(limit 0\.99\) — no output was compared/,
    "no unit, no stray space",
  );
  assert.match(text, /report: \/w\/\.edge\/runs\/r1\/report\.md/);
  assert.deepEqual(r.summary.exitCode, 1);
  const summary = plain(r.finish(1, false));
  assert.match(summary, /Run failed, budgets 1\/3 passed \(1 failed\), 1 warning \(exit 1\)/);
  assert.match(summary, /report: \/w\/\.edge\/runs\/r1\/report\.md/);
});

void test("errors show their code and hint; a cancelled run says so", () => {
  const r = new RunRenderer();
  const text = plain(
    r.render({ type: "error", code: "recipe/invalid", message: "bad", where: { line: 3 }, hint: "fix it", timeMs: 1 }),
  );
  assert.equal(text, "✗ [recipe/invalid] bad\r\n    hint: fix it\r\n");
  assert.match(plain(r.finish(130, true)), /Run cancelled, 1 error \(exit 130\)/);
});

void test("plain text (edge run's stderr): no colours, progress as lines at most once a second, LF", () => {
  const r = new EventTextRenderer();
  const text = [...run, { type: "progress", step: "run", done: 3, total: 4, timeMs: 1030 } as EngineEvent]
    .map((e) => r.render(e))
    .join("");
  assert.doesNotMatch(text, /\x1b|\r/);
  assert.match(
    text,
    /^edge run a\.edge\.yaml on laptop → \/w\/\.edge\/runs\/r1\n▸ load m\.onnx\n✓ load 12 ms\n⚠ dim not bound\n {2}run \[█{5}·{15}\] 1\/4\n {2}run \[█{20}\] 4\/4\n✓ run 2 ms\n/,
  );
  assert.match(text, /run \[█{15}·{5}\] 3\/4\n$/, "a second after the last progress line, the next one shows");
  assert.equal(
    r.render({ type: "step/end", step: "quantize", ok: false, durationMs: 61_500, timeMs: 2000 }),
    "✗ quantize 1 min 2 s\n",
  );
});

void test("edge run's writer ends the run with the closing summary", () => {
  const out: string[] = [];
  const write = humanEventWriter((t) => out.push(t));
  for (const e of run) write(e);
  const text = out.join("");
  assert.match(text, /budget ✗ size_mb: 1\.50 MB \(limit 1\.00 MB\)\n/);
  assert.match(
    text,
    /\nRun failed, budgets 1\/3 passed \(1 failed\), 1 warning \(exit 1\)\n {2}✓ latency_p95_ms: 2\.50 ms \(limit 10\.0 ms\)\n/,
  );
  assert.match(text, / {2}report: \/w\/\.edge\/runs\/r1\/report\.md\n$/);
});

void test("terminalText turns newlines into CRLF", () => {
  assert.equal(terminalText("a\nb\r\nc"), "a\r\nb\r\nc");
});

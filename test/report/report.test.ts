// Reports: built from a result (budgets folded into the status), rendered as Markdown, written atomically; run
// directories; and the whole path from a real run to report.json and report.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildFailedReport, buildRunReport } from "../../engine/report/build-report";
import { renderReportMarkdown } from "../../engine/report/report-markdown";
import { emitBudgetVerdicts, writeReport } from "../../engine/report/write-report";
import { createRunDir, runIdFor, sanitizeName } from "../../engine/report/run-dir";
import type { RunReport } from "../../common/report";
import { runLocal } from "../../engine/run/run-local";
import { EdgeError } from "../../engine/errors";
import { ENGINE_VERSION } from "../../engine/version";
import { CLS_MODEL, recorder, tempDir } from "../run/helpers";
import { fakeResult } from "./helpers";

void test("a report from a result: budgets checked, an exceeded budget fails the run", () => {
  const report = buildRunReport(fakeResult(), {
    runId: "r1",
    outDir: "/runs/r1",
    recipe: { name: "demo", path: "demo.edge.yaml" },
    budgets: { latency_p95_ms: 40, size_mb: 6 },
    artifacts: [{ kind: "recipe", path: "/runs/r1/recipe.edge.yaml" }],
  });
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.engineVersion, ENGINE_VERSION);
  assert.equal(report.status, "failed");
  assert.deepEqual(report.errors, [
    { code: "budget/failed", message: "budget exceeded: latency_p95_ms: 48.00 ms > 40.00 ms", where: {} },
  ]);
  assert.deepEqual(
    report.budgets.map((b) => [b.name, b.pass]),
    [
      ["latency_p95_ms", false],
      ["size_mb", true],
    ],
  );
  assert.deepEqual(report.latenciesMs, [10, 20, 30, 40, 50]);
  assert.deepEqual(report.warmupLatenciesMs, [99]);
  assert.deepEqual(report.run, {
    warmupRequested: 1,
    warmupDone: 1,
    iterationsRequested: 5,
    iterationsDone: 5,
    seed: 0,
    datasetSamples: 0,
  });
  assert.deepEqual(
    report.artifacts.map((a) => a.path),
    ["report.json", "report.md", "recipe.edge.yaml"],
  );
  assert.equal(
    buildRunReport(fakeResult(), {
      runId: "r1",
      outDir: "/x",
      recipe: { name: "demo" },
      budgets: { latency_p95_ms: 50 },
    }).status,
    "ok",
  );

  const md = renderReportMarkdown(report);
  assert.match(md, /^# demo on laptop\n/);
  assert.match(md, /\*\*✗ failed\*\*/);
  assert.match(md, /\| p50 \| p90 \| p95 \| p99 \| mean \| stdev \| min \| max \|/);
  assert.match(
    md,
    /\| 30\.00 ms \| 46\.00 ms \| 48\.00 ms \| 49\.60 ms \| 30\.00 ms \| 15\.81 ms \| 10\.00 ms \| 50\.00 ms \|/,
  );
  assert.match(md, /\| ✗ \| `latency_p95_ms` \| 40\.00 ms \| 48\.00 ms \|/);
  assert.match(md, /\| ✓ \| `size_mb` \| 6\.000 MB \| 5\.500 MB \|/);
  assert.match(md, /session \| optimization all, sequential, intra-op default, inter-op default; created in 42\.00 ms/);
  assert.match(md, /peak memory \| 150\.0 MB RSS/);
  assert.match(
    md,
    /size on disk \| 5\.50 MB \(5,500,000 bytes, 1 file\)/,
    "bytes in decimal SI units, as the budgets count them",
  );
  assert.match(md, /MB are 10\^6 bytes/);
  assert.match(md, /- \[recipe\.edge\.yaml\]\(recipe\.edge\.yaml\)/);
});

void test("a report of a run that failed before measuring", () => {
  const error = new EdgeError("model/not-found", "cannot read model m.onnx: ENOENT", { file: "m.onnx" });
  const report = buildFailedReport(error, {
    runId: "r2",
    outDir: "/x",
    recipe: { name: "demo" },
    budgets: { size_mb: 1 },
    device: { name: "local", kind: "local" },
    startedAt: new Date(),
  });
  assert.equal(report.status, "failed");
  assert.deepEqual(report.errors, [
    {
      code: "model/not-found",
      message: "cannot read model m.onnx: ENOENT",
      where: { file: "m.onnx" },
      hint: undefined,
    },
  ]);
  assert.deepEqual(report.budgets, [
    { name: "size_mb", limit: 1, actual: null, unit: "", pass: null, reason: "the run failed" },
  ]);
  const md = renderReportMarkdown(report);
  assert.match(md, /- \*\*model\/not-found\*\*: cannot read model m\.onnx: ENOENT/);
  assert.doesNotMatch(md, /## Latency/);
});

void test("run directories: timestamped, sanitized, unique", async () => {
  const root = join(tempDir(), ".edge", "runs");
  const when = new Date(2026, 0, 2, 3, 4, 5);
  assert.equal(runIdFor("My Recipe/v2", "pixel 8!", when), "20260102-030405-My-Recipe-v2-pixel-8");
  assert.equal(sanitizeName("../.."), "x");
  const a = await createRunDir(root, "demo", "laptop", when);
  const b = await createRunDir(root, "demo", "laptop", when);
  assert.equal(a.runId, "20260102-030405-demo-laptop");
  assert.equal(b.runId, "20260102-030405-demo-laptop-2");
  assert.deepEqual(readdirSync(root).sort(), [a.runId, b.runId]);
});

void test("a real run to report.json and report.md", async () => {
  const { dir: outDir, runId } = await createRunDir(join(tempDir(), "runs"), "cls", "local");
  const sink = recorder();
  const result = await runLocal(
    {
      modelPath: CLS_MODEL,
      inputs: { x: { shape: [1, 3, 48, 192] } },
      warmup: 1,
      iterations: 5,
      profile: true,
      outDir,
    },
    sink,
  );
  const report = buildRunReport(result, {
    runId,
    outDir,
    recipe: { name: "cls" },
    budgets: { latency_p95_ms: 10_000, size_mb: 0.1 },
  });
  emitBudgetVerdicts(sink, report.budgets);
  const written = await writeReport(outDir, report, sink);

  assert.deepEqual(readdirSync(outDir).sort(), ["profile.json", "report.json", "report.md"], "no temporary files left");
  const json = JSON.parse(readFileSync(written.jsonPath, "utf8")) as RunReport;
  assert.equal(json.runId, runId);
  assert.equal(json.status, "failed", "size_mb 0.1 is exceeded");
  assert.equal(json.latenciesMs.length, 5);
  assert.ok(json.latency!.p50Ms > 0 && json.latency!.p50Ms <= json.latency!.p95Ms);
  assert.equal(json.profile.path, "profile.json");
  assert.match(json.profile.note!, /Profiling was on/);
  assert.ok(json.profile.summary!.topNodes.length > 0);
  assert.deepEqual(
    json.artifacts.map((a) => a.path),
    ["report.json", "report.md", "profile.json"],
  );
  assert.deepEqual(
    sink.of("budget").map((b) => [b.name, b.pass]),
    [
      ["latency_p95_ms", true],
      ["size_mb", false],
    ],
  );
  assert.deepEqual(
    sink.of("artifact").map((a) => a.kind),
    ["profile.json", "report.json", "report.md"],
  );

  const md = readFileSync(written.markdownPath, "utf8");
  for (const heading of [
    "## Summary",
    "## Latency (5 iterations)",
    "## Budgets",
    "## Profile",
    "### Op types by time",
    "### Top nodes by time",
    "## Files",
  ]) {
    assert.ok(md.includes(`${heading}\n`), `report.md has ${heading}`);
  }
  assert.match(md, /\| `Conv` \| \d+ \| \d+\.\d+ ms \| \d+\.\d% \|/);
  assert.match(md, /- \[profile\.json\]\(profile\.json\)/);
});

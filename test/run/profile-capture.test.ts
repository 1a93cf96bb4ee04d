// Collecting a profile reads onnxruntime's trace as a stream: a trace larger than a JavaScript string can be (600 MB,
// written by the test) is summarized exactly, and a trace that cannot be read to its end (truncated, malformed,
// missing) leaves the run its profile's summary of what was read, a warning and a note in the report, never an error.
// onnxruntime cannot write 600 MB quickly, so the session here is a stand-in whose trace the test writes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, rmSync, statSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectProfile, prepareProfileCapture, readTraceFile } from "../../engine/run/profile-capture";
import type { OrtSession } from "../../engine/run/ort";
import { buildRunReport } from "../../engine/report/build-report";
import { renderReportMarkdown } from "../../engine/report/report-markdown";
import {
  type OrtTraceShape,
  expectedNodeTotals,
  ortEventCount,
  ortKernelUs,
  ortNodeName,
  ortOpType,
  ortTraceChunks,
  writeOrtTrace,
} from "../common/ort-trace";
import { fakeResult } from "../report/helpers";
import { recorder, tempDir } from "./helpers";

/** A session whose endProfiling() returns nothing, as onnxruntime-node 1.30's does: the trace is found in the folder. */
const session = { endProfiling: () => undefined } as unknown as OrtSession;

/** A capture folder holding `write`'s trace, as onnxruntime leaves it. */
async function captured(write: (file: string) => Promise<unknown> | unknown) {
  const outDir = tempDir();
  const capture = await prepareProfileCapture(outDir);
  const file = join(capture.dir, "ort_2026-01-02_03-04-05.json");
  await write(file);
  return { outDir, capture, file };
}

/** Free bytes in the folder the big trace is written to; the 600 MB case needs room for it and the run folder. */
function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

void test("a 600 MB trace (more than a string can hold) is summarized from a stream, exactly", async (t) => {
  if (freeBytes(tmpdir()) < 3e9) return t.skip(`less than 3 GB free in ${tmpdir()} for a 600 MB trace`);
  const shape: OrtTraceShape = { runs: 3200, nodes: 190 };
  const { outDir, capture, file } = await captured(async (f) => {
    const bytes = await writeOrtTrace(f, shape);
    // V8's longest string is 2^29 - 24 characters: reading this trace as one string fails ("Invalid string length").
    assert.ok(bytes > 2 ** 29, `${bytes} bytes`);
    assert.throws(() => "x".repeat(bytes), RangeError);
  });
  const size = statSync(file).size;
  try {
    const sink = recorder();
    const rssBefore = process.memoryUsage().rss;
    const skipRuns = 10;
    const profile = await collectProfile(session, capture, outDir, { skipRuns, maxKernelEvents: 2000, sink });
    t.diagnostic(
      `${(size / 1e6).toFixed(0)} MB trace; RSS ${(rssBefore / 1e6).toFixed(0)} MB before, ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB after`,
    );

    assert.equal(profile.incomplete, undefined);
    assert.equal(profile.path, join(outDir, "profile.json"));
    assert.equal(statSync(profile.path).size, size, "the trace is moved into place whole");
    assert.deepEqual(readdirSync(outDir), ["profile.json"], "the capture folder is removed");
    assert.deepEqual(sink.of("log"), []);

    const summary = profile.summary!;
    assert.equal(summary.runsInTrace, shape.runs);
    assert.equal(summary.runsSummarized, shape.runs - skipRuns);
    assert.equal(summary.nodeCount, shape.nodes);
    const expected = expectedNodeTotals(shape, skipRuns);
    const totalUs = [...expected.values()].reduce((s, n) => s + n.totalUs, 0);
    assert.equal(summary.kernelTimeUs, totalUs);
    assert.equal(summary.topNodes.length, 20);
    for (const row of summary.topNodes) {
      assert.deepEqual(
        [row.calls, row.totalUs],
        [expected.get(row.node)!.calls, expected.get(row.node)!.totalUs],
        row.node,
      );
    }
    const perOp = new Map<string, number>();
    for (let n = 0; n < shape.nodes; n++) {
      const op = ortOpType(n);
      perOp.set(op, (perOp.get(op) ?? 0) + expected.get(ortNodeName(n).text)!.totalUs);
    }
    assert.deepEqual(new Map(summary.opTypes.map((o) => [o.opType, o.totalUs])), perOp);

    // the kernel events: the last run's, in start order
    const kernels = sink.of("kernel");
    assert.equal(profile.kernelEventsEmitted, shape.nodes);
    assert.deepEqual(
      kernels.map((k) => [k.node, k.opType, k.durationUs]),
      Array.from({ length: shape.nodes }, (_, n) => [
        ortNodeName(n).text,
        ortOpType(n),
        ortKernelUs(shape.runs - 1, n),
      ]),
    );
  } finally {
    rmSync(file, { force: true });
    rmSync(join(outDir, "profile.json"), { force: true });
  }
});

void test("a truncated trace (a killed writer) gives the summary of its complete events and says it is incomplete", async () => {
  const shape: OrtTraceShape = { runs: 6, nodes: 5, truncated: true };
  const { outDir, capture } = await captured((f) =>
    writeFileSync(f, [...ortTraceChunks(shape)].join("") + '{"cat" : "Node","pid" :31337,"tid" :3'),
  );
  const sink = recorder();
  const profile = await collectProfile(session, capture, outDir, { skipRuns: 1, maxKernelEvents: 100, sink });
  assert.match(profile.incomplete!, /ends before it is closed.*its 44 complete events/);
  assert.equal(ortEventCount(shape), 44);
  assert.equal(profile.summary!.runsInTrace, 6);
  assert.equal(profile.summary!.runsSummarized, 5);
  assert.equal(profile.kernelEventsEmitted, 5);
  assert.ok(existsSync(join(outDir, "profile.json")), "the trace is kept: Perfetto reads truncated traces");
  assert.deepEqual(
    sink.of("log").map((l) => [l.level, l.message.startsWith("profile incomplete: the trace ends before")]),
    [["warning", true]],
  );
});

void test("a malformed trace gives the summary of the events before the problem and says where it is", async () => {
  const text = [...ortTraceChunks({ runs: 3, nodes: 4 })].join("");
  const at = text.indexOf(",\n", text.indexOf('"model_run"')); // right after the first run's model_run event
  const { outDir, capture } = await captured((f) => writeFileSync(f, `${text.slice(0, at)}@@@${text.slice(at)}`));
  const sink = recorder();
  const profile = await collectProfile(session, capture, outDir, { skipRuns: 0, maxKernelEvents: 100, sink });
  assert.match(
    profile.incomplete!,
    /could not be read to its end \(.* at byte \d+ \(line \d+\)\); the summary covers the \d+ events before/,
  );
  assert.equal(profile.summary!.runsInTrace, 1);
  assert.equal(profile.summary!.runsSummarized, 1);
  assert.equal(profile.summary!.nodeCount, 4);
  assert.equal(profile.path, join(outDir, "profile.json"));
});

void test("no trace at all: a profile with nothing but the reason, and no error", async () => {
  const { outDir, capture } = await captured(() => {});
  rmSync(capture.dir, { recursive: true, force: true });
  const sink = recorder();
  const profile = await collectProfile(session, capture, outDir, { skipRuns: 0, maxKernelEvents: 100, sink });
  assert.match(profile.incomplete!, /onnxruntime's profile could not be found/);
  assert.equal(profile.path, undefined);
  assert.equal(profile.summary, undefined);
  assert.equal(sink.of("log").length, 1);
});

void test("a stop while the trace is read ends the read between chunks, with no profile.json", async () => {
  const { outDir, capture, file } = await captured((f) => writeOrtTrace(f, { runs: 30, nodes: 190 }));
  const controller = new AbortController();
  let seen = 0;
  await assert.rejects(
    readTraceFile(
      file,
      () => {
        if (++seen === 10) controller.abort(new Error("stopped"));
      },
      controller.signal,
    ),
    /stopped/,
  );
  assert.ok(seen < ortEventCount({ runs: 30, nodes: 190 }), "the read stopped early");
  const aborted = new AbortController();
  aborted.abort(new Error("stopped before"));
  await assert.rejects(
    collectProfile(session, capture, outDir, {
      skipRuns: 0,
      maxKernelEvents: 1,
      sink: recorder(),
      signal: aborted.signal,
    }),
    /stopped before/,
  );
  assert.deepEqual(readdirSync(outDir), []);
});

void test("the report keeps an incomplete profile's reason, in report.json and report.md", () => {
  const result = fakeResult();
  result.profile = {
    enabled: true,
    path: "/runs/r/profile.json",
    kernelEventsEmitted: 0,
    incomplete: "the trace ends before it is closed",
  };
  const report = buildRunReport(result, { runId: "r", outDir: "/runs/r", recipe: { name: "demo" } });
  assert.equal(report.status, "ok");
  assert.equal(report.profile.incomplete, "the trace ends before it is closed");
  assert.match(
    report.profile.note!,
    /^The profile is incomplete: the trace ends before it is closed\. Profiling was on/,
  );
  assert.match(renderReportMarkdown(report), /> The profile is incomplete: the trace ends before it is closed\./);
});

// `runRecipe`'s `stopNow` (what a second Ctrl-C of `edge run` fires), as a library call: the call resolves at once
// with an aborted report made from the run's events (the iterations measured so far), written before it returns;
// the profile capture folder is gone; `run/end` is the last event, and the step still in progress says nothing more.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runRecipe } from "../../engine/pipeline";
import type { RunReport } from "../../engine/report/report-types";
import { recorder, tempDir } from "../run/helpers";
import { hiddenEntries, recRecipe } from "./edge-process";

void test("stopNow during the measured iterations: an aborted report of the iterations so far, written at once", async () => {
  const dir = tempDir("edge-stop-now-");
  const file = join(dir, "rec.edge.yaml");
  writeFileSync(file, recRecipe("", "  warmup: 1\n  iterations: 100000\n  profile: true"));
  const stopNow = new AbortController();
  const sink = recorder((e) => {
    if (e.type === "iteration" && !e.warmup && e.index === 1) stopNow.abort();
  });
  const result = await runRecipe(file, { outDir: join(dir, "out"), stopNow: stopNow.signal, sink });

  assert.equal(result.exitCode, 130);
  assert.equal(result.report.status, "aborted");
  // Written before runRecipe returned: the file is the result's report.
  const written = JSON.parse(readFileSync(result.reportPath, "utf8")) as RunReport;
  assert.deepEqual(written, JSON.parse(JSON.stringify(result.report)));
  assert.deepEqual(
    written.latenciesMs,
    sink
      .of("iteration")
      .filter((e) => !e.warmup)
      .map((e) => e.latencyMs),
  );
  assert.equal(written.run.iterationsDone, 2);
  assert.equal(written.run.warmupDone, 1);
  assert.equal(written.latency?.count, 2);
  assert.deepEqual(hiddenEntries(join(dir, "out")), [], "the .profile-* capture folder is removed");
  assert.ok(sink.of("log").some((e) => /stopped at once during run/.test(e.message)));
  assert.deepEqual(sink.events.at(-1), {
    ...sink.events.at(-1),
    type: "run/end",
    ok: false,
    exitCode: 130,
    reportPath: result.reportPath,
  });
  // The run step never ended: it was abandoned, and nothing it emits afterwards is passed on.
  assert.ok(!sink.of("step/end").some((e) => e.step === "run"));
});

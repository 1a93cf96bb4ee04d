// `edge run --device` on an ssh device for real: a private OpenSSH sshd on loopback (test/fixtures/sshd.ts), the
// system ssh client, the node runner pushed to the device's work folder and run there on the tiny LM. Events arrive
// while the run goes on; a second run pushes nothing; Ctrl-C stops the remote runner within 2 s; a device that dies
// mid-run ends the run within 5 s with `transport/disconnected` and the iterations measured so far in the report.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { startSshd } from "../fixtures/sshd";
import {
  alive,
  eventually,
  reportOf,
  sshSkip,
  startEdgeRun,
  tempDir,
  useSshd,
  writeRecipe,
} from "./device-run-helpers";

void describe("edge run on an ssh device", { skip: sshSkip }, () => {
  const ssh = useSshd();

  void test("runs the model there, streams its events live, pulls the profile; a second run pushes nothing", async () => {
    const dir = tempDir();
    const workdir = join(dir, "device work");
    writeRecipe(dir, `{ ssh: { host: ${ssh.sshd.alias} }, workdir: "${workdir}" }`);

    const first = startEdgeRun(dir, ssh.env);
    const { code, exitedAt } = await first.done;
    assert.equal(code, 0, first.stderr());
    const iterations = first.events.filter((e) => e.type === "iteration");
    assert.equal(iterations.filter((e) => e.type === "iteration" && !e.warmup).length, 10);
    assert.ok(
      first.events.some((e) => e.type === "kernel"),
      "kernel events from the device's profile",
    );
    assert.ok(iterations[0].receivedAt <= exitedAt, "the first iteration arrived before edge ended");
    const deploy = first.events.find((e) => e.type === "step/end" && e.step === "deploy");
    assert.ok(deploy && deploy.type === "step/end" && deploy.ok);

    const report = reportOf(first);
    assert.equal(report.status, "ok");
    assert.equal(report.device.kind, "ssh");
    assert.equal(report.device.name, "dev");
    assert.equal(report.device.probe?.workdir, workdir);
    assert.equal(report.device.probe?.os, "linux");
    assert.ok((report.device.probe?.cores ?? 0) >= 1);
    assert.ok(report.device.transfer!.pushedBytes > 1e6, "the first run pushed the runner and the model");
    assert.equal(report.latenciesMs.length, 10);
    const profile = report.artifacts.find((a) => a.kind === "profile.json");
    assert.ok(profile, "profile.json is among the artifacts");
    const profilePath = join(dir, ".edge", "runs", report.runId, "profile.json");
    assert.ok(existsSync(profilePath), `pulled to ${profilePath}`);
    assert.ok(readFileSync(profilePath, "utf8").includes("model_run"), "an onnxruntime profile");
    // The run's folder on the device is gone; the runner and the model stay cached.
    assert.deepEqual(readdirSync(join(workdir, "runs")), []);
    assert.equal(readdirSync(join(workdir, "runners")).length, 1);

    const second = startEdgeRun(dir, ssh.env);
    assert.equal((await second.done).code, 0, second.stderr());
    const again = reportOf(second);
    assert.equal(again.device.transfer!.pushedBytes, 0, "nothing pushed the second time");
    assert.equal(again.device.transfer!.skippedBytes, report.device.transfer!.pushedBytes);
  });

  void test("a dataset's samples travel to the device and feed its iterations", async () => {
    const dir = tempDir();
    const lm = resolve("samples/tiny-lm");
    writeFileSync(
      join(dir, "r.edge.yaml"),
      `name: t
model:
  path: ${join(lm, "model.onnx")}
data:
  text: { path: ${join(lm, "heldout.txt")}, format: text, tokenizer: ${join(lm, "tokenizer.json")}, sequence_length: 32 }
devices:
  dev: { ssh: { host: ${ssh.sshd.alias} }, workdir: "${join(dir, "w")}" }
run: { device: dev, data: text, warmup: 1, iterations: 6 }
`,
    );
    const run = startEdgeRun(dir, ssh.env);
    assert.equal((await run.done).code, 0, run.stderr());
    const report = reportOf(run);
    assert.equal(report.status, "ok");
    assert.ok(report.run.datasetSamples > 1, `fed ${report.run.datasetSamples} samples`);
    assert.equal(report.latenciesMs.length, 6);
    // The runner fed the dataset's token ids: the input comes from the dataset, not made up.
    const ids = report.model?.inputs.find((i) => i.name === "input_ids");
    assert.equal(ids?.source, "dataset", JSON.stringify(report.model?.inputs));
    assert.deepEqual(ids?.shape, [1, 32]);
  });

  void test("runner_path names the device's node when it is not the one on PATH", async () => {
    const dir = tempDir();
    const node = join(dir, "opt node", "bin", "node");
    mkdirSync(dirname(node), { recursive: true });
    symlinkSync(process.execPath, node);
    writeRecipe(
      dir,
      `{ ssh: { host: ${ssh.sshd.alias} }, workdir: "${join(dir, "w")}", runner_path: "${node}" }`,
      "iterations: 3",
    );
    const run = startEdgeRun(dir, ssh.env);
    assert.equal((await run.done).code, 0, run.stderr());
    const report = reportOf(run);
    assert.equal(report.device.probe?.node?.path, node);
    assert.equal(report.device.host?.nodeVersion, process.version);
  });

  void test("Ctrl-C stops the runner on the device within 2 s and keeps what it measured", async () => {
    const dir = tempDir();
    const workdir = join(dir, "work");
    writeRecipe(dir, `{ ssh: { host: ${ssh.sshd.alias} }, workdir: "${workdir}" }`, "warmup: 0, iterations: 1000000");
    const run = startEdgeRun(dir, ssh.env);
    const start = await run.waitFor((e) => e.type === "run/start");
    await run.waitFor((e) => e.type === "iteration" && !e.warmup && e.index >= 3);
    const runId = start.type === "run/start" ? start.runId : "";
    const pid = Number(readFileSync(join(workdir, "runs", runId, "runner.pid"), "utf8"));
    assert.ok(alive(pid), "the runner runs on the device");
    const stoppedAt = Date.now();
    run.kill("SIGINT");
    assert.ok(await eventually(() => !alive(pid), 2000), "the remote runner is gone within 2 s");
    const elapsedMs = Date.now() - stoppedAt;
    const { code } = await run.done;
    assert.equal(code, 130, run.stderr());
    const report = reportOf(run);
    assert.equal(report.status, "aborted");
    assert.ok(report.latenciesMs.length >= 4, `kept ${report.latenciesMs.length} iterations`);
    assert.ok(elapsedMs < 2000);
  });

  void test("a device that dies mid-run ends it within 5 s with transport/disconnected, keeping the iterations", async () => {
    const dying = await startSshd();
    try {
      const dir = tempDir();
      writeRecipe(dir, `{ ssh: { host: ${dying.alias} }, workdir: "${join(dir, "w")}" }`, "iterations: 1000000");
      const run = startEdgeRun(dir, { EDGE_SSH_CONFIG: dying.configFile });
      await run.waitFor((e) => e.type === "iteration" && !e.warmup && e.index >= 3);
      const killedAt = Date.now();
      dying.kill();
      const { code, exitedAt } = await run.done;
      assert.ok(exitedAt - killedAt < 5000, `ended ${exitedAt - killedAt} ms after the device died`);
      assert.equal(code, 5, run.stderr());
      const report = reportOf(run);
      assert.equal(report.status, "failed");
      assert.equal(report.errors[0]?.code, "transport/disconnected", JSON.stringify(report.errors));
      assert.equal(report.errors[0]?.where?.device, "dev");
      assert.ok(report.latenciesMs.length >= 4, `kept ${report.latenciesMs.length} iterations`);
    } finally {
      await dying.stop();
    }
  });

  void test("an ssh host that refuses connections fails the run with transport/unreachable", async () => {
    const dir = tempDir();
    // A port nothing listens on (sshd's own, after it stopped, would race): the discard port on loopback.
    writeRecipe(dir, `{ ssh: { host: 127.0.0.1, port: 9 }, workdir: "${join(dir, "w")}" }`);
    const run = startEdgeRun(dir, {});
    const { code } = await run.done;
    assert.equal(code, 5, run.stderr());
    const report = reportOf(run);
    assert.equal(report.errors[0]?.code, "transport/unreachable", JSON.stringify(report.errors));
  });
});

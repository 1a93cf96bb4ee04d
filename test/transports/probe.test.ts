// The probe: parseProbe on outputs of the probe script as Linux boards, Android (toybox) and macOS print them, and
// probeWithShell through the local transport on this machine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { arch, cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { createLocalTransport } from "../../engine/transports/local";
import { parseProbe, probeScript, probeWithShell } from "../../engine/transports/probe";
import type { ExecOptions, ExecResult } from "../../engine/transports/transport";
import { tempDir } from "./helpers";

const posix = process.platform !== "win32";

// A Raspberry Pi 4 (Debian arm64) with node, a cached runner, and GNU df wrapping a long device name.
const LINUX_ARM64 = `os=Linux
machine=aarch64
kernel=6.1.0-rpi7-rpi-v8
cores=4
memtotal_kb=3884096
memavail_kb=3270104
workdir=/home/pi/.edge
df=                      29542476 5386228  22628952  20% /
runner=runners/3f9a0c1d/ready
node_path=/usr/bin/node
node_version=v18.19.0
`;

// A Pixel 7 through adb: toybox df, getprop, no node, no runners yet.
const ANDROID = `os=Linux
machine=aarch64
kernel=5.10.157-android13-4-00001-g5c9e8b5a4c2e-ab10135183
cores=8
memtotal_kb=7813352
memavail_kb=3112044
android.release=14
android.sdk=34
android.manufacturer=Google
android.model=Pixel 7
android.soc=Tensor G2
android.board=gs201
android.device=panther
android.abi=arm64-v8a
workdir=/data/local/tmp/edge
df=/dev/block/dm-46 114812736 28431104  86250560  25% /data
`;

// An Apple silicon Mac: no /proc/meminfo (sysctl instead), BSD df with inode columns.
const MACOS = `os=Darwin
machine=arm64
kernel=23.4.0
cores=10
memtotal_b=17179869184
workdir=/Users/ada/.edge
df=/dev/disk3s5   482797652 301255608 159868436    66% 3183580 1598684360    0%   /System/Volumes/Data
node_path=/opt/homebrew/bin/node
node_version=v20.12.2
`;

void test("parseProbe reads a Linux arm64 board", () => {
  assert.deepEqual(parseProbe(LINUX_ARM64, "~/.edge"), {
    os: "linux",
    arch: "arm64",
    abi: "aarch64",
    kernel: "6.1.0-rpi7-rpi-v8",
    cores: 4,
    totalMemoryBytes: 3884096 * 1024,
    availableMemoryBytes: 3270104 * 1024,
    workdir: "/home/pi/.edge",
    freeBytes: 22628952 * 1024,
    node: { path: "/usr/bin/node", version: "v18.19.0" },
    cachedRunners: ["3f9a0c1d"],
  });
});

void test("parseProbe reads an Android phone (getprop, toybox df)", () => {
  const p = parseProbe(ANDROID, "/data/local/tmp/edge");
  assert.equal(p.os, "android");
  assert.equal(p.arch, "arm64");
  assert.equal(p.abi, "arm64-v8a");
  assert.equal(p.cores, 8);
  assert.equal(p.freeBytes, 86250560 * 1024);
  assert.deepEqual(p.android, {
    release: "14",
    sdk: 34,
    manufacturer: "Google",
    model: "Pixel 7",
    soc: "Tensor G2",
    device: "panther",
  });
  assert.equal(p.node, undefined);
  assert.equal(p.cachedRunners, undefined);
  // an older phone without ro.soc.model falls back to the board; empty getprop values are left out
  const old = parseProbe(
    ANDROID.replace("android.soc=Tensor G2\n", "android.soc=\n").replace("android.release=14", "android.release="),
    "/x",
  );
  assert.equal(old.android?.soc, "gs201");
  assert.equal("release" in old.android!, false);
});

void test("parseProbe reads macOS (sysctl memory, BSD df columns)", () => {
  const p = parseProbe(MACOS, "~/.edge");
  assert.equal(p.os, "darwin");
  assert.equal(p.arch, "arm64");
  assert.equal(p.totalMemoryBytes, 17179869184);
  assert.equal(p.availableMemoryBytes, undefined);
  assert.equal(p.freeBytes, 159868436 * 1024);
  assert.deepEqual(p.node, { path: "/opt/homebrew/bin/node", version: "v20.12.2" });
});

void test("parseProbe never guesses: missing or malformed fields stay out; the fallback workdir is used", () => {
  const p = parseProbe(
    "os=Linux\nmachine=riscv64\ncores=lots\ndf=garbage\nnode_path=/x/node\nnode_version=oops\n",
    "/w",
  );
  assert.deepEqual(p, { os: "linux", arch: "riscv64", abi: "riscv64", workdir: "/w" });
  assert.equal(parseProbe("workdir_error=1\n", "/w").workdirError, true);
});

void test("probeWithShell through the local transport is this machine", { skip: !posix }, async () => {
  const workdir = join(tempDir(), "edge work");
  const probe = await probeWithShell(createLocalTransport(), workdir);
  assert.equal(probe.arch, arch());
  assert.equal(probe.cores, cpus().length);
  assert.equal(probe.totalMemoryBytes, totalmem());
  assert.equal(probe.workdir, workdir);
  assert.equal(probe.os, process.platform);
});

void test(
  "probeWithShell: a work folder that cannot be made, and a failing shell, are transport/failed",
  { skip: !posix },
  async () => {
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "");
    await assert.rejects(
      probeWithShell(createLocalTransport(), join(file, "sub")),
      (e: Error & { code?: string; hint?: string }) => {
        assert.equal(e.code, "transport/failed");
        assert.match(e.hint ?? "", /workdir/);
        return true;
      },
    );
    const failing = {
      name: "broken",
      exec: async (_argv: string[], options?: ExecOptions): Promise<ExecResult> => {
        options?.onStderr?.(Buffer.from("sh: not found\n"));
        return { code: 127 };
      },
    };
    await assert.rejects(probeWithShell(failing, "/w"), {
      code: "transport/failed",
      message: /exit 127.*sh: not found/,
    });
    assert.match(probeScript("~/e d", "/opt/node 20/bin/node"), /"\$HOME"\/'e d'/);
  },
);

void test("a looking probe changes nothing: a missing work folder is not made, its free space is its parent's", async () => {
  const base = mkdtempSync(join(tmpdir(), "edge-probe-look-"));
  try {
    const workdir = join(base, "not", "yet");
    const probe = await createLocalTransport().probe(workdir, { look: true });
    assert.equal(existsSync(join(base, "not")), false, "nothing made");
    assert.equal(probe.workdir, workdir);
    assert.ok((probe.freeBytes ?? 0) > 0, "free space of the nearest existing folder");
    assert.equal(probe.cachedRunners, undefined);
    // The run's probe makes it.
    const made = await createLocalTransport().probe(workdir);
    assert.equal(existsSync(workdir), true);
    assert.equal(made.workdir, realpathSync(workdir));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

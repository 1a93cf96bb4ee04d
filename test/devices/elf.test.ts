// The ELF reader on real files: Debian's arm64 glibc, onnxruntime-node's shared objects for linux x64 and arm64, this
// machine's node; and clear errors for what is not ELF or is cut short.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ELF_ARCH, parseElf, readElfFile } from "../../engine/devices/elf";
import { isEdgeError } from "../../engine/errors";

const ORT_BIN = "node_modules/onnxruntime-node/bin/napi-v6/linux";
const ARM64_LIBC = "/usr/lib/aarch64-linux-gnu/libc.so.6";

const fromBytes = (bytes: Uint8Array) => (offset: number, length: number) => bytes.subarray(offset, offset + length);

void test("onnxruntime's binding for linux x64: 64-bit little-endian x86_64, needs libonnxruntime.so.1 and libc, runpath $ORIGIN", () => {
  const info = readElfFile(join(ORT_BIN, "x64", "onnxruntime_binding.node"));
  assert.equal(info.bits, 64);
  assert.equal(info.littleEndian, true);
  assert.equal(info.machineName, "x86_64");
  assert.equal(ELF_ARCH[info.machine], "x64");
  assert.equal(info.type, 3); // a shared object
  assert.ok(info.needed.includes("libonnxruntime.so.1"), info.needed.join(" "));
  assert.ok(info.needed.includes("libc.so.6"));
  assert.match((info.runpath ?? info.rpath ?? []).join(":"), /^\$ORIGIN\/?$/);
});

void test("onnxruntime's library for linux arm64: aarch64, its soname, and the glibc parts it needs", () => {
  const info = readElfFile(join(ORT_BIN, "arm64", "libonnxruntime.so.1"));
  assert.equal(info.machineName, "aarch64");
  assert.equal(ELF_ARCH[info.machine], "arm64");
  assert.equal(info.soname, "libonnxruntime.so.1");
  for (const lib of ["libstdc++.so.6", "libm.so.6", "libgcc_s.so.1", "libc.so.6", "ld-linux-aarch64.so.1"])
    assert.ok(info.needed.includes(lib), `${lib} in ${info.needed.join(" ")}`);
  assert.equal(info.interpreter, undefined); // a library names no loader
});

void test("Debian's arm64 libc.so.6: soname, the loader it needs, and its interpreter", (t) => {
  if (!existsSync(ARM64_LIBC)) return t.skip(`${ARM64_LIBC} is absent (apt install libc6:arm64)`);
  const info = readElfFile(ARM64_LIBC);
  assert.equal(info.machineName, "aarch64");
  assert.equal(info.soname, "libc.so.6");
  assert.deepEqual(info.needed, ["ld-linux-aarch64.so.1"]);
  // libc.so.6 is runnable: it names the loader as its interpreter.
  assert.equal(info.interpreter, "/lib/ld-linux-aarch64.so.1");
});

void test("this machine's node binary: an executable that names its loader", () => {
  const info = readElfFile(process.execPath);
  assert.equal(ELF_ARCH[info.machine], process.arch);
  assert.match(info.interpreter ?? "", /ld-linux/);
  assert.ok(info.needed.includes("libc.so.6"));
});

void test("not ELF, a cut-off file and a missing file are device/runner errors naming the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-elf-test-"));
  try {
    const text = join(dir, "text.so");
    writeFileSync(text, "#!/bin/sh\necho not a library\n");
    assert.throws(
      () => readElfFile(text),
      (e) => isEdgeError(e) && e.code === "device/runner" && /not an ELF file/.test(e.message) && e.where.file === text,
    );
    // The first 64 bytes of a real library: the header is there, its program header table is not.
    const whole = readFileSync(join(ORT_BIN, "x64", "libonnxruntime.so.1"));
    const cut = join(dir, "cut.so");
    writeFileSync(cut, whole.subarray(0, 64));
    assert.throws(
      () => readElfFile(cut),
      (e) => isEdgeError(e) && /truncated program header table/.test(e.message),
    );
    assert.throws(
      () => readElfFile(join(dir, "missing.so")),
      (e) => isEdgeError(e) && /cannot open/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test("parseElf reads from any byte source: the same answer from memory as from the file", () => {
  const path = join(ORT_BIN, "arm64", "onnxruntime_binding.node");
  const fromFile = readElfFile(path);
  const fromMemory = parseElf(fromBytes(readFileSync(path)));
  assert.deepEqual(fromMemory, fromFile);
  assert.ok(fromFile.needed.includes("libonnxruntime.so.1"));
});

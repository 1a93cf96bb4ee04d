// onnxruntime's native files for a device this installation has none for (a .vsix carries only its own platform's):
// fetched once from npm's onnxruntime-node of the same version, byte-identical to the package's, then reused.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ensureOrtBinaries } from "../../engine/devices/ort-runtime";
import { ortBinaryDir, ortPackageDirs, ortSources } from "../../engine/devices/runner-bundle-sources";

const cacheDir = mkdtempSync(join(tmpdir(), "edge-ort-runtime-"));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

void test("linux/arm64's files come from npm's onnxruntime-node, identical to the package's, once", async () => {
  const dirs = ortPackageDirs();
  const bin = await ensureOrtBinaries({ os: "linux", arch: "arm64", ortDir: dirs.node, cacheDir });
  const installed = ortBinaryDir(dirs.node, "linux", "arm64");
  assert.deepEqual(readdirSync(bin).sort(), readdirSync(installed).sort());
  for (const name of readdirSync(bin))
    assert.ok(readFileSync(join(bin, name)).equals(readFileSync(join(installed, name))), `${name} is the package's`);

  // Cached: a second call needs no npm at all.
  const again = await ensureOrtBinaries({
    os: "linux",
    arch: "arm64",
    ortDir: dirs.node,
    cacheDir,
    npm: "/nonexistent/npm",
  });
  assert.equal(again, bin);

  // A bundle's onnxruntime part then takes the fetched binaries.
  const sources = ortSources("linux", "arm64", dirs, bin);
  const binaries = sources.filter((s) => s.rel.startsWith("node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/"));
  assert.deepEqual(
    binaries.map((s) => s.source).sort(),
    readdirSync(bin)
      .map((n) => join(bin, n))
      .sort(),
  );
});

void test("without npm (offline) the error names the package and the way out", async () => {
  const dirs = ortPackageDirs();
  await assert.rejects(
    ensureOrtBinaries({ os: "linux", arch: "x64", ortDir: dirs.node, cacheDir, npm: "/nonexistent/npm" }),
    (e: Error & { code?: string; hint?: string }) =>
      e.code === "device/runner" && /onnxruntime-node@/.test(e.message) && /npm/.test(e.hint ?? ""),
  );
});

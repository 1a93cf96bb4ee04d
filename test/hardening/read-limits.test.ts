// The regular-file reader's size limits (readers that hold a whole file in memory): a file over the limit is refused
// with the reader's code before it is read, a file that reports no size (/proc) is read to its end and still held
// to the limit, and a recipe over MAX_RECIPE_BYTES (64 MB) is recipe/invalid.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { EdgeError } from "../../engine/errors";
import { readRegularFile, readRegularTextFile } from "../../engine/fs/regular-file";
import { loadRecipe } from "../../engine/recipe";
import { MAX_RECIPE_BYTES } from "../../engine/recipe/load-recipe";

const dir = mkdtempSync(join(tmpdir(), "edge-read-limits-"));
after(() => rmSync(dir, { recursive: true, force: true }));

void test("a file over maxBytes is refused with the reader's code; one at the limit is read whole", async () => {
  const path = join(dir, "hundred.bin");
  writeFileSync(path, new Uint8Array(100).fill(7));
  assert.equal((await readRegularFile(path, { code: "data/invalid", maxBytes: 100 })).length, 100);
  await assert.rejects(readRegularFile(path, { code: "data/invalid", maxBytes: 99 }), (e: unknown) => {
    assert.ok(e instanceof EdgeError);
    assert.equal(e.code, "data/invalid");
    assert.match(e.message, /hundred\.bin is 100 B \(100 bytes\), more than the 99 B it may have/);
    return true;
  });
});

void test("a file that reports size 0 (/proc) is read to its end, and held to the limit", async () => {
  const status = await readRegularTextFile("/proc/self/status", { code: "data/invalid" });
  assert.match(status, /^Name:/m);
  assert.ok(status.length > 100);
  await assert.rejects(
    readRegularFile("/proc/self/status", { code: "data/invalid", maxBytes: 10 }),
    (e: unknown) => e instanceof EdgeError && /is over 10 B \(10 bytes\), more than the 10 B/.test(e.message),
  );
});

void test("a missing file and a directory keep fs's own errors, for the callers' wording", async () => {
  await assert.rejects(readRegularFile(join(dir, "missing"), { code: "data/invalid" }), { code: "ENOENT" });
  await assert.rejects(readRegularFile(dir, { code: "data/invalid" }), { code: "EISDIR" });
});

void test("a recipe over the limit (64 MB) is recipe/invalid, without parsing it", async () => {
  const path = join(dir, "huge.edge.yaml");
  writeFileSync(path, `name: huge\nmodel: { path: m.onnx }\n# ${"x".repeat(MAX_RECIPE_BYTES)}\n`);
  await assert.rejects(loadRecipe(path), (e: unknown) => {
    assert.ok(e instanceof EdgeError);
    assert.equal(e.code, "recipe/invalid");
    assert.match(
      e.message,
      /recipe .*huge\.edge\.yaml is [\d.]+ MB \(\d+ bytes\), more than the 64\.0+ MB it may have/,
    );
    return true;
  });
});

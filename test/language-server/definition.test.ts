// Go to definition: from `run.device` to the device's key, from dataset references to the dataset's key, from a
// path to its file (only when it is a file), and nothing elsewhere.
import assert from "node:assert/strict";
import { relative } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { markedDoc, service, sileroModel, tempDir, writeFiles, yaml } from "./structure-helpers";

void test("run.device and the dataset references go to their keys", async () => {
  const { document, at } = markedDoc(
    tempDir(),
    yaml`
    name: x
    model: { path: ${sileroModel} }
    data:
      ⟨here⟩calib: { path: c.npy, format: npy }
      ⟨here⟩"eval": { path: e.npz, format: npz }
    quantize: { method: int8-static, calibration: { data: cal⟨here⟩ib } }
    devices:
      laptop: { local: {} }
      ⟨here⟩pixel8: { adb: {} }
    run: { device: ⟨here⟩pixel8, data: "eval⟨here⟩" }
    evaluate: { data: ⟨here⟩eval }
  `,
  );
  const s = service();
  const target = async (at: { line: number; character: number }) =>
    (await s.findDefinition(document, at)).map((l) => `${l.range.start.line}:${l.range.start.character}`);
  const key = (p: { line: number; character: number }) => `${p.line}:${p.character}`;
  assert.deepEqual(await target(at[2]), [key(at[0])]);
  assert.deepEqual(await target(at[4]), [key(at[3])]);
  assert.deepEqual(await target(at[5]), [key(at[1])]);
  assert.deepEqual(await target(at[6]), [key(at[1])]);
  const [location] = await s.findDefinition(document, at[4]);
  assert.equal(location.uri, document.uri);
  // On the definition itself, and on an ordinary value: nothing.
  assert.deepEqual(await s.findDefinition(document, at[0]), []);
  assert.deepEqual(await s.findDefinition(document, { line: 5, character: 22 }), []);
});

void test("a path goes to its file when it is a file; not to a folder or a missing file", async () => {
  const dir = tempDir();
  writeFiles(dir, { "data/calib/0.npy": "x" });
  const { document, at } = markedDoc(
    dir,
    yaml`
    name: x
    model:
      path: ⟨here⟩${relative(dir, sileroModel)}
    data:
      calib: { path: ⟨here⟩data/calib, format: npy }
      gone: { path: ⟨here⟩data/gone.npz, format: npz }
  `,
  );
  const s = service();
  assert.deepEqual(await s.findDefinition(document, at[0]), [
    {
      uri: pathToFileURL(sileroModel).href,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    },
  ]);
  assert.deepEqual(await s.findDefinition(document, at[1]), []);
  assert.deepEqual(await s.findDefinition(document, at[2]), []);
});

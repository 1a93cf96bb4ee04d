// Rename of devices and datasets: prepareRename's range (or null), every occurrence edited (quotes kept), and
// refusals with a reason for invalid or taken names.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ResponseError } from "vscode-languageserver";
import { parse } from "yaml";
import { applyWorkspaceEdit, markedDoc, service, sileroModel, tempDir, yaml } from "./structure-helpers";

const recipe = yaml`
  name: x
  model: { path: ${sileroModel} }
  data:
    ⟨here⟩calib⟨here⟩: { path: c.npy, format: npy }
    eval: { path: e.npz, format: npz }
  quantize: { method: int8-static, calibration: { data: "cal⟨here⟩ib" } }
  devices:
    laptop: { local: {} }
    pixel8: { adb: {} }
  run: { device: pix⟨here⟩el8, data: calib }
  evaluate: { data: eval, metrics: [cosine] }
`;

void test("prepareRename: the name's range on definitions and uses, without quotes; null elsewhere", () => {
  const { document, at } = markedDoc(tempDir(), recipe);
  const s = service();
  assert.deepEqual(s.prepareRename(document, at[0]), { start: at[0], end: at[1] });
  const quoted = s.prepareRename(document, at[2]);
  assert.equal(quoted && document.getText(quoted), "calib");
  assert.equal(s.prepareRename(document, { line: 1, character: 3 }), null);
  assert.equal(s.prepareRename(document, { line: 5, character: 24 }), null);
});

void test("renaming a dataset edits its key and every use, keeping quotes; renaming a device from its use", () => {
  const { document, at } = markedDoc(tempDir(), recipe);
  const s = service();
  const renamed = applyWorkspaceEdit(document, s.doRename(document, at[0], "calibration"));
  const data = parse(renamed.getText()) as {
    data: object;
    quantize: { calibration: { data: string } };
    run: { data: string; device: string };
  };
  assert.deepEqual(Object.keys(data.data), ["calibration", "eval"]);
  assert.equal(data.quantize.calibration.data, "calibration");
  assert.equal(data.run.data, "calibration");
  assert.match(renamed.getText(), /data: "calibration"/);

  const device = applyWorkspaceEdit(document, s.doRename(document, at[3], "pixel9"));
  assert.match(device.getText(), /\n {2}pixel9: \{ adb: \{\} \}\n/);
  assert.match(device.getText(), /device: pixel9,/);
});

void test("a name YAML would read as a number is quoted; invalid and taken names are refused with a reason", () => {
  const { document, at } = markedDoc(tempDir(), recipe);
  const s = service();
  const numeric = applyWorkspaceEdit(document, s.doRename(document, at[3], "8"));
  const data = parse(numeric.getText()) as { devices: Record<string, unknown>; run: { device: unknown } };
  assert.equal(data.run.device, "8");
  assert.ok("8" in data.devices);
  assert.throws(
    () => s.doRename(document, at[3], "my phone"),
    (e) => e instanceof ResponseError && /not a valid device name/.test(e.message),
  );
  assert.throws(
    () => s.doRename(document, at[0], "eval"),
    (e) => e instanceof ResponseError && /a dataset named `eval` already exists/.test(e.message),
  );
  assert.equal(s.doRename(document, { line: 1, character: 3 }, "y"), null);
});

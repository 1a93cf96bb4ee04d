// The Devices view in an untrusted workspace: one message item saying why devices are not listed, and no listing
// (the extension starts no `edge devices`, which would run adb and ssh).
// Wiring (the lead): `import "./devices";` in suite-untrusted/index.ts.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { edgeApi } from "../suite/helpers";
import { test } from "../suite/runner";

test("devices: the Devices view says devices need a trusted workspace, and nothing is listed", async () => {
  const api = await edgeApi();
  assert.equal(vscode.workspace.isTrusted, false);
  // Showing the view is what starts watching in a trusted workspace.
  await vscode.commands.executeCommand("edge.devices.focus");
  assert.deepEqual(api.devices.viewLabels(), ["Devices need a trusted workspace"]);
  assert.deepEqual(api.devices.list(), []);
});

// Reading a recipe's devices cheaply (extension/run/recipe-devices.ts), for tasks, CodeLens and the status bar.
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { defaultDevice, readRecipeDevices, runnableDevices } from "../../extension/run/recipe-devices";

void test("devices in order, run.device as the default", async () => {
  const info = await readRecipeDevices(
    "name: r\ndevices:\n  laptop: { local: {} }\n  pi:\n    ssh: { host: pi }\nrun:\n  device: pi\n",
  );
  assert.deepEqual(info, { name: "r", devices: ["laptop", "pi"], runDevice: "pi" });
  assert.equal(defaultDevice(info), "pi");
});

void test("no devices: the implicit local one; an unknown run.device falls back to the first", async () => {
  const none = await readRecipeDevices("name: r\nmodel: { path: m.onnx }\n");
  assert.deepEqual(runnableDevices(none), ["local"]);
  assert.equal(defaultDevice(none), "local");
  assert.equal(defaultDevice(await readRecipeDevices("devices: { a: { local: {} } }\nrun: { device: zz }\n")), "a");
});

void test("broken or non-map YAML reads as no devices", async () => {
  assert.deepEqual((await readRecipeDevices("- a\n- b\n")).devices, []);
  assert.deepEqual((await readRecipeDevices("devices: [\n")).devices, []);
});

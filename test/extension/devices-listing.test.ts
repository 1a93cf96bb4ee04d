// The device listing as the editor reads it (extension/devices/device-listing.ts, device-model.ts, device-text.ts):
// recorded `edge devices --json --watch` lines, live updates merged into what the Devices view shows.
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { attachedAdbDevices, mergeListing, modelOf, parseListingLine } from "../../extension/devices/device-listing";
import { DeviceModel } from "../../extension/devices/device-model";
import { describeDevice, deviceDetails } from "../../extension/devices/device-text";
import { configHost, jetson, line, local, pixelListed, pixelProbed, unauthorized } from "./devices-fixtures";

void test("a listing line: devices in view order (local, adb, ssh), entries that are not listings dropped", () => {
  const parsed = parseListingLine(
    JSON.stringify({
      devices: [jetson, { name: "x", kind: "serial", address: "", state: "", source: "" }, pixelListed, local, 7],
    }),
  );
  assert.ok(parsed);
  assert.deepEqual(
    parsed.devices.map((d) => d.name),
    ["local", "1A2B3C4D", "jetson"],
  );
  assert.equal(parsed.dropped, 2);
});

void test("lines that are not listings are not taken for one", () => {
  for (const text of ["", "starting adb server", "{", '{"type":"log","message":"x"}', '{"devices":{}}', "[1]"])
    assert.equal(parseListingLine(text), undefined, text);
  assert.deepEqual(parseListingLine('  {"devices": []}\r')?.devices, []);
});

void test("a probe without os/arch is dropped, a malformed error too; the device stays", () => {
  const parsed = parseListingLine(
    JSON.stringify({ devices: [{ ...pixelListed, probe: { cores: 4 }, error: { code: 1 } }] }),
  );
  assert.deepEqual(parsed?.devices, [pixelListed]);
});

void test("live updates: a phone attaches, its probe arrives, it detaches", () => {
  const model = new DeviceModel();
  let changes = 0;
  model.onDidChange(() => changes++);
  assert.equal(model.listed, false);

  model.acceptLine(line([local]));
  assert.equal(model.listed, true);
  assert.equal(changes, 1);

  const attached = model.acceptLine(line([local, pixelListed]));
  assert.deepEqual(
    attached?.added.map((d) => d.name),
    ["1A2B3C4D"],
  );
  assert.equal(changes, 2);
  assert.deepEqual(attachedAdbDevices(model.devices), [pixelListed]);

  model.acceptLine(line([local, pixelProbed]));
  assert.equal(model.devices[1].probe?.android?.soc, "Tensor G3");
  assert.equal(changes, 3);

  // The same listing again changes nothing.
  const same = model.acceptLine(line([local, pixelProbed]));
  assert.equal(same?.changed, false);
  assert.equal(changes, 3);

  const detached = model.acceptLine(line([local]));
  assert.deepEqual(
    detached?.removed.map((d) => d.name),
    ["1A2B3C4D"],
  );
  assert.deepEqual(attachedAdbDevices(model.devices), []);
  assert.equal(changes, 4);
});

void test("merging keeps a probe the engine did not repeat while the state is the same, not across a state change", () => {
  const kept = mergeListing([pixelProbed], [pixelListed]);
  assert.equal(kept.devices[0].probe?.android?.model, "Pixel 8");
  assert.equal(kept.changed, false);

  const offline = mergeListing([pixelProbed], [{ ...pixelListed, state: "offline" }]);
  assert.equal(offline.devices[0].probe, undefined);
  assert.equal(offline.changed, true);

  const failed = mergeListing([pixelProbed], [{ ...pixelListed, error: { code: "transport/failed", message: "x" } }]);
  assert.equal(failed.devices[0].probe, undefined, "a failed probe replaces the old one");
});

void test("attached adb devices: only state 'device', one per serial, the adb entry preferred", () => {
  const fromRecipe = { ...pixelListed, name: "pixel8", source: "recipe", model: undefined };
  const devices = mergeListing([], [fromRecipe, pixelListed, unauthorized, jetson]).devices;
  const attached = attachedAdbDevices(devices);
  assert.equal(attached.length, 1);
  assert.equal(attached[0].source, "adb");
  assert.equal(modelOf(attached[0]), "Pixel 8");
});

void test("description and tooltip carry the probe: model, Android, ABI, cores, RAM (decimal units), node", () => {
  assert.equal(describeDevice(pixelProbed), "Pixel 8 · Android 14 · arm64-v8a · 9 cores · 7.90 GB");
  assert.equal(describeDevice(unauthorized), "unauthorized");
  assert.equal(describeDevice(configHost), "unreachable · probe failed: transport/unreachable · pi5");
  assert.equal(describeDevice(local), "linux · x86_64 · 2 cores · 8.00 GB");
  const details = deviceDetails(pixelProbed);
  for (const expected of [
    "serial: 1A2B3C4D",
    "model: Google Pixel 8",
    "Android: 14 (API 34)",
    "SoC: Tensor G3",
    "RAM: 7.90 GB, 3.20 GB available",
    "work folder: /data/local/tmp/edge-studio (120.0 GB free)",
    "node: not found",
  ])
    assert.ok(details.includes(expected), `${expected} in ${details.join(" | ")}`);
  assert.ok(deviceDetails(jetson).includes("node: v20.11.1 (/usr/bin/node)"));
  assert.ok(deviceDetails(pixelListed).includes("probing…"));
  assert.ok(deviceDetails(configHost).some((l) => l.includes("No route to host")));
});

void test("watch state changes tell the listeners once per change", () => {
  const model = new DeviceModel();
  let changes = 0;
  model.onDidChange(() => changes++);
  model.setWatch({ state: "starting" });
  model.setWatch({ state: "starting" });
  model.setWatch({ state: "failed", message: "boom", retryMs: 1000 });
  assert.equal(changes, 2);
  model.accept([local]);
  model.clear();
  assert.equal(model.listed, false);
  assert.equal(changes, 4);
});

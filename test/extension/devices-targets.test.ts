// Live devices next to a recipe (extension/devices/device-address.ts, deploy-targets.ts, recipe-transports.ts,
// shell-command.ts): which `--device` a listed device runs as, the CodeLens's "Deploy to" lenses, the device
// picker's entries, and the Open Shell terminal's program and argument array.
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { deviceArgument, parseSshAddress, recipeDeviceFor } from "../../extension/devices/device-address";
import { deployTargets, devicePicks, isLiveAdHoc } from "../../extension/devices/deploy-targets";
import { readRecipeTransports } from "../../extension/devices/recipe-transports";
import { shellCommand } from "../../extension/devices/shell-command";
import { configHost, jetson, local, pixelListed, pixelProbed, unauthorized } from "./devices-fixtures";

const RECIPE = `name: r
model: { path: m.onnx }
devices:
  pixel8:
    adb: { serial: 1A2B3C4D }
  anyphone:
    adb: {}
  board:
    ssh: { host: jetson.local, user: ubuntu, port: 2222, identity_file: keys/id, proxy_jump: gw }
  laptop: { local: {} }
  broken: { adb: {}, ssh: { host: x } }
run: { device: laptop }
`;

void test("a recipe's transports: adb serials, ssh options, local; a device with two transports is left out", async () => {
  const transports = await readRecipeTransports(RECIPE);
  assert.deepEqual([...transports.keys()], ["pixel8", "anyphone", "board", "laptop"]);
  assert.deepEqual(transports.get("pixel8"), { kind: "adb", serial: "1A2B3C4D" });
  assert.deepEqual(transports.get("anyphone"), { kind: "adb" });
  assert.deepEqual(transports.get("board"), {
    kind: "ssh",
    host: "jetson.local",
    user: "ubuntu",
    port: 2222,
    identityFile: "keys/id",
    proxyJump: "gw",
  });
  assert.equal((await readRecipeTransports("devices: [\n")).size, 0);
  assert.equal((await readRecipeTransports("- a\n")).size, 0);
});

void test("ssh addresses: user@host:port and its shorter forms", () => {
  assert.deepEqual(parseSshAddress("ubuntu@jetson.local:2222"), { user: "ubuntu", host: "jetson.local", port: 2222 });
  assert.deepEqual(parseSshAddress("pi5"), { host: "pi5" });
  assert.deepEqual(parseSshAddress("me@10.0.0.2"), { user: "me", host: "10.0.0.2" });
  assert.deepEqual(parseSshAddress("[::1]:2200"), { host: "::1", port: 2200 });
  assert.equal(parseSshAddress("@host"), undefined);
  assert.equal(parseSshAddress("host:99999"), undefined);
});

void test("--device: the recipe's own device when it matches, else adb:SERIAL / ssh:HOST / local", async () => {
  const transports = await readRecipeTransports(RECIPE);
  assert.equal(deviceArgument(pixelListed, transports), "pixel8");
  assert.equal(deviceArgument({ ...pixelListed, address: "OTHER1" }, transports), "adb:OTHER1");
  assert.equal(deviceArgument(jetson, transports), "board");
  assert.equal(
    deviceArgument({ ...jetson, address: "ubuntu@jetson.local:22" }, transports),
    "ssh:ubuntu@jetson.local:22",
  );
  assert.equal(deviceArgument(configHost, transports), "ssh:pi5");
  assert.equal(deviceArgument(local, transports), "laptop");
  assert.equal(deviceArgument(local, new Map()), "local");
  assert.equal(deviceArgument(pixelListed, new Map()), "adb:1A2B3C4D");
  assert.equal(recipeDeviceFor(configHost, new Map([["pi", { kind: "ssh", host: "pi5" }]])), "pi");
});

void test("CodeLens: Deploy to <model> (<serial>) per attached phone, with the recipe's device for its serial", async () => {
  const transports = await readRecipeTransports(RECIPE);
  const other = { ...pixelListed, address: "OTHER1", name: "OTHER1", model: undefined };
  const targets = deployTargets([local, pixelProbed, unauthorized, other, jetson], transports);
  assert.deepEqual(
    targets.map((t) => [t.title, t.device]),
    [
      ["▶ Deploy to Pixel 8 (1A2B3C4D)", "pixel8"],
      ["▶ Deploy to Android device (OTHER1)", "adb:OTHER1"],
    ],
  );
  // Detached: no lens.
  assert.deepEqual(deployTargets([local, jetson], transports), []);
  // A recipe without devices deploys ad hoc.
  assert.deepEqual(
    deployTargets([pixelListed], new Map()).map((t) => t.device),
    ["adb:1A2B3C4D"],
  );
});

void test("device picker: the recipe's devices (attached ones marked), then attached phones it does not define", async () => {
  const transports = await readRecipeTransports(RECIPE);
  const other = { ...pixelListed, address: "OTHER1", name: "OTHER1", model: "moto_g" };
  const picks = devicePicks(["pixel8", "board", "laptop"], "laptop", transports, [pixelProbed, other, unauthorized]);
  assert.deepEqual(
    picks.map((p) => [p.device, p.description ?? "", p.fromRecipe]),
    [
      ["pixel8", "attached: Pixel 8", true],
      ["board", "", true],
      ["laptop", "selected", true],
      ["adb:OTHER1", "attached: moto g", false],
    ],
  );
  assert.equal(isLiveAdHoc("adb:OTHER1", [other]), true);
  assert.equal(isLiveAdHoc("adb:OTHER1", []), false);
  assert.equal(isLiveAdHoc("adb:ZZ99", [unauthorized]), false);
});

void test("Open Shell: adb -s SERIAL shell, ssh with options then the host, as argument arrays", async () => {
  const programs = { adbPath: "/opt/adb", sshPath: "/usr/bin/ssh" };
  assert.deepEqual(shellCommand(pixelListed, programs), {
    name: "adb 1A2B3C4D",
    shellPath: "/opt/adb",
    shellArgs: ["-s", "1A2B3C4D", "shell"],
  });
  assert.deepEqual(shellCommand(jetson, programs), {
    name: "ssh jetson.local",
    shellPath: "/usr/bin/ssh",
    shellArgs: ["-p", "2222", "-l", "ubuntu", "jetson.local"],
  });
  const board = (await readRecipeTransports(RECIPE)).get("board");
  assert.deepEqual((shellCommand(jetson, programs, board) as { shellArgs: string[] }).shellArgs, [
    "-p",
    "2222",
    "-l",
    "ubuntu",
    "-i",
    "keys/id",
    "-J",
    "gw",
    "jetson.local",
  ]);
  assert.deepEqual((shellCommand(configHost, programs) as { shellArgs: string[] }).shellArgs, ["pi5"]);
  // A host that would be read as an option is refused; a serial with spaces stays one argument.
  assert.equal(typeof shellCommand({ ...jetson, address: "-oProxyCommand=x" }, programs), "string");
  assert.deepEqual(
    (shellCommand({ ...pixelListed, address: "a b;c" }, programs) as { shellArgs: string[] }).shellArgs,
    ["-s", "a b;c", "shell"],
  );
  assert.equal(typeof shellCommand(local, programs), "string");
});

// The device features in a real VS Code, with the adb device fixture (test/fixtures/adb-device/) behind a private adb
// server: the Devices view lists the fixture phone while it is attached and not after it detaches, and a recipe's
// CodeLens offers "▶ Deploy to <model> (<serial>)" for it (edge.runRecipe with `adb:SERIAL`, since the recipe does
// not define that phone) only while it is attached. The listing comes from the engine's `edge devices --json
// --watch`, spawned by the extension; the fixture's environment (its adb server port) reaches that process through
// the extension host's environment, and the watcher is restarted to pick it up.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { startAdbFixture } from "../../fixtures/adb-device/index";
import { edgeApi, open, waitFor } from "./helpers";
import { test } from "./runner";

/** What this suite needs of the fixture. */
interface AdbPhone {
  /** The serial `adb devices` lists it under. */
  serial: string;
  /** The environment adb clients need to reach the fixture's private adb server (ANDROID_ADB_SERVER_PORT, HOME). */
  env: Record<string, string>;
  /** The phone goes away: `adb devices` no longer lists it. */
  detach(): Promise<void>;
  stop(): Promise<void>;
}

async function start(options: { model: string }): Promise<AdbPhone> {
  const fixture = await startAdbFixture({ props: { "ro.product.model": options.model } });
  const env: Record<string, string> = {};
  for (const key of ["ANDROID_ADB_SERVER_PORT", "HOME"]) {
    const value = fixture.adbEnv[key];
    if (value !== undefined) env[key] = value;
  }
  env.EDGE_ADB_PATH = fixture.adbPath;
  return {
    serial: fixture.serial,
    env,
    detach: async () => {
      await fixture.adb(["disconnect", fixture.serial]);
      await fixture.waitForState(undefined);
    },
    stop: () => fixture.close(),
  };
}

const MODEL = "Pixel_8";

let phone: AdbPhone | undefined;
const savedEnv: Record<string, string | undefined> = {};

function setEnv(env: Record<string, string>): void {
  for (const [key, value] of Object.entries(env)) {
    if (!(key in savedEnv)) savedEnv[key] = process.env[key];
    process.env[key] = value;
  }
}

function restoreEnv(): void {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
    delete savedEnv[key];
  }
}

async function deployLenses(name: string): Promise<vscode.CodeLens[]> {
  const editor = await open(name);
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
    "vscode.executeCodeLensProvider",
    editor.document.uri,
  );
  return lenses.filter((l) => l.command?.title.startsWith("▶ Deploy to"));
}

test("devices: the Devices view lists the fixture phone once it is attached", async () => {
  const api = await edgeApi();
  phone = await start({ model: MODEL });
  setEnv(phone.env);
  const serial = phone.serial;
  const listed = waitFor(
    api.devices.onDidChange,
    () => api.devices.list().find((d) => d.kind === "adb" && d.address === serial && d.state === "device"),
    `the fixture phone ${serial} in the device listing`,
    60_000,
  );
  api.devices.restart(); // the engine's watcher now runs with the fixture's adb server
  const device = await listed;
  assert.equal(device.source, "adb");
  assert.ok(api.devices.viewLabels().includes(device.name), `view: ${api.devices.viewLabels().join(", ")}`);
  assert.ok(api.devices.viewLabels().includes("local"), "this machine is listed too");
}, 90_000);

test("devices: a recipe's CodeLens offers Deploy to the attached phone (edge.runRecipe with adb:SERIAL)", async () => {
  assert.ok(phone, "the phone is attached (previous test)");
  const serial = phone.serial;
  const lenses = await deployLenses("run-ok.edge.yaml");
  const lens = lenses.find((l) => l.command?.title.includes(`(${serial})`));
  assert.ok(lens?.command, `a Deploy to lens for ${serial} among: ${lenses.map((l) => l.command?.title).join(", ")}`);
  assert.match(lens.command.title, /^▶ Deploy to Pixel 8 \(/);
  assert.equal(lens.command.command, "edge.runRecipe");
  const [uri, device] = lens.command.arguments ?? [];
  assert.equal(
    String(uri),
    vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, "run-ok.edge.yaml").toString(),
  );
  assert.equal(device, `adb:${serial}`);
}, 60_000);

test("devices: after the phone detaches, the view and the CodeLens no longer show it", async () => {
  const api = await edgeApi();
  assert.ok(phone, "the phone is attached (previous test)");
  const { serial } = phone;
  const gone = waitFor(
    api.devices.onDidChange,
    () => (api.devices.list().some((d) => d.kind === "adb" && d.address === serial) ? undefined : true),
    `the fixture phone ${serial} gone from the listing`,
    60_000,
  );
  try {
    await phone.detach();
    await gone;
    assert.ok(
      !api.devices.viewLabels().some((label) => label === serial),
      `view: ${api.devices.viewLabels().join(", ")}`,
    );
    assert.deepEqual(
      (await deployLenses("run-ok.edge.yaml")).map((l) => l.command?.title),
      [],
    );
  } finally {
    await phone.stop();
    phone = undefined;
    restoreEnv();
    api.devices.restart();
  }
}, 90_000);

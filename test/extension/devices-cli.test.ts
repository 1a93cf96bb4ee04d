// `edge devices` from the editor (extension/devices/devices-cli.ts): the argument array and environment, one-shot
// listing for Refresh, and the watcher restarted with backoff when it dies and stopped on request. The engine is a
// stand-in script (bin/edge.js of a temp extension folder) so the test needs no adb and no ssh.
import * as assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  DevicesWatcher,
  devicesArgs,
  devicesEnv,
  listDevicesOnce,
  restartDelayMs,
  type DevicesCliOptions,
} from "../../extension/devices/devices-cli";
import { parseListingLine } from "../../extension/devices/device-listing";

const root = mkdtempSync(join(tmpdir(), "edge-devices-cli-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in engine: records its argv and env, then behaves as `script` says. */
function fakeExtension(name: string, script: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "bin"), { recursive: true });
  writeFileSync(
    join(dir, "bin", "edge.js"),
    `const fs = require("node:fs");
const path = require("node:path");
const dir = path.dirname(__dirname);
const runs = fs.existsSync(path.join(dir, "runs")) ? Number(fs.readFileSync(path.join(dir, "runs"), "utf8")) + 1 : 1;
fs.writeFileSync(path.join(dir, "runs"), String(runs));
fs.writeFileSync(path.join(dir, "seen.json"), JSON.stringify({ argv: process.argv.slice(2), adb: process.env.EDGE_ADB_PATH, ssh: process.env.EDGE_SSH_PATH, pid: process.pid }));
const listing = (names) => console.log(JSON.stringify({ devices: names.map((n) => ({ name: n, kind: "adb", address: n, state: "device", source: "adb" })) }));
${script}
`,
  );
  writeFileSync(join(dir, "package.json"), '{"type":"commonjs"}');
  return dir;
}

function options(extensionPath: string): DevicesCliOptions {
  return {
    node: { command: process.execPath, env: {} },
    extensionPath,
    cwd: root,
    recipes: ["/w/a.edge.yaml", "/w/b c.edge.yaml"],
    adbPath: "/opt/adb",
    sshPath: "/opt/ssh",
  };
}

void test("arguments and environment: --json, --watch, one --recipe per file; the adb and ssh programs", () => {
  assert.deepEqual(devicesArgs(["/a.edge.yaml", "/b c.edge.yaml"], true), [
    "devices",
    "--json",
    "--watch",
    "--recipe",
    "/a.edge.yaml",
    "--recipe",
    "/b c.edge.yaml",
  ]);
  assert.deepEqual(devicesArgs([], false), ["devices", "--json"]);
  const env = devicesEnv(
    { PATH: "/bin" },
    { ...options(root), node: { command: "x", env: { ELECTRON_RUN_AS_NODE: "1" } } },
  );
  assert.deepEqual(env, {
    PATH: "/bin",
    ELECTRON_RUN_AS_NODE: "1",
    EDGE_ADB_PATH: "/opt/adb",
    EDGE_SSH_PATH: "/opt/ssh",
  });
});

void test("backoff: 1 s, 2 s, 4 s … up to a minute", () => {
  assert.deepEqual([1, 2, 3, 4, 7, 8, 20].map(restartDelayMs), [1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
});

void test("Refresh lists once: the last listing line; a failure carries the engine's last words", async () => {
  const ok = fakeExtension("once-ok", `console.log("noise"); listing(["A"]); listing(["A", "B"]);`);
  const devices = await listDevicesOnce(options(ok));
  assert.deepEqual(
    devices.map((d) => d.name),
    ["A", "B"],
  );
  const seen = JSON.parse(readFileSync(join(ok, "seen.json"), "utf8")) as { argv: string[]; adb: string };
  assert.deepEqual(seen.argv, ["devices", "--json", "--recipe", "/w/a.edge.yaml", "--recipe", "/w/b c.edge.yaml"]);
  assert.equal(seen.adb, "/opt/adb");

  const bad = fakeExtension("once-bad", `console.error("edge devices: unknown option --watch"); process.exit(2);`);
  await assert.rejects(listDevicesOnce(options(bad)), /ended with 2: edge devices: unknown option --watch/);
});

void test("the watcher: a listing per line, a restart after it dies (with backoff), and stop() ends it", async () => {
  // First run: one listing, then it dies. Second run: a listing, a change, then it waits to be killed.
  const dir = fakeExtension(
    "watch",
    `if (runs === 1) { listing(["A"]); console.error("adb went away"); process.exit(3); }
listing(["A"]); setTimeout(() => listing(["A", "B"]), 50);
process.on("SIGTERM", () => { fs.writeFileSync(path.join(dir, "terminated"), "yes"); process.exit(0); });
setInterval(() => {}, 1000);`,
  );
  const lines: string[] = [];
  const failures: [string, number][] = [];
  let starts = 0;
  let resolveTwo: () => void;
  const two = new Promise<void>((r) => (resolveTwo = r));
  const watcher = new DevicesWatcher(() => options(dir), {
    onLine: (line) => {
      lines.push(line);
      if (parseListingLine(line)?.devices.length === 2) resolveTwo();
    },
    onLog: () => undefined,
    onStarted: () => starts++,
    onFailed: (message, retryMs) => failures.push([message, retryMs]),
  });
  watcher.start();
  await two;
  assert.equal(starts, 2);
  assert.equal(failures.length, 1);
  assert.match(failures[0][0], /ended with 3: adb went away/);
  assert.equal(failures[0][1], 1000);
  assert.deepEqual(
    lines.map((l) =>
      parseListingLine(l)
        ?.devices.map((d) => d.name)
        .join(","),
    ),
    ["A", "A", "A,B"],
  );
  const seen = JSON.parse(readFileSync(join(dir, "seen.json"), "utf8")) as { argv: string[] };
  assert.deepEqual(seen.argv.slice(0, 3), ["devices", "--json", "--watch"]);

  watcher.stop();
  assert.equal(watcher.running, false);
  // The stand-in records SIGTERM before it exits; wait for that file (no fixed sleep: poll the file).
  for (let i = 0; i < 200 && !existsSync(join(dir, "terminated")); i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(readFileSync(join(dir, "terminated"), "utf8"), "yes");
  assert.equal(failures.length, 1, "a stopped watcher is not restarted");
});

// `edge devices` for real: this machine, the fixture phone on a private adb server, and an ssh device from a recipe
// and from an ssh config file (a private sshd), each probed; `--watch` prints a new list when the phone detaches.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { DeviceListing } from "../../common/devices";
import { type AdbFixture, startAdbFixture } from "../fixtures/adb-device/index";
import { type Sshd, sshdAvailable, startSshd } from "../fixtures/sshd";
import { EDGE, tempDir, writeRecipe } from "./device-run-helpers";

/** `edge ARGS` to its end. Never spawnSync here: the adb fixture answers from this process's event loop. */
function edge(
  args: string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [EDGE, ...args], { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const skip =
  !existsSync("/usr/bin/adb") || !sshdAvailable ? "needs adb and OpenSSH's sshd (Debian: adb, openssh-server)" : false;

void describe("edge devices", { skip }, () => {
  let phone: AdbFixture;
  let sshd: Sshd;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    [phone, sshd] = await Promise.all([startAdbFixture(), startSshd()]);
    env = { ...process.env, ...phone.adbEnv, EDGE_ADB_PATH: phone.adbPath, EDGE_SSH_CONFIG: sshd.configFile };
  });
  after(async () => {
    await Promise.all([phone?.close(), sshd?.stop()]);
  });

  void test("--json lists this machine, the phone and the ssh devices, each with its probe", async () => {
    const dir = tempDir();
    writeRecipe(dir, `{ ssh: { host: ${sshd.alias} }, workdir: "${join(dir, "w")}" }`);
    const r = await edge(["devices", "--json", "--recipe", "r.edge.yaml"], { cwd: dir, env });
    assert.equal(r.status, 0, r.stderr);
    const { devices } = JSON.parse(r.stdout) as { devices: DeviceListing[] };
    const local = devices.find((d) => d.kind === "local");
    assert.ok(local?.probe && local.probe.cores! >= 1, JSON.stringify(local));
    const adb = devices.find((d) => d.kind === "adb");
    assert.equal(adb?.address, phone.serial);
    assert.equal(adb?.state, "device");
    assert.equal(adb?.probe?.os, "android");
    assert.equal(adb?.model, phone.props["ro.product.model"].replace(/ /g, "_"));
    // The recipe's device by its recipe name; the config file's alias is the same host, so it is listed once.
    const ssh = devices.filter((d) => d.kind === "ssh");
    assert.equal(ssh.length, 1, JSON.stringify(ssh));
    assert.equal(ssh[0].name, "dev");
    assert.equal(ssh[0].state, "reachable", JSON.stringify(ssh[0]));
    assert.equal(ssh[0].probe?.workdir, join(dir, "w"));
  });

  void test("the human listing names each device and what it is", async () => {
    const r = await edge(["devices"], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${phone.serial.replace(/\./g, "\\.")}\\s+adb`));
    assert.match(r.stdout, /Android 14/);
    assert.match(r.stdout, new RegExp(`${sshd.alias}\\s+ssh .* reachable`));
  });

  void test("--watch prints a new list when the phone goes away", async () => {
    const child = spawn(process.execPath, [EDGE, "devices", "--json", "--watch", "--no-probe"], {
      env: { ...env, EDGE_SSH_CONFIG: "none" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lists: DeviceListing[][] = [];
    let rest = "";
    child.stdout.setEncoding("utf8");
    const seen = (pred: (l: DeviceListing[]) => boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not seen; lists: ${JSON.stringify(lists)}`)), 30_000);
        const check = () => {
          if (lists.some(pred)) {
            clearTimeout(timer);
            resolve();
          } else setTimeout(check, 50);
        };
        check();
      });
    child.stdout.on("data", (chunk: string) => {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) if (line) lists.push((JSON.parse(line) as { devices: DeviceListing[] }).devices);
    });
    try {
      await seen((l) => l.some((d) => d.address === phone.serial && d.state === "device"));
      await phone.adb(["disconnect", phone.serial]);
      await seen((l) => l.every((d) => d.address !== phone.serial));
      await phone.adb(["connect", phone.serial]);
      await seen(
        (l, i = lists.indexOf(l)) => i > 1 && l.some((d) => d.address === phone.serial && d.state === "device"),
      );
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise((r) => child.on("close", r));
    assert.equal(code, 0);
  });
});

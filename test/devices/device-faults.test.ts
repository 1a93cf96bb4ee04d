// Device runs that go wrong, for real, each ending in a clear error and a report: a phone whose disk fills during the
// push (device/disk-full), a phone whose CPU the runner was not built for (device/runner, naming the ABI), an ssh key
// the device refuses (transport/auth with a hint), and recipe values a shell would act on (a work folder named with
// quotes, `$(…)` and `;`), which reach the device as plain names.
import assert from "node:assert/strict";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startAdbFixture } from "../fixtures/adb-device/index";
import { type Sshd, sshdAvailable, startSshd } from "../fixtures/sshd";
import { reportOf, startEdgeRun, tempDir, writeRecipe } from "./device-run-helpers";

const hasAdb = existsSync("/usr/bin/adb");
/** Shared with test/devices/arm64.test.ts: node for arm64 is fetched from npm once. */
const XDG = join(tmpdir(), "edge-studio-test-xdg");

void describe("device run faults", () => {
  void test(
    "a phone whose disk fills during the push: device/disk-full, exit 5, a report",
    { skip: !hasAdb && "no adb" },
    async () => {
      const phone = await startAdbFixture({ diskFreeBytes: 5e6 });
      try {
        const dir = tempDir();
        writeRecipe(dir, `{ adb: { serial: "${phone.serial}" }, workdir: "${join(phone.root, "w")}" }`);
        const run = startEdgeRun(dir, { ...phone.adbEnv, EDGE_ADB_PATH: phone.adbPath });
        assert.equal((await run.done).code, 5, run.stderr());
        const report = reportOf(run);
        assert.equal(report.errors[0]?.code, "device/disk-full", JSON.stringify(report.errors));
        assert.match(run.stderr(), /disk|space/i);
      } finally {
        await phone.close();
      }
    },
  );

  void test(
    "a phone whose CPU the runner was not built for: device/runner naming its ABI",
    { skip: !hasAdb && "no adb" },
    async () => {
      // The fixture says arm64 but runs commands on this x64 machine: the arm64 loader cannot execute here.
      const phone = await startAdbFixture({ props: { "ro.product.cpu.abi": "arm64-v8a" } });
      try {
        const dir = tempDir();
        writeRecipe(dir, `{ adb: { serial: "${phone.serial}" }, workdir: "${join(phone.root, "w")}" }`);
        const run = startEdgeRun(dir, { ...phone.adbEnv, EDGE_ADB_PATH: phone.adbPath, XDG_CACHE_HOME: XDG });
        assert.equal((await run.done).code, 5, run.stderr());
        const report = reportOf(run);
        assert.equal(report.errors[0]?.code, "device/runner", JSON.stringify(report.errors));
        assert.match(report.errors[0]?.hint ?? "", /arm64-v8a/);
        assert.equal(report.device.probe?.arch, "arm64");
      } finally {
        await phone.close();
      }
    },
  );

  void describe("over ssh", { skip: !sshdAvailable && "no sshd" }, () => {
    let sshd: Sshd;
    before(async () => (sshd = await startSshd()));
    after(async () => await sshd?.stop());

    void test("a key the device refuses: transport/auth with a hint, nothing accepted", async () => {
      const dir = tempDir();
      // Only known_hosts from a config; the key is the recipe's, and the device does not accept it.
      const config = join(dir, "ssh_config");
      writeFileSync(config, `Host 127.0.0.1\n  UserKnownHostsFile ${sshd.knownHostsFile}\n`);
      writeRecipe(
        dir,
        `{ ssh: { host: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user}, identity_file: "${sshd.otherIdentityFile}" } }`,
      );
      const run = startEdgeRun(dir, { EDGE_SSH_CONFIG: config, SSH_AUTH_SOCK: "" });
      assert.equal((await run.done).code, 5, run.stderr());
      const report = reportOf(run);
      assert.equal(report.errors[0]?.code, "transport/auth", JSON.stringify(report.errors));
      assert.ok(report.errors[0]?.hint, "a hint says what to check");
    });

    void test("a work folder named with quotes, $(…) and ; is only a name on the device", async () => {
      const dir = tempDir();
      const marker = join(dir, "PWNED");
      const workdir = join(dir, `w'q"d $(touch ${marker}); \`touch ${marker}\` x`);
      writeRecipe(dir, `{ ssh: { host: ${sshd.alias} }, workdir: ${JSON.stringify(workdir)} }`, "iterations: 3");
      const run = startEdgeRun(dir, { EDGE_SSH_CONFIG: sshd.configFile });
      assert.equal((await run.done).code, 0, run.stderr());
      assert.equal(existsSync(marker), false, "nothing ran");
      assert.equal(reportOf(run).device.probe?.workdir, workdir);
      assert.ok(readdirSync(join(workdir, "runners")).length === 1);
    });
  });
});

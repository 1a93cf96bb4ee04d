// The adb transport when things go wrong, through the real adb against the device fixture: the device dropping
// mid-command (adb 29 then exits 0 without a word) is `transport/disconnected`; a serial not attached, an offline
// device and an unauthorized one are clear errors; a missing adb is `transport/not-found`; and `adb track-devices`
// reports a device leaving and coming back.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { EdgeError } from "../../engine/errors";
import { openAdbTransport } from "../../engine/transports/adb";
import type { AdbDeviceEntry } from "../../engine/transports/adb-devices";
import { listAdbDevices } from "../../engine/transports/adb-devices";
import { findAdb } from "../../engine/transports/adb-program";
import { trackAdbDevices } from "../../engine/transports/adb-track";
import { startAdbFixture } from "../fixtures/adb-device/index";
import { skipWithoutAdb, transportTo } from "./adb-helpers";

const edgeCode = (code: string, message?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof EdgeError, String(e));
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

void describe("adb transport: faults", { skip: skipWithoutAdb, timeout: 120_000 }, () => {
  void test("the device dropping mid-command is transport/disconnected", { timeout: 30_000 }, async () => {
    const fixture = await startAdbFixture();
    const adb = transportTo(fixture);
    try {
      fixture.refuseConnections(true);
      let dropped = false;
      const pending = adb.exec(["sh", "-c", "echo started; sleep 60; echo never"], {
        onStdout: (c) => {
          if (!dropped && c.toString().includes("started")) {
            dropped = true;
            fixture.disconnect();
          }
        },
      });
      await assert.rejects(pending, edgeCode("transport/disconnected", /went away/));
      assert.ok(dropped);
      // The next command meets an offline device: a clear error too (not a hang, not a success).
      await fixture.waitForState("offline");
      await assert.rejects(adb.exec(["true"]), edgeCode("transport/unreachable"));
      await assert.rejects(
        openAdbTransport({ adbPath: fixture.adbPath, env: fixture.adbEnv, serial: fixture.serial }),
        edgeCode("transport/unreachable", /is offline/),
      );
    } finally {
      await adb.close();
      await fixture.close();
    }
  });

  void test("a serial that is not attached, and an unauthorized device", async () => {
    const fixture = await startAdbFixture({ refuseAuth: true });
    try {
      const options = { adbPath: fixture.adbPath, env: fixture.adbEnv };
      await assert.rejects(
        openAdbTransport({ ...options, serial: "127.0.0.1:1" }),
        edgeCode("transport/unreachable", /127\.0\.0\.1:1 is not attached.*unauthorized/),
      );
      await assert.rejects(
        openAdbTransport({ ...options, serial: fixture.serial }),
        (e: unknown) => edgeCode("transport/auth")(e) && /Allow USB debugging/.test((e as EdgeError).hint ?? ""),
      );
      // A transport made before the device lost its authorization: adb's own complaint is mapped too.
      await assert.rejects(transportTo(fixture).exec(["true"]), edgeCode("transport/auth"));
    } finally {
      await fixture.close();
    }
  });

  void test("adb missing: transport/not-found with a hint; found through ANDROID_HOME", () => {
    assert.throws(() => findAdb({ adbPath: "/nonexistent/adb" }), edgeCode("transport/not-found"));
    assert.throws(
      () => findAdb({ env: { PATH: "/nonexistent" } }),
      (e: unknown) => {
        return edgeCode("transport/not-found")(e) && /platform-tools/.test((e as EdgeError).hint ?? "");
      },
    );
    const sdk = mkdtempSync(join(tmpdir(), "edge-sdk-"));
    try {
      mkdirSync(join(sdk, "platform-tools"));
      writeFileSync(join(sdk, "platform-tools", "adb"), "#!/bin/sh\n");
      chmodSync(join(sdk, "platform-tools", "adb"), 0o755);
      assert.equal(findAdb({ env: { PATH: "/nonexistent", ANDROID_HOME: sdk } }), join(sdk, "platform-tools", "adb"));
      assert.equal(
        findAdb({ env: { PATH: "/nonexistent", ANDROID_SDK_ROOT: sdk } }),
        join(sdk, "platform-tools", "adb"),
      );
      assert.equal(
        findAdb({ env: { PATH: `/nonexistent:${join(sdk, "platform-tools")}` } }),
        join(sdk, "platform-tools", "adb"),
      );
      // The setting's default, a bare "adb", means the usual search (the SDK first), not a file named "adb" here.
      assert.equal(
        findAdb({ adbPath: "adb", env: { PATH: "/nonexistent", ANDROID_HOME: sdk } }),
        join(sdk, "platform-tools", "adb"),
      );
      writeFileSync(join(sdk, "platform-tools", "my-adb"), "#!/bin/sh\n");
      chmodSync(join(sdk, "platform-tools", "my-adb"), 0o755);
      assert.equal(
        findAdb({ adbPath: "my-adb", env: { PATH: join(sdk, "platform-tools") } }),
        join(sdk, "platform-tools", "my-adb"),
      );
    } finally {
      rmSync(sdk, { recursive: true, force: true });
    }
  });

  void test("track-devices sees the device detach and attach again", { timeout: 60_000 }, async () => {
    const fixture = await startAdbFixture();
    const controller = new AbortController();
    try {
      const lists: AdbDeviceEntry[][] = [];
      const waiters: (() => void)[] = [];
      const stateNow = () => lists.at(-1)?.find((d) => d.serial === fixture.serial)?.state;
      const waitFor = (state: string | undefined) =>
        new Promise<void>((resolve) => {
          const check = () => (stateNow() === state && lists.length ? resolve() : waiters.push(check));
          check();
        });
      const tracking = trackAdbDevices(
        fixture.adbPath,
        (devices) => {
          lists.push(devices);
          for (const w of waiters.splice(0)) w();
        },
        controller.signal,
        { env: fixture.adbEnv },
      );
      await waitFor("device");
      const detached = await fixture.adb(["disconnect", fixture.serial]);
      assert.equal(detached.code, 0, detached.stderr);
      await waitFor(undefined);
      const attached = await fixture.adb(["connect", fixture.serial]);
      assert.match(attached.stdout, /connected to/);
      await waitFor("device");
      controller.abort();
      await tracking;
      const states = lists.map((l) => l.find((d) => d.serial === fixture.serial)?.state ?? "-");
      assert.deepEqual([states[0], states.includes("-"), states.at(-1)], ["device", true, "device"]);
      const listed = await listAdbDevices(fixture.adbPath, { env: fixture.adbEnv });
      assert.deepEqual(
        listed.map((d) => [d.serial, d.state, d.model]),
        [[fixture.serial, "device", "Edge_Fixture"]],
      );
    } finally {
      controller.abort();
      await fixture.close();
    }
  });
});

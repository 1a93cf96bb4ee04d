// The adb transport's exec and probe through the real adb (/usr/bin/adb) against the device fixture: exit codes,
// stderr apart from stdout, output streamed while the command runs, stdin, cwd and env, cancel that really stops
// the remote process, and the probe's Android fields.
import assert from "node:assert/strict";
import { existsSync, promises as fs, realpathSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { openAdbTransport, type AdbTransport } from "../../engine/transports/adb";
import { startAdbFixture, type AdbFixture } from "../fixtures/adb-device/index";
import { pidGone, run, skipWithoutAdb, transportTo, until } from "./adb-helpers";

void describe("adb transport: exec and probe", { skip: skipWithoutAdb, timeout: 120_000 }, () => {
  let fixture: AdbFixture;
  let adb: AdbTransport;
  before(async () => {
    fixture = await startAdbFixture();
    adb = transportTo(fixture);
  });
  after(async () => {
    await adb?.close();
    await fixture?.close();
  });

  void test("adb devices -l shows the banner's model, product and device", async () => {
    const out = await fixture.adb(["devices", "-l"]);
    const line = out.stdout.split("\n").find((l) => l.startsWith(fixture.serial));
    assert.ok(line, out.stdout);
    assert.match(line, /\bdevice product:edge_fixture model:Edge_Fixture device:edgefix\b/);
  });

  void test("openAdbTransport picks the only attached device", async () => {
    const t = await openAdbTransport({ adbPath: fixture.adbPath, env: fixture.adbEnv });
    assert.equal(t.serial, fixture.serial);
    assert.equal((await run(t, ["echo", "picked"])).stdout, "picked\n");
  });

  void test("exit codes come through, stderr stays apart from stdout, and no marker leaks", async () => {
    const r = await run(adb, ["sh", "-c", "echo out; echo err >&2; printf 'no newline' >&2; exit 7"]);
    assert.equal(r.code, 7);
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\nno newline");
    assert.equal((await run(adb, ["true"])).code, 0);
    const missing = await run(adb, ["no-such-program-edge"]);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /not found/);
  });

  void test("output arrives while the command is still running", { timeout: 30_000 }, async () => {
    const go = join(fixture.root, "go-signal");
    let seen = "";
    const result = await adb.exec(
      ["sh", "-c", "echo first; while [ ! -f go-signal ]; do sleep 0.05; done; echo second"],
      {
        onStdout: (c) => {
          seen += c.toString();
          // The command waits for this file: it is made only once "first" has arrived here.
          if (seen.includes("first") && !existsSync(go)) void fs.writeFile(go, "");
        },
      },
    );
    assert.equal(result.code, 0);
    assert.equal(seen, "first\nsecond\n");
  });

  void test("stdin, cwd and env reach the program", async () => {
    const dir = join(fixture.root, "work dir");
    await fs.mkdir(dir, { recursive: true });
    const r = await run(adb, ["sh", "-c", 'cat; echo "[$EDGE_X]"; pwd'], {
      stdin: "from stdin\n",
      cwd: dir,
      env: { EDGE_X: "a b'c $(nope)" },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `from stdin\n[a b'c $(nope)]\n${realpathSync(dir)}\n`);
  });

  void test("a cancel stops the remote process itself, not only the local adb", { timeout: 30_000 }, async () => {
    const controller = new AbortController();
    let pidText = "";
    const pending = adb.exec(["sh", "-c", "echo $$; exec sleep 60"], {
      signal: controller.signal,
      onStdout: (c) => {
        pidText += c.toString();
        if (pidText.endsWith("\n")) controller.abort();
      },
    });
    const result = await pending;
    assert.deepEqual(result, { code: null, signal: "aborted" });
    const pid = Number(pidText.trim());
    assert.ok(pid > 1, pidText);
    await until(() => pidGone(pid));
  });

  void test("a cancel also stops what the command started (its process group)", { timeout: 30_000 }, async () => {
    const controller = new AbortController();
    let text = "";
    const result = await adb.exec(["sh", "-c", "sleep 60 & echo $!; wait"], {
      signal: controller.signal,
      onStdout: (c) => {
        text += c.toString();
        if (text.endsWith("\n")) controller.abort();
      },
    });
    assert.equal(result.signal, "aborted");
    await until(() => pidGone(Number(text.trim())));
  });

  void test("probe: Android fields, abi x86_64 → arch x64, the work folder and its free space", async () => {
    const probe = await adb.probe(join(fixture.root, "edge work"));
    assert.equal(probe.os, "android");
    assert.equal(probe.abi, "x86_64");
    assert.equal(probe.arch, "x64");
    assert.deepEqual(probe.android, {
      release: "14",
      sdk: 34,
      manufacturer: "EdgeStudio",
      model: "Edge Fixture",
      soc: "FixtureSoC",
      device: "edgefix",
    });
    assert.equal(probe.workdir, realpathSync(join(fixture.root, "edge work")));
    assert.ok(probe.freeBytes && probe.freeBytes > 0, JSON.stringify(probe));
    assert.ok(probe.cores && probe.cores >= 1);
  });
});

// The adb transport's push and pull through the real adb against the device fixture: a few MB round trip with
// identical bytes, progress from start to end, names full of shell syntax arriving literally through exec, push and
// pull, a full device as `device/disk-full` with nothing left behind, and a missing remote file.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, promises as fs, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { AdbTransport } from "../../engine/transports/adb";
import type { TransferProgress } from "../../engine/transports/transport";
import { EdgeError } from "../../engine/errors";
import { startAdbFixture, type AdbFixture } from "../fixtures/adb-device/index";
import { run, skipWithoutAdb, transportTo } from "./adb-helpers";

const hostile = `it's "q" $(touch PWNED) \`touch PWNED2\` ; echo x; a b\nnew line & |`;

void describe("adb transport: push and pull", { skip: skipWithoutAdb, timeout: 120_000 }, () => {
  let fixture: AdbFixture;
  let adb: AdbTransport;
  let local: string;
  before(async () => {
    fixture = await startAdbFixture();
    adb = transportTo(fixture);
    local = await fs.mkdtemp(join(tmpdir(), "edge-adb-transfer-"));
  });
  after(async () => {
    await adb?.close();
    await fixture?.close();
    if (local) await fs.rm(local, { recursive: true, force: true });
  });

  void test("a few MB pushed and pulled back are identical, with progress from 0 to the size", async () => {
    const data = randomBytes(3 * 1024 * 1024 + 12345);
    const src = join(local, "model.bin");
    await fs.writeFile(src, data);
    const pushes: TransferProgress[] = [];
    const remote = join(fixture.root, "models", "deep", "model.bin");
    await adb.push(src, remote, { onProgress: (p) => pushes.push(p) });
    assert.ok((await fs.readFile(remote)).equals(data), "the device copy differs");
    assert.deepEqual(pushes[0], { path: src, doneBytes: 0, totalBytes: data.length });
    assert.deepEqual(pushes.at(-1), { path: src, doneBytes: data.length, totalBytes: data.length });
    // Nothing but the file is left in the folder (the temporary name was renamed).
    assert.deepEqual(readdirSync(join(fixture.root, "models", "deep")), ["model.bin"]);

    const pulls: TransferProgress[] = [];
    const back = join(local, "out", "back.bin");
    await adb.pull(remote, back, { onProgress: (p) => pulls.push(p) });
    assert.ok((await fs.readFile(back)).equals(data), "the pulled copy differs");
    assert.deepEqual(pulls[0], { path: remote, doneBytes: 0, totalBytes: data.length });
    assert.deepEqual(pulls.at(-1), { path: remote, doneBytes: data.length, totalBytes: data.length });
    assert.deepEqual(readdirSync(join(local, "out")), ["back.bin"]);
  });

  void test("a push replaces an existing file", async () => {
    const src = join(local, "small.txt");
    const remote = join(fixture.root, "small.txt");
    await fs.writeFile(remote, "old contents that are longer");
    await fs.writeFile(src, "new");
    await adb.push(src, remote);
    assert.equal(await fs.readFile(remote, "utf8"), "new");
  });

  void test("names with quotes, $(), backquotes, ;, spaces and newlines arrive literally", async () => {
    const src = join(local, hostile);
    await fs.writeFile(src, "hostile contents");
    const remoteDir = join(fixture.root, hostile);
    const remote = join(remoteDir, hostile);
    await adb.push(src, remote);
    assert.equal(await fs.readFile(remote, "utf8"), "hostile contents");

    const listed = await run(adb, ["ls", "-A", hostile], { cwd: remoteDir });
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout, `${hostile}\n`);
    const echoed = await run(adb, ["printf", "%s", hostile], { env: { EDGE_NAME: hostile } });
    assert.equal(echoed.stdout, hostile);
    const fromEnv = await run(adb, ["sh", "-c", 'printf %s "$EDGE_NAME"'], { env: { EDGE_NAME: hostile } });
    assert.equal(fromEnv.stdout, hostile);

    const back = join(local, "back", hostile);
    await adb.pull(remote, back);
    assert.equal(await fs.readFile(back, "utf8"), "hostile contents");
    for (const dir of [fixture.root, remoteDir, local]) {
      assert.ok(!existsSync(join(dir, "PWNED")) && !existsSync(join(dir, "PWNED2")), `something ran in ${dir}`);
    }
  });

  void test("pulling a file that is not there is a clear error and leaves no file", async () => {
    const target = join(local, "missing", "x.bin");
    await assert.rejects(adb.pull(join(fixture.root, "no-such-file"), target), (e: unknown) => {
      assert.ok(e instanceof EdgeError);
      assert.equal(e.code, "transport/failed");
      assert.match(e.message, /does not exist/);
      return true;
    });
    assert.deepEqual(readdirSync(join(local, "missing")), []);
  });
});

void describe("adb transport: a full device", { skip: skipWithoutAdb, timeout: 60_000 }, () => {
  void test("a push that does not fit is device/disk-full and leaves no temporary file", async () => {
    const fixture = await startAdbFixture({ diskFreeBytes: 100_000 });
    const adb = transportTo(fixture);
    const local = await fs.mkdtemp(join(tmpdir(), "edge-adb-full-"));
    try {
      const src = join(local, "big.bin");
      await fs.writeFile(src, randomBytes(300_000));
      await fs.mkdir(join(fixture.root, "full"));
      await assert.rejects(adb.push(src, join(fixture.root, "full", "big.bin")), (e: unknown) => {
        assert.ok(e instanceof EdgeError);
        assert.equal(e.code, "device/disk-full");
        assert.equal(e.where.device, "fixture-phone");
        return true;
      });
      assert.deepEqual(readdirSync(join(fixture.root, "full")), []);
    } finally {
      await adb.close();
      await fixture.close();
      await fs.rm(local, { recursive: true, force: true });
    }
  });
});

// The adb device fixture's flow control (test/fixtures/adb-device), without adb: a stream packs what is queued into
// WRTEs of at most the max payload with one unacknowledged at a time, and acknowledges a host WRTE once taken (or
// when its handler's promise settles); the file sink writes in order and reports its first error; the sync service
// acknowledges SEND's data before it reaches the disk, holds the acknowledgement when too much waits, and still
// answers DONE with the file's outcome.
import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AdbStream, type StreamWire } from "../fixtures/adb-device/adb-stream";
import { FileSink } from "../fixtures/adb-device/file-sink";
import { commandName } from "../fixtures/adb-device/protocol";
import { HIGH_WATER_BYTES, startSync } from "../fixtures/adb-device/sync-service";

interface Sent {
  command: string;
  payload: Buffer;
}

function fakeWire(maxPayload: number): StreamWire & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    maxPayload,
    write(command, _arg0, _arg1, payload = []) {
      sent.push({
        command: commandName(command),
        payload: Buffer.concat(Buffer.isBuffer(payload) ? [payload] : payload),
      });
    },
  };
}

function syncRequest(id: string, body: Buffer | string, lengthField?: number): Buffer {
  const b = typeof body === "string" ? Buffer.from(body) : body;
  const h = Buffer.alloc(8);
  h.write(id, 0, "latin1");
  h.writeUInt32LE(lengthField ?? b.length, 4);
  return Buffer.concat([h, b]);
}

const settle = () => new Promise((r) => setImmediate(r));
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

void test("a stream packs queued data into WRTEs of at most the max payload, one unacknowledged at a time", () => {
  const wire = fakeWire(10);
  const stream = new AdbStream(wire, 1, 2);
  stream.send(Buffer.from("abc"));
  stream.send(Buffer.from("defghijklmno"));
  stream.send(Buffer.from("pq"));
  assert.deepEqual(
    wire.sent.map((s) => [s.command, s.payload.toString()]),
    [["WRTE", "abc"]],
  );
  stream.acknowledged();
  stream.close();
  assert.equal(wire.sent.at(-1)!.payload.toString(), "defghijklm");
  stream.acknowledged();
  assert.equal(wire.sent.at(-1)!.payload.toString(), "nopq");
  assert.equal(stream.pendingBytes, 0);
  assert.equal(wire.sent.filter((s) => s.command === "CLSE").length, 0, "no CLSE before the last OKAY");
  stream.acknowledged();
  assert.deepEqual(
    wire.sent.map((s) => s.command),
    ["WRTE", "WRTE", "WRTE", "CLSE"],
  );
});

void test("a host WRTE is acknowledged once taken, or when the handler's promise settles", async () => {
  const wire = fakeWire(1024);
  const stream = new AdbStream(wire, 1, 2);
  const taken: string[] = [];
  let release: () => void = () => {};
  stream.handler = {
    onData(data) {
      taken.push(data.toString());
      if (data.toString() === "slow") return new Promise<void>((r) => (release = r));
    },
    onClose() {},
  };
  stream.received([Buffer.from("a"), Buffer.from("b")]);
  assert.deepEqual(taken, ["a", "b"]);
  assert.deepEqual(
    wire.sent.map((s) => s.command),
    ["OKAY"],
    "acknowledged at once",
  );
  stream.received([Buffer.from("slow")]);
  await settle();
  assert.equal(wire.sent.length, 1, "not acknowledged while the handler holds it");
  release();
  await until(() => wire.sent.length === 2);
  assert.equal(wire.sent[1].command, "OKAY");
});

void test("the file sink writes in order in batches and reports its first error at finish", async () => {
  const dir = await fs.mkdtemp(join(tmpdir(), "edge-file-sink-"));
  try {
    const path = join(dir, "out.bin");
    const sink = new FileSink(await fs.open(path, "w"));
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(1000 + i, i));
    for (const c of chunks) sink.write(c);
    assert.ok(sink.queuedBytes > 0);
    assert.equal(await sink.finish(), undefined);
    assert.ok((await fs.readFile(path)).equals(Buffer.concat(chunks)));

    // A file opened for reading cannot be written: the error comes back from finish, later data is dropped.
    const readOnly = new FileSink(await fs.open(path, "r"));
    readOnly.write(Buffer.from("x"));
    readOnly.write(Buffer.from("y"));
    const error = (await readOnly.finish()) as NodeJS.ErrnoException;
    assert.equal(error?.code, "EBADF");
    assert.equal(readOnly.queuedBytes, 0);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test("sync SEND: data is acknowledged before it is on disk, held past the high-water mark, and DONE answers", async () => {
  const root = await fs.mkdtemp(join(tmpdir(), "edge-sync-flow-"));
  try {
    const wire = fakeWire(1024 * 1024);
    const stream = new AdbStream(wire, 1, 2);
    startSync(stream, { root });
    const okays = () => wire.sent.filter((s) => s.command === "OKAY").length;

    // SEND and one DATA in one WRTE: acknowledged within the call, so before any file operation could run.
    const first = Buffer.alloc(65536, 7);
    stream.received([Buffer.concat([syncRequest("SEND", "up/a.bin,33188"), syncRequest("DATA", first)])]);
    assert.equal(okays(), 1);

    // More than the high-water mark in one go: the acknowledgement waits until the data is written.
    const piece = Buffer.alloc(65536, 9);
    const many = Math.ceil(HIGH_WATER_BYTES / piece.length) + 2;
    stream.received([Buffer.concat(Array.from({ length: many }, () => syncRequest("DATA", piece)))]);
    assert.equal(okays(), 1, "held past the high-water mark");
    await until(() => okays() === 2);

    stream.received([syncRequest("DONE", "", 1_700_000_000)]);
    assert.equal(okays(), 3);
    await until(() => wire.sent.some((s) => s.command === "WRTE"));
    const reply = wire.sent.find((s) => s.command === "WRTE")!.payload;
    assert.equal(reply.toString("latin1", 0, 4), "OKAY");
    const written = await fs.readFile(join(root, "up/a.bin"));
    assert.equal(written.length, first.length + many * piece.length);
    assert.ok(written.subarray(0, first.length).equals(first) && written.subarray(-piece.length).equals(piece));
    assert.equal((await fs.stat(join(root, "up/a.bin"))).mtimeMs, 1_700_000_000_000);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

void test("sync SEND on a full disk: the data is still taken, DONE answers FAIL and no file is left", async () => {
  const root = await fs.mkdtemp(join(tmpdir(), "edge-sync-full-"));
  try {
    const wire = fakeWire(1024 * 1024);
    const stream = new AdbStream(wire, 1, 2);
    startSync(stream, { root, diskLimit: { remainingBytes: 100_000 } });
    const data = Buffer.alloc(65536, 1);
    stream.received([
      Buffer.concat([
        syncRequest("SEND", "full.bin,33188"),
        ...Array.from({ length: 3 }, () => syncRequest("DATA", data)),
      ]),
    ]);
    stream.received([syncRequest("DONE", "", 1)]);
    await until(() => wire.sent.some((s) => s.command === "WRTE"));
    const reply = wire.sent.find((s) => s.command === "WRTE")!.payload;
    assert.equal(reply.toString("latin1", 0, 4), "FAIL");
    assert.match(reply.toString("utf8", 8), /No space left on device/);
    assert.deepEqual(await fs.readdir(root), []);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

// Streaming a trace file to the profile webview (extension/profile/trace-stream.ts, file-bytes.ts): the bytes arrive
// whole and in order, in chunks of the chosen size; the next chunk is read only after the previous one was handed
// over (at most one chunk held however large the file); a newer stream cancels the older; an undelivered chunk or a
// failing read stops the stream with an error.
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { FileBytes } from "../../extension/profile/file-bytes";
import { StreamWindow, streamBytes, type ByteSource } from "../../extension/profile/trace-stream";

const dir = mkdtempSync(join(tmpdir(), "profile-stream-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function fileOf(size: number): { path: string; bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  const path = join(dir, `f-${size}.json`);
  writeFileSync(path, bytes);
  return { path, bytes };
}

void test("a file arrives whole and in order, in chunks of the chosen size, the last one short", async () => {
  const { path, bytes } = fileOf(10_000);
  const source = new FileBytes(path);
  const got: { offset: number; bytes: Uint8Array }[] = [];
  const result = await streamBytes(source, async (offset, chunk) => Boolean(got.push({ offset, bytes: chunk })), {
    chunkBytes: 4096,
  });
  await source.close();
  assert.deepEqual(result, { byteLength: 10_000, cancelled: false });
  assert.deepEqual(
    got.map((c) => [c.offset, c.bytes.length]),
    [
      [0, 4096],
      [4096, 4096],
      [8192, 1808],
    ],
  );
  assert.deepEqual(Buffer.concat(got.map((c) => c.bytes)), Buffer.from(bytes));
  // A short last chunk is its own buffer (not a view of a 4096-byte one carried into the message).
  assert.equal(got[2].bytes.buffer.byteLength, 1808);
});

void test("a file of an exact number of chunks ends with an empty read, an empty file sends nothing", async () => {
  const { path } = fileOf(8192);
  const chunks: number[] = [];
  const result = await streamBytes(new FileBytes(path), async (_o, c) => Boolean(chunks.push(c.length)), {
    chunkBytes: 4096,
  });
  assert.deepEqual(chunks, [4096, 4096]);
  assert.equal(result.byteLength, 8192);
  const empty = fileOf(0);
  const none: number[] = [];
  assert.deepEqual(await streamBytes(new FileBytes(empty.path), async (_o, c) => Boolean(none.push(c.length))), {
    byteLength: 0,
    cancelled: false,
  });
  assert.deepEqual(none, []);
});

void test("backpressure: the next chunk is read only once the previous one was handed over", async () => {
  const size = 64 * 1024;
  const { path } = fileOf(size);
  const file = new FileBytes(path);
  const log: string[] = [];
  let held = 0;
  let maxHeld = 0;
  const source: ByteSource = {
    read: async (offset, length) => {
      const bytes = await file.read(offset, length);
      held++;
      maxHeld = Math.max(maxHeld, held);
      log.push(`read ${offset}`);
      return bytes;
    },
  };
  // A slow webview: each delivery takes a while (a timer), and the chunk is released only when it resolves.
  const result = await streamBytes(
    source,
    async (offset) => {
      log.push(`send ${offset}`);
      await new Promise((r) => setTimeout(r, 5));
      held--;
      log.push(`sent ${offset}`);
      return true;
    },
    { chunkBytes: 16 * 1024 },
  );
  await file.close();
  assert.equal(result.byteLength, size);
  assert.equal(maxHeld, 1, "never more than one chunk read ahead of the webview");
  assert.deepEqual(log.slice(0, 6), ["read 0", "send 0", "sent 0", "read 16384", "send 16384", "sent 16384"]);
});

void test("a newer stream cancels this one: nothing more is sent", async () => {
  const { path } = fileOf(50_000);
  let generation = 1;
  const sent: number[] = [];
  const result = await streamBytes(
    new FileBytes(path),
    async (offset) => {
      sent.push(offset);
      if (sent.length === 2) generation = 2; // a new stream of the slot began while this chunk was on its way
      return true;
    },
    { chunkBytes: 10_000, cancelled: () => generation !== 1 },
  );
  assert.deepEqual(sent, [0, 10_000]);
  assert.equal(result.cancelled, true);
  assert.equal(result.byteLength, 20_000);
});

void test("an undelivered chunk or a failed read stops the stream with an error", async () => {
  const { path } = fileOf(30_000);
  const undelivered = await streamBytes(new FileBytes(path), async (offset) => offset === 0, { chunkBytes: 10_000 });
  assert.equal(undelivered.byteLength, 10_000);
  assert.match(undelivered.error ?? "", /did not take/);
  const missing = await streamBytes(new FileBytes(join(dir, "missing.json")), async () => true);
  assert.equal(missing.byteLength, 0);
  assert.match(missing.error ?? "", /cannot read the trace: .*ENOENT/);
});

void test("flow control: at most maxInFlight bytes are sent and unread; the worker's word moves the window on", async () => {
  const { path, bytes } = fileOf(10 * 1000);
  const window = new StreamWindow(3000, 60_000);
  const sent: number[] = [];
  let consumed = 0;
  let aheadMax = 0;
  const streaming = streamBytes(
    new FileBytes(path),
    async (offset, chunk) => {
      sent.push(offset + chunk.length);
      aheadMax = Math.max(aheadMax, offset + chunk.length - consumed);
      return true;
    },
    { chunkBytes: 1000, room: (n, length) => window.room(n, length) },
  );
  // Nothing is read by the "worker": the stream stops after three chunks.
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(sent, [1000, 2000, 3000]);
  // The worker reads in steps; each lets the stream go on as far as the window allows.
  for (const upTo of [1000, 2500, 6000, 10_000]) {
    consumed = upTo;
    window.consumed(upTo);
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(sent.at(-1)! - consumed <= 3000, `${sent.at(-1)} sent, ${consumed} read`);
  }
  const result = await streaming;
  assert.equal(result.byteLength, bytes.length);
  assert.ok(aheadMax <= 3000, String(aheadMax));
  assert.equal(window.stalls, 0);
});

void test("flow control: a webview that never answers stalls the stream only stallMs per chunk; release ends the wait", async () => {
  const { path, bytes } = fileOf(5000);
  const silent = new StreamWindow(2000, 30);
  const result = await streamBytes(new FileBytes(path), async () => true, {
    chunkBytes: 1000,
    room: (n, length) => silent.room(n, length),
  });
  assert.equal(result.byteLength, bytes.length);
  assert.equal(silent.stalls, 3, "chunks 3, 4 and 5 each went after a stall");

  const released = new StreamWindow(1000, 60_000);
  let count = 0;
  const stream = streamBytes(new FileBytes(path), async () => Boolean(++count), {
    chunkBytes: 1000,
    room: (n, length) => released.room(n, length),
  });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(count, 1);
  released.release();
  assert.equal((await stream).byteLength, bytes.length);
});

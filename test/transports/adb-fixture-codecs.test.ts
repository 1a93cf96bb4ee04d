// The adb device fixture's codecs (test/fixtures/adb-device): message headers and checksums, shell v2 packets and
// the sync frame reader, fed in every split, since the real adb packs and splits them freely; the byte queue under
// them, which hands payloads on as views of the reads they came in.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  A_CNXN,
  A_OKAY,
  A_WRTE,
  commandName,
  decodeHeader,
  deviceBanner,
  encodeHeader,
  encodeMessage,
  joinedPayload,
  MessageReader,
  type ReceivedMessage,
  payloadChecksum,
} from "../fixtures/adb-device/protocol";
import { ByteQueue } from "../fixtures/adb-device/byte-queue";
import { encodeShellPacket, parseShellService, ShellPacketReader } from "../fixtures/adb-device/shell-v2";
import {
  encodeDent,
  encodeStat,
  parseSendTarget,
  SyncFrameReader,
  type SyncFrame,
} from "../fixtures/adb-device/sync-codec";

void test("a header is 24 little-endian bytes with the byte-sum checksum and the inverted magic", () => {
  const payload = Buffer.from("host::\0");
  const h = encodeHeader(A_CNXN, 0x01000001, 256 * 1024, payload);
  assert.equal(h.length, 24);
  assert.equal(h.toString("latin1", 0, 4), "CNXN");
  assert.equal(h.readUInt32LE(4), 0x01000001);
  assert.equal(h.readUInt32LE(8), 262144);
  assert.equal(h.readUInt32LE(12), payload.length);
  assert.equal(
    h.readUInt32LE(16),
    [...payload].reduce((a, b) => a + b, 0),
  );
  assert.equal(h.readUInt32LE(20), 0xb1a7b1bc);
  assert.deepEqual(decodeHeader(h), {
    command: A_CNXN,
    arg0: 0x01000001,
    arg1: 262144,
    length: payload.length,
    checksum: payloadChecksum(payload),
    magic: 0xb1a7b1bc,
  });
  assert.equal(commandName(A_WRTE), "WRTE");
});

void test("the checksum is an unsigned 32-bit byte sum", () => {
  assert.equal(payloadChecksum(Buffer.alloc(0)), 0);
  assert.equal(payloadChecksum(Buffer.from([255, 255, 1])), 511);
});

void test("a header whose magic does not match its command is refused", () => {
  const h = encodeHeader(A_OKAY, 1, 2, Buffer.alloc(0));
  h.writeUInt32LE(0, 20);
  assert.throws(() => decodeHeader(h), /bad adb magic/);
});

void test("the message reader cuts messages out of any split, and checks nonzero checksums", () => {
  const messages = [
    { command: A_CNXN, arg0: 0x01000001, arg1: 4096, payload: Buffer.from("host::features=shell_v2") },
    { command: A_WRTE, arg0: 3, arg1: 7, payload: Buffer.alloc(5000, 0x41) },
    { command: A_OKAY, arg0: 7, arg1: 3, payload: Buffer.alloc(0) },
  ];
  const bytes = Buffer.concat(messages.map(encodeMessage));
  const whole = (m: ReceivedMessage) => ({ command: m.command, arg0: m.arg0, arg1: m.arg1, payload: joinedPayload(m) });
  for (const step of [1, 5, 23, 24, 25, 1000, bytes.length]) {
    const reader = new MessageReader();
    const got: ReceivedMessage[] = [];
    for (let at = 0; at < bytes.length; at += step) got.push(...reader.push(bytes.subarray(at, at + step)));
    assert.deepEqual(got.map(whole), messages, `split every ${step} bytes`);
  }
  // A zero checksum is accepted (hosts at version 0x01000001 skip it); a wrong nonzero one is not.
  const zero = encodeMessage(messages[0]);
  zero.writeUInt32LE(0, 16);
  assert.equal(new MessageReader().push(zero).length, 1);
  const wrong = encodeMessage(messages[0]);
  wrong.writeUInt32LE(1, 16);
  assert.throws(() => new MessageReader().push(wrong), /bad adb checksum/);
});

void test("the banner names the product, model, device and features", () => {
  assert.equal(
    deviceBanner({ "ro.product.name": "p", "ro.product.model": "M 1", "ro.product.device": "d", other: "x" }, [
      "shell_v2",
      "cmd",
    ]),
    "device::ro.product.name=p;ro.product.model=M 1;ro.product.device=d;features=shell_v2,cmd;",
  );
});

void test("shell v2 packets: [id][u32 length][data], read back from any split", () => {
  const packets = [
    { id: 1, data: Buffer.from("out") },
    { id: 2, data: Buffer.from("err\n") },
    { id: 4, data: Buffer.alloc(0) },
    { id: 3, data: Buffer.from([7]) },
  ];
  const bytes = Buffer.concat(packets.map((p) => encodeShellPacket(p.id, p.data)));
  assert.deepEqual([...bytes.subarray(0, 8)], [1, 3, 0, 0, 0, 0x6f, 0x75, 0x74]);
  for (const step of [1, 2, 5, 6, bytes.length]) {
    const reader = new ShellPacketReader();
    const got = [];
    for (let at = 0; at < bytes.length; at += step) got.push(...reader.push(bytes.subarray(at, at + step)));
    assert.deepEqual(got, packets, `split every ${step} bytes`);
  }
});

void test("shell service names: legacy, v2 raw, v2 with options", () => {
  assert.deepEqual(parseShellService("shell:ls -l"), { v2: false, pty: false, command: "ls -l" });
  assert.deepEqual(parseShellService("shell,v2,raw:echo a:b"), { v2: true, pty: false, command: "echo a:b" });
  assert.deepEqual(parseShellService("shell,v2,TERM=xterm,pty:"), { v2: true, pty: true, command: "" });
  assert.equal(parseShellService("sync:"), undefined);
});

function frame(id: string, body: Buffer | string, lengthOverride?: number): Buffer {
  const b = typeof body === "string" ? Buffer.from(body) : body;
  const h = Buffer.alloc(8);
  h.write(id, 0, "latin1");
  h.writeUInt32LE(lengthOverride ?? b.length, 4);
  return Buffer.concat([h, lengthOverride === undefined ? b : Buffer.alloc(0)]);
}

void test("sync requests are buffered across chunks and several in one chunk are all read", () => {
  const data1 = Buffer.alloc(65536, 1);
  const data2 = Buffer.from("tail");
  const bytes = Buffer.concat([
    frame("STAT", "/data/x"),
    frame("SEND", "/data/a,b.bin,33188"),
    frame("DATA", data1),
    frame("DATA", data2),
    frame("DONE", "", 1700000000),
    frame("RECV", "/data/a,b.bin"),
    frame("LIST", "/data"),
    frame("QUIT", ""),
  ]);
  const expected: SyncFrame[] = [
    { id: "STAT", path: "/data/x" },
    { id: "SEND", path: "/data/a,b.bin,33188" },
    { id: "DATA", parts: [data1], length: data1.length },
    { id: "DATA", parts: [data2], length: data2.length },
    { id: "DONE", mtime: 1700000000 },
    { id: "RECV", path: "/data/a,b.bin" },
    { id: "LIST", path: "/data" },
    { id: "QUIT", path: "" },
  ];
  for (const step of [1, 3, 7, 8, 9, 4096, bytes.length]) {
    const reader = new SyncFrameReader();
    const got: SyncFrame[] = [];
    for (let at = 0; at < bytes.length; at += step) got.push(...reader.push(bytes.subarray(at, at + step)));
    // DATA comes in the pieces it arrived in: compare the bytes
    const joined = got.map((f) =>
      f.id === "DATA"
        ? { id: f.id, parts: [Buffer.concat(f.parts)], length: f.parts.reduce((n, p) => n + p.length, 0) }
        : f,
    );
    assert.deepEqual(joined, expected, `split every ${step} bytes`);
  }
});

void test("sync: oversized DATA and unknown ids are refused; SEND's mode follows the last comma", () => {
  assert.throws(() => new SyncFrameReader().push(frame("DATA", "", 65537)), /at most 65536/);
  assert.throws(() => new SyncFrameReader().push(frame("XXXX", "a")), /unknown sync request/);
  assert.deepEqual(parseSendTarget("/sdcard/a,b,c.txt,33261"), { path: "/sdcard/a,b,c.txt", mode: 33261 });
  const stat = encodeStat(0o100644, 12, 99);
  assert.equal(stat.toString("latin1", 0, 4), "STAT");
  assert.deepEqual([stat.readUInt32LE(4), stat.readUInt32LE(8), stat.readUInt32LE(12)], [0o100644, 12, 99]);
  const dent = encodeDent(0o40755, 0, 5, "dir é");
  assert.equal(dent.readUInt32LE(16), Buffer.byteLength("dir é"));
  assert.equal(dent.toString("utf8", 20), "dir é");
});

void test("the byte queue cuts records out of chunks: views inside one chunk, copies only across chunks", () => {
  const a = Buffer.from("abcdef");
  const b = Buffer.from("ghij");
  const q = new ByteQueue();
  q.push(a);
  q.push(Buffer.alloc(0));
  q.push(b);
  assert.equal(q.length, 10);
  const ab = q.take(2);
  assert.equal(ab.toString(), "ab");
  assert.equal(ab.buffer, a.buffer, "bytes inside one chunk are a view");
  assert.equal(q.peek(6).toString(), "cdefgh");
  const pieces = q.takePieces(6);
  assert.deepEqual(
    pieces.map((p) => p.toString()),
    ["cdef", "gh"],
  );
  assert.ok(pieces[0].buffer === a.buffer && pieces[1].buffer === b.buffer, "pieces are views");
  q.skip(1);
  assert.equal(q.take(1).toString(), "j");
  assert.equal(q.length, 0);
  assert.throws(() => q.take(1), RangeError);
});

void test("a 1 MiB payload arriving in 64 KiB reads comes out as views of the reads, not copied", () => {
  const payload = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
  const bytes = encodeMessage({ command: A_WRTE, arg0: 1, arg1: 2, payload });
  const reads: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 65536) reads.push(Buffer.from(bytes.subarray(at, at + 65536)));
  const reader = new MessageReader();
  const got = reads.flatMap((r) => reader.push(r));
  assert.equal(got.length, 1);
  assert.ok(joinedPayload(got[0]).equals(payload));
  assert.equal(got[0].parts.length, reads.length);
  assert.ok(
    got[0].parts.every((p, i) => p.buffer === reads[i].buffer),
    "every piece is a view of the read it came in",
  );
});

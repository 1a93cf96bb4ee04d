// Reading one trace event again from its byte offset (extension/profile/event-text.ts), as the profile viewer's
// details panel asks (EventTextRequest): on a real onnxruntime profile written by onnxruntime-node, and on a large
// onnxruntime-like trace with braces and brackets inside strings, escapes and non-ASCII names, the text read at each
// event's `{` is exactly that event; a wrong offset, a cut file and an over-long event are errors, never a long read.
import * as assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as ort from "onnxruntime-node";
import { readEventText, scanObjectEnd } from "../../extension/profile/event-text";
import { FileBytes } from "../../extension/profile/file-bytes";
import type { ByteSource } from "../../extension/profile/trace-stream";
import { clsModel } from "../vscode/workspace";
import { writeOrtTrace } from "../common/ort-trace";

const dir = mkdtempSync(join(tmpdir(), "profile-event-text-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The byte offset of every event's `{` in a trace written one event per line (as onnxruntime writes them). */
function eventOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf(0x0a, at);
    const line = end < 0 ? bytes.length : end;
    if (bytes[at] === 0x7b && bytes.subarray(at, line).includes('"ph"')) offsets.push(at);
    at = line + 1;
  }
  return offsets;
}

function eventsOf(text: string): unknown[] {
  const parsed = JSON.parse(text) as unknown[] | { traceEvents: unknown[] };
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

/** Counts reads and bytes read, to check the scanner reads only what it needs. */
function counting(source: ByteSource): ByteSource & { bytesRead: number } {
  const counted = {
    bytesRead: 0,
    read: async (offset: number, length: number) => {
      const bytes = await source.read(offset, length);
      counted.bytesRead += bytes.length;
      return bytes;
    },
  };
  return counted;
}

void test("a real onnxruntime profile: the text at each event's offset is that event", async () => {
  const session = await ort.InferenceSession.create(clsModel, {
    enableProfiling: true,
    profileFilePrefix: join(dir, "ort"),
  });
  const input = new ort.Tensor("float32", new Float32Array(3 * 48 * 192), [1, 3, 48, 192]);
  await session.run({ [session.inputNames[0]]: input });
  await session.run({ [session.inputNames[0]]: input });
  session.endProfiling();
  await session.release();
  const file = readdirSync(dir).find((f) => f.startsWith("ort") && f.endsWith(".json"));
  assert.ok(file, "onnxruntime wrote its profile");
  const path = join(dir, file);
  const bytes = readFileSync(path);
  const events = eventsOf(bytes.toString("utf8"));
  const offsets = eventOffsets(bytes);
  assert.equal(offsets.length, events.length, "one event per line");
  assert.ok(events.length > 20, `kernels and sessions: ${events.length}`);
  const source = new FileBytes(path);
  try {
    for (let i = 0; i < offsets.length; i++)
      assert.deepEqual(JSON.parse(await readEventText(source, offsets[i])), events[i], `event ${i}`);
  } finally {
    await source.close();
  }
});

void test("a 20 MB onnxruntime-like trace (object form, non-ASCII names, ']}' in strings): every event read back", async () => {
  const path = join(dir, "big.json");
  await writeOrtTrace(path, { runs: 200, nodes: 90, form: "object" });
  const bytes = readFileSync(path);
  assert.ok(bytes.length > 15e6, `${bytes.length} bytes`);
  const events = eventsOf(bytes.toString("utf8"));
  const offsets = eventOffsets(bytes);
  assert.equal(offsets.length, events.length);
  const source = counting(new FileBytes(path));
  // Every 97th event and the unicode-named ones (nodes 1 and 2 of each run), the last one too.
  const picked = offsets.map((_, i) => i).filter((i) => i % 97 === 0 || i % 92 === 3 || i % 92 === 4);
  picked.push(offsets.length - 1);
  for (const i of picked) {
    const text = await readEventText(source, offsets[i]);
    assert.deepEqual(JSON.parse(text), events[i], `event ${i}`);
  }
  // Kernel events are ~1 kB: each read stays one 16 kB block, never the file.
  assert.ok(source.bytesRead <= picked.length * 16 * 1024, `${source.bytesRead} bytes read for ${picked.length}`);
});

void test("the scanner skips braces in strings and escaped quotes, and carries its state across blocks", () => {
  const text = '{"name":"a}\\"}{","args":{"k":[1,{"x":"]"}],"s":"\\\\"}} trailing';
  const bytes = new TextEncoder().encode(text);
  const whole = scanObjectEnd(bytes, { depth: 0, inString: false, escaped: false });
  assert.equal(new TextDecoder().decode(bytes.subarray(0, whole)), text.slice(0, text.indexOf(" trailing")));
  // Cut after every byte: the state carries over and finds the same end.
  for (let cut = 1; cut < whole; cut++) {
    const state = { depth: 0, inString: false, escaped: false };
    assert.equal(scanObjectEnd(bytes.subarray(0, cut), state), -1);
    assert.equal(scanObjectEnd(bytes.subarray(cut), state), whole - cut, `cut at ${cut}`);
  }
});

void test("a wrong offset, a cut file and an over-long event are errors, read within the bound", async () => {
  const path = join(dir, "small.json");
  writeFileSync(path, '[\n{"ph":"X","name":"a","args":{"s":"é"}},\n{"ph":"X","name":"cut');
  const cutAt = readFileSync(path).lastIndexOf("{");
  const source = counting(new FileBytes(path));
  assert.equal(await readEventText(source, 2), '{"ph":"X","name":"a","args":{"s":"é"}}');
  await assert.rejects(readEventText(source, 3), /no event starts at byte 3/);
  await assert.rejects(readEventText(source, cutAt), new RegExp(`ends inside the event at byte ${cutAt}`));
  await assert.rejects(readEventText(source, 1e9), /ends inside the event/);
  await assert.rejects(readEventText(source, -1), /not a byte offset/);
  const long = join(dir, "long.json");
  writeFileSync(long, `[{"ph":"X","args":{"s":"${"x".repeat(200_000)}"}}]`);
  const longSource = counting(new FileBytes(long));
  await assert.rejects(readEventText(longSource, 1, 50_000), /longer than 50000 bytes/);
  assert.equal(longSource.bytesRead, 50_000);
});

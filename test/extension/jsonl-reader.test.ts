// The engine's JSON-lines reader (extension/run/jsonl-reader.ts): chunks split anywhere, partial lines kept until
// their newline, lines that are not events handed to the log.
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineEvent } from "../../engine/events";
import { createJsonLinesReader } from "../../extension/run/jsonl-reader";

function collect() {
  const events: EngineEvent[] = [];
  const other: string[] = [];
  const reader = createJsonLinesReader(
    (e) => events.push(e),
    (l) => other.push(l),
  );
  return { events, other, reader };
}

const a = { type: "progress", step: "run", done: 1, total: 2, timeMs: 1 };
const b = { type: "log", level: "warning", message: "héllo → ✓", timeMs: 2 };

void test("whole lines in one chunk become events", () => {
  const { events, other, reader } = collect();
  reader.push(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`);
  assert.deepEqual(events, [a, b]);
  assert.deepEqual(other, []);
});

void test("a line split across chunks, even inside a multi-byte character, is one event", () => {
  const { events, reader } = collect();
  const bytes = new TextEncoder().encode(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`);
  for (let i = 0; i < bytes.length; i += 3) reader.push(bytes.subarray(i, i + 3));
  assert.deepEqual(events, [a, b]);
});

void test("a partial last line waits for its newline, and end() flushes it", () => {
  const { events, reader } = collect();
  const text = JSON.stringify(a);
  reader.push(text.slice(0, 10));
  assert.equal(events.length, 0);
  reader.push(text.slice(10));
  assert.equal(events.length, 0);
  reader.end();
  assert.deepEqual(events, [a]);
});

void test("non-JSON lines, JSON without a type and CRLF endings", () => {
  const { events, other, reader } = collect();
  reader.push(`Debugger attached.\r\n{"no":"type"}\n{broken\n\n${JSON.stringify(a)}\r\n`);
  assert.deepEqual(events, [a]);
  assert.deepEqual(other, ["Debugger attached.", '{"no":"type"}', "{broken"]);
});

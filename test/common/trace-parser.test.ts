// The streaming Chrome-trace parser (common/trace/): the same events as JSON.parse however the input is cut (text or
// bytes, inside characters, escapes and numbers), both top-level forms, truncated traces kept, malformed ones refused
// with their byte offset and line, and a 50 MB trace read while holding no more than one event's text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TraceParser, type TraceParseResult } from "../../common/trace/trace-parser";
import type { TraceEvent } from "../../common/trace/trace-event";
import { TraceSyntaxError } from "../../common/trace/trace-syntax-error";
import { utf8Length, wholeCharactersEnd } from "../../common/trace/utf8";
import { ortEventCount, ortTraceChunks } from "./ort-trace";

function parse(chunks: (string | Uint8Array)[]): { events: TraceEvent[]; result: TraceParseResult } {
  const events: TraceEvent[] = [];
  const parser = new TraceParser({ onEvent: (e) => events.push(e) });
  for (const c of chunks) parser.write(c);
  return { events, result: parser.end() };
}

/** The error parsing `input` (text, or bytes) throws; fails the test when it does not throw one. */
function syntaxError(input: string | Uint8Array): TraceSyntaxError {
  try {
    parse([input]);
  } catch (e) {
    assert.ok(e instanceof TraceSyntaxError, `a TraceSyntaxError, not ${String(e)}`);
    return e;
  }
  assert.fail(`no error for ${JSON.stringify(typeof input === "string" ? input : Buffer.from(input).toString())}`);
}

const bytes = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));

// Strings with escapes (quotes, backslashes, \u, a surrogate pair), brackets inside strings, non-ASCII names,
// numbers with exponents and signs; other keys before and after traceEvents, nested, with brackets in strings.
const events = [
  { ph: "M", name: "process_name", pid: 1, args: { name: 'onnxruntime "main" ]}' } },
  { cat: "Node", ph: "X", name: "/décodeur/MatMul_€_kernel_time", ts: 1.5e3, dur: 12, args: { op_name: "MatMul" } },
  { ph: "B", name: "a\\\\b\\", ts: 1600, pid: 1, tid: 2 },
  { ph: "E", name: "tab\there \u00e9 😀 \u0001", ts: 1700, pid: 1, tid: 2 },
  { ph: "i", name: "marker", ts: -0.25, s: "g", args: { nested: [[[]], { "}": "{" }, null, true, false] } },
  { ph: "C", name: "memory", ts: 1800, args: { bytes: 123456789012, ratio: 1.5e-7 } },
  { ph: "X", name: "", ts: 0, dur: 0, args: {} },
  { ph: "I", name: "instant", ts: 1900 },
  { name: "no phase", ts: 2000 },
];
const objectText =
  `{"displayTimeUnit": "ns", "otherData": {"v": [1, {"s": "]\\"}["}], "e": -1.5E+3, "t": true},\n` +
  ` "traceEvents": [\n${events.map((e) => JSON.stringify(e)).join(",\n")}\n],\n "metadata": "x\\\\\\"y", "n": null}\n`;
const arrayText = `[\n${events.map((e) => JSON.stringify(e)).join(",\n")}\n]\n`;

void test("both top-level forms give JSON.parse's events and counts by phase", () => {
  for (const text of [objectText, arrayText]) {
    const { events: got, result } = parse([text]);
    assert.deepEqual(got, events);
    assert.equal(result.form, text === objectText ? "object" : "array");
    assert.equal(result.truncated, false);
    assert.equal(result.eventCount, events.length);
    assert.deepEqual(result.phaseCounts, { M: 1, X: 2, B: 1, E: 1, i: 1, C: 1, I: 1, "?": 1 });
    assert.equal(result.byteLength, Buffer.byteLength(text));
    assert.equal(result.lineCount, text.split("\n").length);
  }
  // traceEvents first, last, empty; an empty array
  assert.deepEqual(parse([`{"traceEvents":[{"ph":"X"}],"a":{}}`]).events, [{ ph: "X" }]);
  assert.deepEqual(parse([`{"a":[],"b":"}","traceEvents":[{"ph":"X"}]}`]).events, [{ ph: "X" }]);
  assert.equal(parse([`{"traceEvents":[]}`]).result.eventCount, 0);
  assert.equal(parse([` [ ] `]).result.truncated, false);
  // a byte order mark at the start
  assert.deepEqual(parse(["\ufeff[{}]"]).events, [{}]);
});

void test("text cut at every offset, and bytes cut at every byte (inside characters, escapes, numbers), give the same events", () => {
  for (const text of [objectText, arrayText]) {
    const whole = bytes(text);
    for (let cut = 0; cut <= text.length; cut++) {
      assert.deepEqual(parse([text.slice(0, cut), text.slice(cut)]).events, events, `text cut at ${cut}`);
    }
    for (let cut = 0; cut <= whole.length; cut++) {
      const { events: got, result } = parse([whole.subarray(0, cut), whole.subarray(cut)]);
      assert.deepEqual(got, events, `bytes cut at ${cut}`);
      assert.equal(result.byteLength, whole.length);
    }
    // one byte, one character at a time
    assert.deepEqual(parse(Array.from(whole, (b) => new Uint8Array([b]))).events, events);
    assert.deepEqual(parse([...text]).events, events);
    // random cuts into several pieces, text and bytes mixed only at character boundaries
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    for (let round = 0; round < 100; round++) {
      const pieces: Uint8Array[] = [];
      for (let at = 0; at < whole.length;) {
        const size = 1 + random(40);
        pieces.push(whole.subarray(at, at + size));
        at += size;
      }
      assert.deepEqual(parse(pieces).events, events, `round ${round}`);
    }
  }
});

void test("a trace without its closing ] is truncated: every complete event is kept, the partial one dropped", () => {
  const complete = `[\n{"ph":"X","ts":1},\n{"ph":"X","ts":2}`;
  for (const [text, count] of [
    [complete, 2],
    [`${complete},\n`, 2],
    [`${complete},\n{"ph":"X","ts":3,"name":"/conv`, 2],
    [`${complete},\n{"ph":"X","ts":3,"args":{"a":[1,2`, 2],
    [`${complete},\n{"ph":"X","ts":3,"name":"a\\`, 2],
    ["[", 0],
    [`{"otherData":{"a":1},"traceEvents":[{"ph":"X"}`, 1],
    [`{"traceEvents":[{"ph":"X"}]`, 1],
    [`{"otherData":{"a":"b`, 0],
    [`{"traceEvents":[{"ph":"X"}],"n":12`, 1],
  ] as const) {
    const { events: got, result } = parse([text]);
    assert.equal(result.truncated, true, text);
    assert.equal(got.length, count, text);
    assert.equal(result.eventCount, count);
  }
  // bytes that end inside a multi-byte character of a partial event: truncated too
  const cut = bytes(`${complete},{"name":"é`);
  assert.equal(parse([cut.subarray(0, cut.length - 1)]).result.truncated, true);
});

void test("malformed traces are refused with the byte offset and line of the problem", () => {
  const at = (input: string | Uint8Array, byteOffset: number, line: number, reason: RegExp) => {
    const e = syntaxError(input);
    assert.equal(e.byteOffset, byteOffset, `${e.message}: offset`);
    assert.equal(e.line, line, `${e.message}: line`);
    assert.match(e.reason, reason);
    assert.match(e.message, new RegExp(`at byte ${byteOffset} \\(line ${line}\\)`));
  };
  at("", 0, 1, /empty/);
  at("  \n ", 4, 2, /empty/);
  at("hello", 0, 1, /not a Chrome trace: it starts with "h", not \[ or \{/);
  at('\n\n"x"', 2, 3, /starts with/);
  at('[{"a":1} x]', 9, 1, /expected "," or "\]" after an event, found "x"/);
  at('[{"a":1},]', 9, 1, /a "," before "\]"/);
  at("[1, 2]", 1, 1, /expected an event \(an object\), found "1"/);
  at('[{"a":1}]\n]', 10, 2, /after the end of the trace/);
  at('{"foo": 1}', 9, 1, /without traceEvents/);
  at('{"traceEvents": 5}', 16, 1, /traceEvents is not an array/);
  at('{"traceEvents" [', 15, 1, /expected ":" after the key "traceEvents"/);
  at('{"a": 1 "b": 2}', 8, 1, /expected "," or "\}"/);
  at("{traceEvents: []}", 1, 1, /expected a key/);
  at('{"a": @}', 6, 1, /expected the value of "a"/);
  // a non-ASCII character before the problem: the offset counts its bytes (é is 2, € 3, 😀 4)
  at('[{"n":"é€😀"} x]', 19, 1, /found "x"/);
  at(bytes('[{"n":"é€😀"},\n x]'), 21, 2, /expected an event/);
  // an event that is not valid JSON: the offset of the event, plus the position in it when the engine says it
  const bad = syntaxError('[{"ph":"X"},\n{"ph":"X",\n"ts":tru}]');
  assert.match(bad.reason, /an event is not valid JSON/);
  assert.ok(bad.byteOffset >= 13 && bad.byteOffset <= 28, String(bad.byteOffset));
  assert.ok(bad.line >= 2 && bad.line <= 3, String(bad.line));
  assert.equal(syntaxError('[{"ph":"X"},{"a":"\u0001"}]').byteOffset >= 12, true);
  // bytes that are not UTF-8
  assert.match(syntaxError(new Uint8Array([0x5b, 0xff, 0x5d])).reason, /not UTF-8/);
  assert.match(syntaxError(new Uint8Array([0x5b, 0x5d, 0xe2, 0x82])).reason, /not UTF-8/);
});

void test("an event longer than the limit is refused instead of held", () => {
  const parser = new TraceParser({ onEvent: () => {}, maxEventChars: 100 });
  parser.write('[{"ph":"X"},\n{"name":"');
  assert.throws(
    () => parser.write("x".repeat(200)),
    (e: unknown) =>
      e instanceof TraceSyntaxError && /an event longer than 100 characters/.test(e.reason) && e.byteOffset === 13,
  );
});

void test("an exception of the callback stops the parse and reaches the caller", () => {
  const parser = new TraceParser({
    onEvent: (e) => {
      if (e.ts === 2) throw new Error("enough");
    },
  });
  assert.throws(() => parser.write('[{"ts":1},{"ts":2},{"ts":3}]'), /enough/);
});

void test("the UTF-8 helpers: byte lengths, and where a chunk's whole characters end", () => {
  assert.equal(utf8Length("aé€😀"), 1 + 2 + 3 + 4);
  assert.equal(utf8Length("aé€😀", 1, 3), 5);
  const b = bytes("a€");
  assert.equal(wholeCharactersEnd(b), 4);
  assert.equal(wholeCharactersEnd(b.subarray(0, 3)), 1);
  assert.equal(wholeCharactersEnd(b.subarray(0, 2)), 1);
  assert.equal(wholeCharactersEnd(bytes("😀").subarray(0, 3)), 0);
});

void test("a 50 MB onnxruntime-like trace in 64 kB byte chunks: every event, holding at most one event's text", () => {
  const shape = { runs: 320, nodes: 170, chunkChars: 1_000_000 };
  const counts = { X: 0, kernels: 0, runs: 0, lastTs: 0 };
  const parser = new TraceParser({
    onEvent: (e) => {
      if (e.ph === "X") counts.X++;
      if (typeof e.name === "string" && e.name.endsWith("_kernel_time")) counts.kernels++;
      if (e.name === "model_run") counts.runs++;
      if (e.name === "/décodeur/Gather_kernel_time") counts.lastTs = e.ts as number;
    },
  });
  let size = 0;
  for (const text of ortTraceChunks(shape)) {
    const chunk = bytes(text);
    size += chunk.length;
    // 65,537-byte pieces: their cuts fall inside characters and escapes somewhere
    for (let at = 0; at < chunk.length; at += 65_537) parser.write(chunk.subarray(at, at + 65_537));
  }
  const result = parser.end();
  assert.ok(size > 50_000_000, `${size} bytes`);
  assert.equal(result.byteLength, size);
  assert.equal(result.truncated, false);
  assert.equal(result.eventCount, ortEventCount(shape));
  assert.deepEqual(result.phaseCounts, { X: ortEventCount(shape) });
  assert.equal(counts.kernels, shape.runs * shape.nodes);
  assert.equal(counts.runs, shape.runs);
  assert.ok(counts.lastTs > 0);
  // The memory bound: what the parser carried from one chunk to the next was part of one event, never more.
  assert.ok(result.maxEventChars > 900 && result.maxEventChars < 2000, String(result.maxEventChars));
  assert.ok(
    result.maxCarriedChars > 0 && result.maxCarriedChars <= result.maxEventChars,
    String(result.maxCarriedChars),
  );
});

// Bad input corpus: a data-driven table of broken, truncated, corrupted and non-ONNX files, each with the error
// code expected and what its message or hint must say. Every file is read in a child process with a small heap
// and a time limit per file: a read that hangs, crashes or allocates what a bogus length declares fails the test.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, truncateSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fixtureModels } from "./corpus";
import type { ReadOutcome } from "./read-in-child";

const dir = mkdtempSync(join(tmpdir(), "edge-bad-input-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const PER_FILE_LIMIT_MS = 5000;

/** A protobuf varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}
/** A length-delimited field: tag, length, body. */
function field(no: number, body: number[]): number[] {
  return [...varint(no * 8 + 2), ...varint(body.length), ...body];
}

function nested(depth: number): Uint8Array {
  // ModelProto.graph → GraphProto.node → NodeProto.attribute → AttributeProto.g → GraphProto.node → …
  let graphBody: number[] = [];
  for (let i = 0; i < depth; i++) graphBody = field(1, field(5, field(6, graphBody)));
  return Uint8Array.from([0x08, 0x08, ...field(7, graphBody)]);
}

function random(n: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s >> 16;
  });
}

const cls = readFileSync(fixtureModels.ocrCls);
const silero = readFileSync(fixtureModels.sileroVad);
const flip = (bytes: Uint8Array, at: number, xor = 0xff) => {
  const copy = Uint8Array.from(bytes);
  copy[at] ^= xor;
  return copy;
};
/** Offset of the graph field's length (the byte after its 0x3a tag) in a model whose first fields are small. */
const graphLengthAt = (bytes: Uint8Array) => bytes.indexOf(0x3a) + 1;

interface Case {
  name: string;
  bytes: Uint8Array;
  code: string | "ok";
  /** Must match the message or the hint. */
  says?: RegExp;
  /** Exact offset expected, when it is known. */
  offset?: number;
}

const cases: Case[] = [
  { name: "empty", bytes: new Uint8Array(0), code: "model/invalid", says: /empty/, offset: 0 },
  {
    name: "json",
    bytes: new TextEncoder().encode('{"name": "model", "graph": {"node": []}}\n'),
    code: "model/invalid",
    says: /JSON/,
  },
  {
    name: "png",
    bytes: Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0, 0, 0, 1, 0, 8, 6,
      0, 0, 0,
    ]),
    code: "model/invalid",
    says: /PNG/,
  },
  {
    name: "zip",
    bytes: Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0, ...random(200, 9)]),
    code: "model/invalid",
    says: /zip/,
  },
  {
    name: "tflite",
    bytes: Uint8Array.from([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, ...random(100, 5)]),
    code: "model/invalid",
    says: /TensorFlow Lite/,
  },
  {
    name: "text",
    bytes: new TextEncoder().encode("this is not a model, just a note\n"),
    code: "model/invalid",
    says: /text file/,
  },
  { name: "random 4 KiB", bytes: random(4096, 42), code: "model/invalid" },
  { name: "random 64 KiB", bytes: random(65536, 7), code: "model/invalid" },
  {
    name: "truncated cls at 1",
    bytes: cls.subarray(0, 1),
    code: "model/invalid",
    says: /past the end of the file/,
    offset: 1,
  },
  { name: "truncated cls at 10", bytes: cls.subarray(0, 10), code: "model/invalid", says: /truncated|graph/ },
  { name: "truncated cls at 1000", bytes: cls.subarray(0, 1000), code: "model/invalid", says: /truncated/ },
  { name: "truncated cls at half", bytes: cls.subarray(0, cls.length >> 1), code: "model/invalid", says: /truncated/ },
  {
    name: "truncated cls by one byte",
    bytes: cls.subarray(0, cls.length - 1),
    code: "model/invalid",
    says: /truncated/,
  },
  {
    name: "truncated silero at 77%",
    bytes: silero.subarray(0, Math.floor(silero.length * 0.77)),
    code: "model/invalid",
    says: /truncated/,
  },
  { name: "flipped first byte", bytes: flip(cls, 0), code: "model/invalid", offset: 0 },
  {
    name: "flipped graph length",
    bytes: flip(cls, graphLengthAt(cls) + 2, 0x7f),
    code: "model/invalid",
    says: /past the end/,
  },
  {
    name: "flipped byte inside weights (undetectable: reads fine)",
    bytes: flip(cls, cls.length - 5000, 0x01),
    code: "ok",
  },
  {
    name: "huge declared length",
    bytes: Uint8Array.from([0x08, 0x08, 0x3a, ...varint(2 ** 40), 1, 2, 3]),
    code: "model/invalid",
    says: /length 1099511627776 runs past the end/,
    offset: 3,
  },
  {
    name: "huge packed length inside a tensor",
    bytes: Uint8Array.from([0x08, 0x08, ...field(7, [...field(5, [0x22, ...varint(2 ** 33)])])]),
    code: "model/invalid",
    says: /runs past/,
  },
  {
    name: "varint longer than 10 bytes",
    bytes: Uint8Array.from([0x08, ...new Array(11).fill(0xff), 0x01]),
    code: "model/invalid",
    says: /longer than 10 bytes/,
    offset: 1,
  },
  {
    name: "wrong wire type for ir_version",
    bytes: Uint8Array.from([0x0a, 0x01, 0x00]),
    code: "model/invalid",
    says: /ir_version.*expected varint/,
    offset: 0,
  },
  {
    name: "invalid wire type 7",
    bytes: Uint8Array.from([0x08, 0x08, 0x3f]),
    code: "model/invalid",
    says: /wire type 7/,
    offset: 2,
  },
  { name: "nested 150 levels deep", bytes: nested(150), code: "model/invalid", says: /deeper than 100/ },
  {
    name: "a message with no graph",
    bytes: Uint8Array.from([0x08, 0x08, ...field(2, [...new TextEncoder().encode("x")])]),
    code: "model/invalid",
    says: /without finding a graph/,
  },
  {
    name: "a graph with no ir_version",
    bytes: Uint8Array.from(field(7, field(2, [...new TextEncoder().encode("g")]))),
    code: "model/invalid",
    says: /ir_version/,
  },
];

function runChild(
  paths: string[],
): Promise<{ outcomes: ReadOutcome[]; timedOut?: number; stderr: string; exitCode: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--max-old-space-size=200", "--import", "tsx", join(import.meta.dirname, "read-in-child.ts"), ...paths],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const outcomes: ReadOutcome[] = [];
    let stdout = "";
    let stderr = "";
    let timedOut: number | undefined;
    let watchdog: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(watchdog);
      // The first file also pays for starting node and tsx.
      watchdog = setTimeout(
        () => {
          timedOut = outcomes.length;
          child.kill("SIGKILL");
        },
        PER_FILE_LIMIT_MS + (outcomes.length === 0 ? 5000 : 0),
      );
    };
    arm();
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      let nl: number;
      while ((nl = stdout.indexOf("\n")) !== -1) {
        outcomes.push(JSON.parse(stdout.slice(0, nl)) as ReadOutcome);
        stdout = stdout.slice(nl + 1);
        arm();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (exitCode) => {
      clearTimeout(watchdog);
      resolve({ outcomes, timedOut, stderr, exitCode });
    });
  });
}

void test("every bad input gives its expected error with the file and a byte offset, without hanging, crashing or allocating", async () => {
  const paths = cases.map((c, i) => {
    const path = join(dir, `case-${i}.onnx`);
    writeFileSync(path, c.bytes);
    return path;
  });
  const { outcomes, timedOut, stderr, exitCode } = await runChild(paths);
  assert.equal(timedOut, undefined, `reading "${cases[timedOut ?? 0]?.name}" took longer than ${PER_FILE_LIMIT_MS} ms`);
  assert.equal(exitCode, 0, `the reader process failed (crash or out of memory): ${stderr.slice(-2000)}`);
  assert.equal(outcomes.length, cases.length);
  for (const [i, c] of cases.entries()) {
    const o = outcomes[i];
    const label = `case "${c.name}": ${JSON.stringify(o)}`;
    assert.equal(o.crash, undefined, label);
    if (c.code === "ok") {
      assert.equal(o.ok, true, label);
      continue;
    }
    assert.equal(o.code, c.code, label);
    assert.equal(o.file, paths[i], `${label}: the error names the file`);
    assert.equal(typeof o.offset, "number", `${label}: the error gives a byte offset`);
    assert.ok(
      o.offset! >= 0 && o.offset! <= c.bytes.length,
      `${label}: offset ${o.offset} is within the ${c.bytes.length}-byte file`,
    );
    if (c.offset !== undefined) assert.equal(o.offset, c.offset, label);
    if (c.says) assert.match(`${o.message}\n${o.hint ?? ""}`, c.says, label);
    assert.ok(o.ms < PER_FILE_LIMIT_MS, label);
  }
});

void test("a file over protobuf's 2 GB limit is refused with a clear error, without reading it", async () => {
  const path = join(dir, "huge.onnx");
  writeFileSync(path, Uint8Array.from([0x08, 0x08]));
  truncateSync(path, 2 ** 31 + 10); // sparse: no disk space used
  assert.equal(statSync(path).size, 2 ** 31 + 10);
  const { outcomes, exitCode, stderr } = await runChild([path]);
  assert.equal(exitCode, 0, stderr);
  assert.equal(outcomes[0].code, "model/invalid");
  assert.match(outcomes[0].message!, /over protobuf's 2 GB limit/);
  assert.match(outcomes[0].hint!, /external data/);
  assert.equal(outcomes[0].offset, 2 ** 31 - 1);
});

void test("a missing file and a directory are model/not-found", async () => {
  mkdirSync(join(dir, "folder.onnx"), { recursive: true });
  const { outcomes } = await runChild([join(dir, "missing.onnx"), join(dir, "folder.onnx")]);
  assert.equal(outcomes[0].code, "model/not-found");
  assert.match(outcomes[0].message!, /no such file/);
  assert.equal(outcomes[1].code, "model/not-found");
  assert.match(outcomes[1].message!, /directory/);
});

// `edge run` with `run.generate`, as a real process (bin/edge.js, so `npm run build` first): the tiny LM quantized
// to int4 generates from its held-out text's first tokens, the original model generates too, and report.json,
// report.md, the JSON-lines token events and the budgets say what happened; a budget that fails exits 1; a prompt
// past the model's positions and a model that is not a decoder are recipe errors (exit 3) at their lines.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import type { EngineEvent, TokenEvent } from "../../common/events";
import type { RunReport } from "../../common/report";
import {
  CNN_MODEL,
  TINY_LM,
  TINY_SHAPE,
  TINY_TEXT,
  TINY_TOKENIZER,
  referenceGreedy,
  smallLm,
  tempDir,
} from "./helpers";

const EDGE = resolve("bin/edge.js");

function edgeRun(dir: string, recipe: string) {
  const file = join(dir, "gen.edge.yaml");
  writeFileSync(file, recipe);
  const out = join(dir, "out");
  const child = spawnSync(process.execPath, [EDGE, "run", file, "--out", out, "--events", "jsonl"], {
    encoding: "utf8",
    timeout: 120_000,
  });
  const events = child.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as EngineEvent);
  return { code: child.status, stderr: child.stderr, events, out, file };
}

const readReport = (out: string) => JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as RunReport;

void test("int4 tiny LM generates from the dataset's text; the original beside it; events, report and budgets", async () => {
  const dir = tempDir();
  const run = edgeRun(
    dir,
    `name: gen
model: { path: ${TINY_LM} }
data:
  heldout: { path: ${TINY_TEXT}, format: text, tokenizer: ${TINY_TOKENIZER} }
quantize: { method: int4-weight-only, block_size: 32 }
run:
  generate: { prompt_tokens: [8, 16], new_tokens: 6, data: heldout }
budgets: { ttft_ms: 600000, decode_tokens_per_s_min: 0.001, prefill_tokens_per_s_min: 0.001, size_mb: 5 }
`,
  );
  assert.equal(run.code, 0, run.stderr);
  const report = readReport(run.out);
  assert.equal(report.status, "ok");
  const g = report.generation!;
  assert.deepEqual(
    g.runs.map((r) => [r.promptTokens, r.promptSource, r.tokenIds.length]),
    [
      [8, "dataset", 7],
      [16, "dataset", 7],
    ],
  );
  // The prompts are the text's first bytes (the byte tokenizer's ids); the tokens are a reference loop's on each model.
  const text = Array.from(readFileSync(TINY_TEXT).subarray(0, 16));
  const int4 = join(run.out, "model.int4-weight-only.onnx");
  assert.equal(report.model!.path, int4);
  for (const [i, n] of [8, 16].entries()) {
    assert.deepEqual(g.runs[i].tokenIds, await referenceGreedy(int4, TINY_SHAPE, text.slice(0, n), 6));
    assert.deepEqual(g.reference!.runs[i].tokenIds, await referenceGreedy(TINY_LM, TINY_SHAPE, text.slice(0, n), 6));
  }
  assert.equal(g.reference!.modelPath, TINY_LM);
  assert.deepEqual(
    g.comparison!.map((c) => [c.promptTokens, c.comparedTokens]),
    [
      [8, 7],
      [16, 7],
    ],
  );
  for (const [i, c] of g.comparison!.entries()) {
    const a = g.runs[i].tokenIds;
    const b = g.reference!.runs[i].tokenIds;
    let same = 0;
    while (same < a.length && a[same] === b[same]) same++;
    assert.equal(c.matchingTokens, same);
    assert.ok(c.decodeSpeedup! > 0 && c.ttftSpeedup! > 0);
  }
  assert.equal(report.latency, null);
  assert.equal(report.run.iterationsRequested, 0);
  // Budgets: all checked, all passed, at the worst prompt length.
  assert.deepEqual(
    report.budgets.map((b) => [b.name, b.pass]),
    [
      ["ttft_ms", true],
      ["decode_tokens_per_s_min", true],
      ["prefill_tokens_per_s_min", true],
      ["size_mb", true],
    ],
  );
  assert.equal(report.budgets[0].actual, Math.max(...g.runs.map((r) => r.ttftMs)));
  assert.equal(report.budgets[1].actual, Math.min(...g.runs.map((r) => r.decode.tokensPerS!)));
  // Token events on stdout: the run's, then the original's marked `reference`; 7 per generation.
  const tokens = run.events.filter((e): e is TokenEvent => e.type === "token");
  assert.equal(tokens.filter((e) => !e.reference).length, 14);
  assert.equal(tokens.filter((e) => e.reference).length, 14);
  assert.deepEqual(
    tokens.filter((e) => !e.reference).map((e) => e.tokenId),
    g.runs.flatMap((r) => r.tokenIds),
  );
  // The terminal's text: one line per generation.
  assert.equal((run.stderr.match(/^ {2}pp\d+ tg6: time to first token/gm) ?? []).length, 2);
  assert.equal((run.stderr.match(/^ {2}original model pp\d+ tg6/gm) ?? []).length, 2);
  // report.md: the llama-bench-like table, the comparison, the per-step curve.
  const md = readFileSync(join(run.out, "report.md"), "utf8");
  assert.match(md, /## Generation/);
  assert.match(md, /\| this run \| pp8 \| [\d,.]+ \| [\d.]+ ms \|/);
  assert.match(md, /\| original \| tg6 @ pp16 \| [\d,.]+ \|/);
  assert.match(md, /### Original model against this run/);
  assert.match(md, /\| pp16 \| \d of 7 \|/);
  assert.match(md, /### Decode step latency as the cache grows/);
  assert.match(md, /One untimed warm-up generation \(16 prompt tokens, 6 new\) ran first/);
});

void test("a generation budget that fails: exit 1, the verdict in the report", () => {
  const run = edgeRun(
    tempDir(),
    `name: gen
model: { path: ${TINY_LM}, inputs: { input_ids: { range: [32, 126] } } }
run: { generate: { prompt_tokens: 8, new_tokens: 4 } }
budgets: { decode_tokens_per_s_min: 1000000000000 }
`,
  );
  assert.equal(run.code, 1, run.stderr);
  const report = readReport(run.out);
  assert.equal(report.status, "failed");
  assert.deepEqual(
    report.budgets.map((b) => [b.name, b.pass, b.unit]),
    [["decode_tokens_per_s_min", false, "tokens/s"]],
  );
  assert.ok(report.errors.some((e) => e.code === "budget/failed" && /decode_tokens_per_s_min/.test(e.message)));
  assert.equal(report.generation!.reference, undefined, "no optimized model: nothing to compare");
  assert.ok(report.generation!.runs[0].tokenIds.length === 5);
});

void test("a prompt past the model's positions and a model that is not a decoder: recipe errors at their lines, exit 3", async () => {
  const dir = tempDir();
  const model = await smallLm(dir, { context: 32 });
  const long = edgeRun(
    dir,
    `name: gen
model: { path: ${model} }
run:
  generate:
    prompt_tokens: 48
    new_tokens: 4
`,
  );
  assert.equal(long.code, 3, long.stderr);
  assert.match(
    long.stderr,
    /gen\.edge\.yaml:5:20: error: a prompt of 48 tokens is longer than the model's 32 positions/,
  );
  const cnn = edgeRun(
    tempDir(),
    `name: cnn
model: { path: ${CNN_MODEL} }
run:
  generate: { prompt_tokens: 8, new_tokens: 4 }
`,
  );
  assert.equal(cnn.code, 3, cnn.stderr);
  assert.match(cnn.stderr, /gen\.edge\.yaml:4:3: error: `run\.generate` needs a language model with a KV cache/);
});

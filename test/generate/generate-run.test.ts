// The generation benchmark in the runner (engine/run/generate.ts through runLocal, real onnxruntime): the greedy
// tokens are a reference loop's (scripts/lm/lm-session.ts), one `token` event per step with the cache growing, the
// warm-up untimed and silent, prompts given or random, a stop between steps, a model that is not a decoder; and the
// pure parts: decode figures, the comparison of two generations, the terminal's one line per generation.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EventTextRenderer } from "../../common/event-text";
import type { TokenEvent } from "../../common/events";
import { isEdgeError } from "../../engine/errors";
import { syntheticPrompt } from "../../engine/run/generate-io";
import { compareGenerations, matchingPrefix, summarizeDecode } from "../../engine/run/generate-stats";
import { runLocal } from "../../engine/run/run-local";
import { recorder } from "../run/helpers";
import { CNN_MODEL, TINY_LM, TINY_SHAPE, referenceGreedy, smallLm, tempDir } from "./helpers";

void test("tiny LM: the tokens are a reference greedy loop's, one token event per step, figures in the result", async () => {
  const sink = recorder();
  const result = await runLocal(
    {
      modelPath: TINY_LM,
      outDir: tempDir(),
      seed: 3,
      generate: { promptTokens: [8, 20], newTokens: 12, tokenRange: [32, 126] },
    },
    sink,
  );
  assert.equal(result.status, "ok", JSON.stringify(result.error));
  const g = result.generation!;
  assert.deepEqual(g.warmup, { promptTokens: 20, newTokens: 8 });
  assert.deepEqual(
    g.runs.map((r) => [r.promptTokens, r.newTokens, r.promptSource, r.tokenIds.length, r.decode.steps]),
    [
      [8, 12, "synthetic", 13, 12],
      [20, 12, "synthetic", 13, 12],
    ],
  );
  for (const run of g.runs) {
    const prompt = syntheticPrompt(run.promptTokens, [32, 126], 3);
    assert.ok(prompt.every((id) => id >= 32 && id <= 126));
    assert.deepEqual(run.tokenIds, await referenceGreedy(TINY_LM, TINY_SHAPE, prompt, 12));
    assert.ok(run.ttftMs > 0 && run.prefillTokensPerS > 0);
    assert.equal(run.decode.stepLatenciesMs.length, 12);
    const sum = run.decode.stepLatenciesMs.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - run.decode.totalMs) < 1e-6 * Math.max(1, sum), "the steps add up to the decode time");
    assert.ok(Math.abs(run.decode.tokensPerS! - (12 * 1000) / run.decode.totalMs) < 1e-9);
    assert.ok(run.decode.p50Ms! <= run.decode.p90Ms!);
    assert.ok(run.peakRssBytes > 0);
  }
  // Events: none for the warm-up; per generation a prefill (step 0) and 12 decode steps, the cache one longer each.
  const tokens = sink.of("token");
  assert.equal(tokens.length, 2 * 13);
  for (const [i, run] of g.runs.entries()) {
    const mine = tokens.slice(i * 13, (i + 1) * 13);
    assert.deepEqual(
      mine.map((e) => [e.phase, e.step, e.cacheLength, e.newTokens, e.promptTokens]),
      mine.map((_, s) => [s === 0 ? "prefill" : "decode", s, run.promptTokens + s, 12, run.promptTokens]),
    );
    assert.deepEqual(
      mine.map((e) => e.tokenId),
      run.tokenIds,
    );
    assert.deepEqual(
      mine.slice(1).map((e) => e.latencyMs),
      run.decode.stepLatenciesMs,
    );
    assert.equal(mine[0].latencyMs, run.ttftMs);
    assert.ok(mine.every((e) => e.reference === undefined));
  }
  assert.deepEqual(
    sink.of("step/start").map((e) => e.step),
    ["load", "session", "warmup", "run"],
  );
  const progress = sink.of("progress");
  assert.deepEqual(progress.at(-1), { ...progress.at(-1), step: "run", done: 26, total: 26 });
  // No iterations: the generation took their place.
  assert.equal(result.iterations.requested, 0);
  assert.equal(result.latenciesMs.length, 0);
  assert.equal(result.stats, null);
  assert.equal(sink.of("iteration").length, 0);
  assert.deepEqual(
    result.model.inputs.slice(0, 2).map((i) => [i.name, i.shape]),
    [
      ["input_ids", [1, 8]],
      ["attention_mask", [1, 8]],
    ],
  );
});

void test("given prompts (a dataset's) are used as they are; reference runs mark their token events", async () => {
  const prompt = Array.from(Buffer.from("def main():\n    return"));
  const sink = recorder();
  const result = await runLocal(
    {
      modelPath: TINY_LM,
      outDir: tempDir(),
      generate: { promptTokens: [prompt.length], newTokens: 6, prompts: [prompt], noWarmup: true, reference: true },
    },
    sink,
  );
  assert.equal(result.status, "ok");
  assert.equal(result.generation!.warmup, null);
  assert.equal(result.generation!.runs[0].promptSource, "dataset");
  assert.deepEqual(result.generation!.runs[0].tokenIds, await referenceGreedy(TINY_LM, TINY_SHAPE, prompt, 6));
  assert.ok(sink.of("token").every((e) => e.reference === true));
  assert.deepEqual(
    sink.of("step/start").map((e) => e.step),
    ["load", "session", "run"],
  );
});

void test("a generated LM with random prompts over its whole vocabulary (from the logits' dim)", async () => {
  const model = await smallLm(tempDir(), { vocab: 64, context: 64 });
  const result = await runLocal({ modelPath: model, outDir: tempDir(), generate: { promptTokens: [5], newTokens: 4 } });
  assert.equal(result.status, "ok");
  const prompt = syntheticPrompt(5, [0, 63], 0);
  assert.deepEqual(
    result.generation!.runs[0].tokenIds,
    await referenceGreedy(model, { layers: 2, heads: 2, hidden: 32, vocab: 64 }, prompt, 4),
  );
});

for (const ownThread of [true, false])
  void test(`a stop between steps ends the run aborted with the generations done so far (${ownThread ? "in the generation thread" : "on the run's thread"})`, async () => {
    // A generation thread's steps go on while the stop travels to it: enough of them that it is heard before the end.
    const newTokens = ownThread ? 400 : 10;
    const controller = new AbortController();
    const sink = recorder((e) => {
      if (e.type === "token" && e.promptTokens === 16 && e.step === 3) controller.abort();
    });
    const result = await runLocal(
      {
        modelPath: TINY_LM,
        outDir: tempDir(),
        generate: { promptTokens: [8, 16, 24], newTokens, tokenRange: [32, 126], ownThread },
      },
      sink,
      controller.signal,
    );
    assert.equal(result.status, "aborted");
    const runs = result.generation!.runs;
    assert.deepEqual(
      runs.map((r) => r.promptTokens),
      [8, 16],
    );
    assert.equal(runs[0].decode.steps, newTokens);
    // On its own thread the loop sees the stop before its next step; a generation thread hears of it a message
    // later, so it may take a few more steps (a tiny LM's step takes well under a millisecond).
    const steps = runs[1].decode.steps;
    if (!ownThread) assert.equal(steps, 3);
    else assert.ok(steps >= 3 && steps < newTokens, `stopped after ${steps} of ${newTokens} steps`);
    assert.equal(sink.of("token").at(-1)!.step, steps, "the events end where the result does");
    const session = sink.of("step/start").find((e) => e.step === "session");
    assert.equal(/in the generation's own thread/.test(session?.detail ?? ""), ownThread, session?.detail);
    assert.equal(runs[1].tokenIds.length, steps + 1);
  });

void test("a model that is not a decoder with a KV cache cannot generate: model/unsupported before anything runs", async () => {
  await assert.rejects(
    runLocal({ modelPath: CNN_MODEL, outDir: tempDir(), generate: { promptTokens: [4], newTokens: 2 } }),
    (e: unknown) => isEdgeError(e) && e.code === "model/unsupported" && /KV cache/.test(e.message),
  );
});

void test("decode figures, the greedy prefix two models share, and their speed ratios", () => {
  const d = summarizeDecode([2, 4, 6, 8], 20);
  assert.deepEqual(
    { ...d, stepLatenciesMs: undefined },
    {
      steps: 4,
      totalMs: 20,
      tokensPerS: 200,
      p50Ms: 5,
      p90Ms: 7.4,
      meanMs: 5,
      stepLatenciesMs: undefined,
    },
  );
  assert.deepEqual(summarizeDecode([], 0), {
    steps: 0,
    totalMs: 0,
    tokensPerS: null,
    p50Ms: null,
    p90Ms: null,
    meanMs: null,
    stepLatenciesMs: [],
  });
  assert.equal(matchingPrefix([1, 2, 3, 4], [1, 2, 9, 4]), 2);
  assert.equal(matchingPrefix([1, 2], [1, 2, 3]), 2);
  assert.equal(matchingPrefix([5], [6]), 0);
  const run = (promptTokens: number, tokenIds: number[], tokensPerS: number, ttftMs: number) => ({
    promptTokens,
    newTokens: tokenIds.length - 1,
    promptSource: "synthetic" as const,
    ttftMs,
    prefillTokensPerS: 1,
    decode: { ...summarizeDecode([1], 1), tokensPerS },
    tokenIds,
    peakRssBytes: 1,
  });
  assert.deepEqual(compareGenerations([run(8, [1, 2, 3], 300, 10)], [run(8, [1, 2, 4], 100, 40), run(16, [1], 1, 1)]), [
    { promptTokens: 8, matchingTokens: 2, comparedTokens: 3, decodeSpeedup: 3, ttftSpeedup: 4 },
  ]);
});

void test("the terminal shows one line per generation, none per token", () => {
  const renderer = new EventTextRenderer();
  const token = (step: number, latencyMs: number, reference?: boolean): TokenEvent => ({
    type: "token",
    timeMs: step,
    promptTokens: 64,
    newTokens: 3,
    step,
    phase: step === 0 ? "prefill" : "decode",
    cacheLength: 64 + step,
    latencyMs,
    tokenId: 1,
    ...(reference ? { reference } : {}),
  });
  const text = [token(0, 12.5), token(1, 2), token(2, 4), token(3, 4)].map((e) => renderer.render(e));
  assert.deepEqual(text.slice(0, 3), ["", "", ""]);
  assert.equal(text[3], "  pp64 tg3: time to first token 12.50 ms, decode 300 tokens/s\n");
  const ref = [token(0, 1, true), token(1, 1, true), token(2, 1, true), token(3, 1, true)].map((e) =>
    renderer.render(e),
  );
  assert.match(ref[3], /^ {2}original model pp64 tg3: time to first token .* decode 1000 tokens\/s\n$/);
});

// The generation thread (engine/run/generate-thread.ts, generate-worker.ts): where its script is found, a session
// onnxruntime cannot make, the loop's events and tokens coming back in order, an error of the loop crossing the
// thread as the EdgeError it was (with the generations done before it), and closing.
import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import type { GenerationResult } from "../../common/generation";
import { isEdgeError } from "../../engine/errors";
import { readModelSignature } from "../../engine/onnx/signature";
import { generateIo } from "../../engine/run/generate-io";
import {
  GenerateThread,
  THREAD_MIN_CACHE_BYTES,
  cacheBytesPerStep,
  generateThreadLocation,
  wantsGenerateThread,
} from "../../engine/run/generate-thread";
import type { GenerateThreadInit } from "../../engine/run/generate-thread-protocol";
import { ortSessionOptions } from "../../engine/run/ort";
import { recorder } from "../run/helpers";
import { TINY_LM, TINY_SHAPE, referenceGreedy, tempDir } from "./helpers";

async function init(plan: GenerateThreadInit["plan"], modelPath = TINY_LM): Promise<GenerateThreadInit> {
  const io = generateIo(await readModelSignature(TINY_LM), TINY_LM);
  return { modelPath, ortOptions: ortSessionOptions(), io, plan, seed: 0, vocabSize: 256 };
}

void test("the thread's script: the TypeScript source under tsx, the bundle's beside it, none elsewhere", () => {
  const source = generateThreadLocation();
  assert.ok(source, "found from the engine's source");
  assert.match(source.url.pathname, /engine\/run\/generate-worker\.ts$/);
  assert.match(source.tsxApi ?? "", /^file:.*tsx/);
  const dir = tempDir();
  const bundle = pathToFileURL(join(dir, "cli.js")).href;
  assert.equal(generateThreadLocation(bundle), undefined, "a bundle without the thread's script");
  writeFileSync(join(dir, "generate-worker.js"), "");
  assert.deepEqual(generateThreadLocation(bundle), { url: new URL("./generate-worker.js", bundle) });
  assert.equal(generateThreadLocation(""), undefined, "no module URL (a CommonJS bundle's empty import.meta)");
});

void test("a generation takes a thread of its own when its cache is large, or when the plan says", async () => {
  const { io } = await init({ promptTokens: [1], newTokens: 1 });
  // The tiny LM: 4 layers × key and value × 4 heads × 32 dims × 4 bytes = 4 kB per position.
  const plan = { promptTokens: [100, 200], newTokens: 56 };
  assert.equal(cacheBytesPerStep(io, plan), 256 * 4096);
  assert.equal(wantsGenerateThread(io, plan), false, "1 MB of cache a step");
  const long = { promptTokens: [1000], newTokens: Math.ceil(THREAD_MIN_CACHE_BYTES / 4096) - 1000 };
  assert.ok(cacheBytesPerStep(io, long) >= THREAD_MIN_CACHE_BYTES);
  assert.equal(wantsGenerateThread(io, long), true, "4 MB of cache a step");
  assert.equal(wantsGenerateThread(io, { ...long, ownThread: false }), false);
  assert.equal(wantsGenerateThread(io, { ...plan, ownThread: true }), true);
  const half = { ...io, cache: io.cache.map((c) => ({ ...c, dtype: "float16" as const })) };
  assert.equal(cacheBytesPerStep(half, plan), 256 * 2048, "a float16 cache is half the bytes");
});

void test("a generation in the thread: its events in order and the reference loop's tokens", async () => {
  const prompt = Array.from(Buffer.from("def add(a, b):"));
  const location = generateThreadLocation()!;
  const { thread, creationMs } = await GenerateThread.start(
    await init({ promptTokens: [prompt.length], newTokens: 20, prompts: [prompt] }),
    location,
  );
  try {
    assert.ok(creationMs > 0);
    const sink = recorder();
    const result: GenerationResult = { warmup: null, runs: [] };
    const peak = await thread.generate(sink, result);
    assert.ok(peak > 0, "the thread's peak RSS");
    assert.deepEqual(result.warmup, { promptTokens: prompt.length, newTokens: 8 });
    assert.deepEqual(result.runs[0].tokenIds, await referenceGreedy(TINY_LM, TINY_SHAPE, prompt, 20));
    assert.deepEqual(
      sink.events.filter((e) => e.type.startsWith("step/")).map((e) => `${e.type} ${"step" in e ? e.step : ""}`),
      ["step/start warmup", "step/end warmup", "step/start run", "step/end run"],
    );
    assert.deepEqual(
      sink.of("token").map((e) => e.step),
      Array.from({ length: 21 }, (_, i) => i),
      "one token event per step, in order, none from the warm-up",
    );
  } finally {
    await thread.close();
  }
});

void test("an error of the loop comes back as the EdgeError it was; a closed thread generates no more", async () => {
  const { thread } = await GenerateThread.start(
    await init({ promptTokens: [4], newTokens: 2, prompts: [[1, 2, 3]], noWarmup: true }),
    generateThreadLocation()!,
  );
  const result: GenerationResult = { warmup: null, runs: [] };
  await assert.rejects(
    thread.generate(recorder(), result),
    (e: unknown) => isEdgeError(e) && e.code === "run/input" && /as long as its promptTokens/.test(e.message),
  );
  await thread.close();
  await assert.rejects(
    thread.generate(recorder(), result),
    (e: unknown) => isEdgeError(e) && e.code === "run/failed" && /generation stopped/.test(e.message),
  );
});

void test("a model onnxruntime cannot load: run/failed naming the model, and no thread left behind", async () => {
  const dir = tempDir();
  const truncated = join(dir, "truncated.onnx");
  copyFileSync(TINY_LM, truncated);
  writeFileSync(truncated, Buffer.from("not a model at all"));
  await assert.rejects(
    GenerateThread.start(await init({ promptTokens: [4], newTokens: 2 }, truncated), generateThreadLocation()!),
    (e: unknown) =>
      isEdgeError(e) && e.code === "run/failed" && e.message.includes(truncated) && /create a session/.test(e.message),
  );
});

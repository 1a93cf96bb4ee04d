// `npm run bench:quantize`: the optimization engine's targets, each against a baseline measured in the same run.
// 1. kernel throughput: int8 per-channel and int4 block-32 weight quantization vs a Buffer copy of the same bytes, idle
//    and with one core busy;
// 2. memory: int4 of a generated fp32 LM of ≥ 1 B parameters (external data, ≥ 4 GB), peak RSS in a child process;
// 3. quality on the trained LM fixture (samples/tiny-lm): perplexity increase of int8-dynamic and int4 block 32 (and
//    block 128, for information);
// 4. size of int8 and int4 vs fp32 on a generated 268 M-parameter LM (MatMul-dominated);
// 5. speed of one decode step (batch 1, one token, KV cache of 128) on that LM: int4 and int8 vs fp32.
// Generated models are cached in bench/.work/quantize (delete it to regenerate). `-- --skip-1b` skips part 2.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { evaluateModels } from "../engine/evaluate/evaluate-models";
import { quantizeModel } from "../engine/quantize/quantize-model";
import type { QuantizeOptions } from "../engine/quantize/types";
import { buildDecoderLm, parameterCount, type DecoderLmConfig } from "../scripts/lm/decoder-graph";
import { randomDecoderLm } from "../scripts/lm/random-weights";
import { GOAL_BUSY, GOAL_IDLE, kernelLine, measureKernels } from "./quantize-kernels";

const work = resolve("bench/.work/quantize");
mkdirSync(work, { recursive: true });
const args = new Set(process.argv.slice(2));
const goals: [string, boolean][] = [];
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

async function generated(name: string, config: DecoderLmConfig): Promise<string> {
  const path = join(work, name, "model.onnx");
  if (!existsSync(path)) {
    const started = performance.now();
    const r = await buildDecoderLm(config, randomDecoderLm(config, 1, { reuseBuffer: true }), path, {
      externalData: true,
    });
    console.log(
      `  generated ${name}: ${r.parameters.toLocaleString("en")} parameters, ${gb(r.weightBytes)} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  }
  return path;
}

async function quantized(src: string, tag: string, options: QuantizeOptions): Promise<string> {
  const out = join(src, "..", `model.${tag}.onnx`);
  if (!existsSync(out)) await quantizeModel(src, out, options);
  return out;
}

// 1. Kernel throughput, idle and with one core taken by a spinning child process.
console.log(
  "1. quantization kernels on a 4096×4096 float32 weight (64 MB), staged in the kernels' memory as readFloatTensor leaves it, vs Buffer.copy of the same bytes; idle and with one core busy (a spinning child process), alternating",
);
const k = await measureKernels();
console.log(`  idle:          ${kernelLine(k.idle)}`);
console.log(
  `  one core busy: ${kernelLine(k.busy)}${k.busyShare === undefined ? "" : ` (the child used ${k.busyShare.toFixed(2)} of a core)`}`,
);
for (const [condition, f, goal] of [
  ["idle", k.idle, GOAL_IDLE],
  ["with one core busy", k.busy, GOAL_BUSY],
] as const) {
  goals.push([
    `quantize: int8 per-channel kernel at ${(f.int8Ratio * 100).toFixed(0)}% of memcpy ${condition} (goal ≥ ${goal * 100}%)`,
    f.int8Ratio >= goal,
  ]);
  goals.push([
    `quantize: int4 block-32 kernel at ${(f.int4Ratio * 100).toFixed(0)}% of memcpy ${condition} (goal ≥ ${goal * 100}%)`,
    f.int4Ratio >= goal,
  ]);
}

// 2. Memory on a ≥ 1 B-parameter model.
if (!args.has("--skip-1b")) {
  console.log("2. int4 of a generated 1.14 B-parameter fp32 LM (external data), in a child process");
  const big: DecoderLmConfig = { layers: 20, hidden: 2048, heads: 16, vocab: 32000 };
  const src = await generated("lm-1b", big);
  const out = join(work, "lm-1b", "model.int4.onnx");
  rmSync(out, { force: true });
  rmSync(`${out}.data`, { force: true });
  const child = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "bench/quantize-child.ts",
      src,
      out,
      JSON.stringify({ method: "int4-weight-only", blockSize: 32 }),
    ],
    { encoding: "utf8" },
  );
  if (child.status !== 0) throw new Error(`quantize-child failed: ${child.stderr}`);
  const m = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as {
    maxRssBytes: number;
    durationMs: number;
    outputBytes: number;
    sourceBytes: number;
  };
  console.log(
    `  ${parameterCount(big).toLocaleString("en")} parameters, ${gb(m.sourceBytes)} → ${gb(m.outputBytes)} in ${(m.durationMs / 1000).toFixed(1)} s (${(m.sourceBytes / 1e9 / (m.durationMs / 1000)).toFixed(2)} GB/s)`,
  );
  console.log(`  peak RSS ${gb(m.maxRssBytes)} = ${(m.maxRssBytes / m.sourceBytes).toFixed(3)}× the model's size`);
  goals.push([
    `quantize: int4 of a ${gb(m.sourceBytes)} model peaks at ${gb(m.maxRssBytes)} RSS, ${(m.maxRssBytes / m.sourceBytes).toFixed(3)}× its size (goal ≤ 1.5 GB)`,
    m.maxRssBytes <= 1.5e9,
  ]);
}

// 3. Quality on the trained fixture.
console.log("3. perplexity on samples/tiny-lm/heldout.txt (byte-level, windows of 128)");
const fixture = resolve("samples/tiny-lm/model.onnx");
const data = {
  path: resolve("samples/tiny-lm/heldout.txt"),
  format: "text" as const,
  tokenizer: resolve("samples/tiny-lm/tokenizer.json"),
  sequenceLength: 128,
};
const fixtureDir = join(work, "tiny-lm");
rmSync(fixtureDir, { recursive: true, force: true });
mkdirSync(fixtureDir, { recursive: true });
const quality: Record<string, number> = {};
for (const [tag, options] of [
  ["int8-dynamic", { method: "int8-dynamic" }],
  ["int4-b32-acc4", { method: "int4-weight-only", blockSize: 32, accuracyLevel: 4 }],
  ["int4-b32-acc0", { method: "int4-weight-only", blockSize: 32, accuracyLevel: 0 }],
  ["int4-b32-acc4-emb", { method: "int4-weight-only", blockSize: 32, accuracyLevel: 4, quantizeEmbedding: true }],
  // Blocks of 128 decode faster (bench:generate's fusion-decode); what they cost in accuracy. The tiny LM's hidden
  // size is 128, so each block is then a whole column: per-channel 4-bit.
  ["int4-b128-acc4", { method: "int4-weight-only", blockSize: 128, accuracyLevel: 4 }],
] as [string, QuantizeOptions][]) {
  const out = join(fixtureDir, `model.${tag}.onnx`);
  await quantizeModel(fixture, out, options);
  const e = await evaluateModels({ original: fixture, optimized: out, data });
  const p = e.perplexity!;
  quality[tag] = p.increasePct;
  console.log(
    `  ${tag.padEnd(18)} perplexity ${p.original.perplexity.toFixed(3)} → ${p.optimized.perplexity.toFixed(3)} (${p.increasePct >= 0 ? "+" : ""}${p.increasePct.toFixed(2)}%) over ${p.windows} windows; size ${e.sizeRatio.toFixed(3)}×; logits cosine ${e.outputs.find((o) => o.name === "logits")?.cosine.toFixed(5)}`,
  );
}
goals.push([
  `quantize: int8-dynamic perplexity +${quality["int8-dynamic"].toFixed(2)}% on the trained LM (goal ≤ 1%)`,
  quality["int8-dynamic"] <= 1,
]);
goals.push([
  `quantize: int4 block 32 (accuracy level 4) perplexity +${quality["int4-b32-acc4"].toFixed(2)}% on the trained LM (goal ≤ 5%)`,
  quality["int4-b32-acc4"] <= 5,
]);

// 4 and 5. Size and decode speed on a generated 268 M-parameter LM.
// The size class the issue measured (200 M); attention and KV-cache ops that fp32 and int4 share weigh less than at 100 M.
const mid: DecoderLmConfig = { layers: 16, hidden: 1024, heads: 16, vocab: 32000, context: 1024 };
console.log(
  `4. size, and 5. one decode step p50 (batch 1, one token, KV cache 128), on a generated ${(parameterCount(mid) / 1e6).toFixed(0)} M-parameter LM`,
);
const fp32 = await generated("lm-268m", mid);
const variants: [string, QuantizeOptions][] = [
  ["int8", { method: "int8-dynamic" }],
  ["int4-acc4", { method: "int4-weight-only", blockSize: 32, accuracyLevel: 4, quantizeEmbedding: true }],
  ["int4-acc0", { method: "int4-weight-only", blockSize: 32, accuracyLevel: 0, quantizeEmbedding: true }],
];
const paths: Record<string, string> = { fp32 };
const sizes: Record<string, number> = {};
for (const [tag, options] of variants) paths[tag] = await quantized(fp32, tag, options);
const { modelBytes } = await import("../engine/quantize/quantize-model");
for (const [tag, path] of Object.entries(paths)) sizes[tag] = await modelBytes(path);
console.log(
  `  size: fp32 ${mb(sizes.fp32)}, int8 ${mb(sizes.int8)} (${(sizes.int8 / sizes.fp32).toFixed(3)}×), int4 ${mb(sizes["int4-acc4"])} (${(sizes["int4-acc4"] / sizes.fp32).toFixed(3)}×)`,
);
goals.push([
  `quantize: int8 model ${(sizes.int8 / sizes.fp32).toFixed(3)}× of fp32 (goal ≤ 0.30×)`,
  sizes.int8 / sizes.fp32 <= 0.3,
]);
goals.push([
  `quantize: int4 model ${(sizes["int4-acc4"] / sizes.fp32).toFixed(3)}× of fp32 (goal ≤ 0.20×)`,
  sizes["int4-acc4"] / sizes.fp32 <= 0.2,
]);

/** Median time of one decode step; `threads` 0 is onnxruntime's default (one per core). */
async function decodeStepMs(path: string, c: DecoderLmConfig, threads: number, iterations = 30): Promise<number> {
  const session = await ort.InferenceSession.create(path, {
    logSeverityLevel: 3,
    graphOptimizationLevel: "all",
    intraOpNumThreads: threads,
  });
  const past = 128;
  const headDim = c.hidden / c.heads;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from([42n]), [1, 1]),
    attention_mask: new ort.Tensor("int64", new BigInt64Array(past + 1).fill(1n), [1, past + 1]),
  };
  const kv = new Float32Array(c.heads * past * headDim).map((_, i) => Math.sin(i) * 0.1);
  for (let i = 0; i < c.layers; i++)
    for (const kind of ["key", "value"])
      feeds[`past_key_values.${i}.${kind}`] = new ort.Tensor("float32", kv, [1, c.heads, past, headDim]);
  for (let i = 0; i < 5; i++) await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t);
  }
  await session.release();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const speed: Record<string, number> = {};
const single: Record<string, number> = {};
for (const tag of Object.keys(paths)) speed[tag] = await decodeStepMs(paths[tag], mid, 0);
for (const tag of Object.keys(paths)) single[tag] = await decodeStepMs(paths[tag], mid, 1);
console.log(
  `  one thread: fp32 ${single.fp32.toFixed(2)} ms; int8 ${single.int8.toFixed(2)} ms (${(single.fp32 / single.int8).toFixed(2)}×); int4 accuracy 4 ${single["int4-acc4"].toFixed(2)} ms (${(single.fp32 / single["int4-acc4"]).toFixed(2)}×); int4 accuracy 0 ${single["int4-acc0"].toFixed(2)} ms (${(single.fp32 / single["int4-acc0"]).toFixed(2)}×)`,
);
console.log(
  `  all cores (the goal): fp32 ${speed.fp32.toFixed(2)} ms; int8 ${speed.int8.toFixed(2)} ms (${(speed.fp32 / speed.int8).toFixed(2)}×); int4 accuracy 4 ${speed["int4-acc4"].toFixed(2)} ms (${(speed.fp32 / speed["int4-acc4"]).toFixed(2)}×); int4 accuracy 0 ${speed["int4-acc0"].toFixed(2)} ms (${(speed.fp32 / speed["int4-acc0"]).toFixed(2)}×)`,
);
goals.push([
  `quantize: int4 decode step ${(speed.fp32 / speed["int4-acc4"]).toFixed(2)}× faster than fp32 (goal ≥ 3×)`,
  speed.fp32 / speed["int4-acc4"] >= 3,
]);
goals.push([
  `quantize: int8 decode step ${(speed.fp32 / speed.int8).toFixed(2)}× faster than fp32 (goal ≥ 2.5×)`,
  speed.fp32 / speed.int8 >= 2.5,
]);

console.log("");
for (const [line, met] of goals) console.log(`${line}${met ? "" : "  ← missed"}`);
const met = goals.filter(([, ok]) => ok).length;
console.log(`quantize: ${met}/${goals.length} goals met (goal ${goals.length}/${goals.length})`);
process.exitCode = met === goals.length ? 0 : 1;

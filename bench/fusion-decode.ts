// One decode step (batch 1, one new token, KV cache of 128, onnxruntime's default threads) on a generated 268 M-parameter
// decoder LM, compiled by the engine with and without its transformer fusions (engine/compile/fusions/), in float32,
// int8 (int8-dynamic) and int4 (block 32, accuracy level 4, the embedding quantized too): ratios against the fp32
// unfused model measured in the same run. Issue 13's targets: int4 ≥ 4× and int8 ≥ 3× faster than fp32.
// Also int4 in blocks of 128, both orders of quantizing and fusing (quantize → compile with fusions, the pipeline's
// order; and fuse at "basic" → quantize → compile), a per-op-type profile of every variant's step (where the time
// goes, and how fast the matrix products stream the weights), and what the cache's copy back to JavaScript costs.
//
//   node --import tsx bench/fusion-decode.ts [--rounds N] [--iterations N] [--no-profile] [--no-orders]
//
// Models are cached in bench/.work/fusions/lm-268m (~3 GB; delete to regenerate). The variants' sessions stay open
// and are timed in alternating rounds; each figure is the median over rounds of the per-round medians, so a burst
// of load from other processes on this shared machine hits every variant alike. The load average is printed.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { compileModel } from "../engine/compile/compile-model";
import { quantizeModel } from "../engine/quantize/quantize-model";
import type { QuantizeOptions } from "../engine/quantize/types";
import { buildDecoderLm, parameterCount, type DecoderLmConfig } from "../scripts/lm/decoder-graph";
import { randomDecoderLm } from "../scripts/lm/random-weights";

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const ROUNDS = option("rounds", 5);
const ITERATIONS = option("iterations", 15);
const PAST = 128;

const config: DecoderLmConfig = { layers: 16, hidden: 1024, heads: 16, vocab: 32000, context: 1024 };
const work = resolve("bench/.work/fusions/lm-268m");
mkdirSync(work, { recursive: true });
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

async function cached(path: string, make: () => Promise<unknown>, what: string): Promise<string> {
  if (!existsSync(path)) {
    const started = performance.now();
    await make();
    console.log(`  ${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return path;
}

const fp32 = await cached(
  join(work, "model.onnx"),
  () =>
    buildDecoderLm(config, randomDecoderLm(config, 1, { reuseBuffer: true }), join(work, "model.onnx"), {
      externalData: true,
    }),
  `generated ${(parameterCount(config) / 1e6).toFixed(0)} M parameters`,
);
const int8Options: QuantizeOptions = { method: "int8-dynamic" };
const int4Options: QuantizeOptions = {
  method: "int4-weight-only",
  blockSize: 32,
  accuracyLevel: 4,
  quantizeEmbedding: true,
};
const quantized = (src: string, tag: string, options: QuantizeOptions) =>
  cached(join(work, `${tag}.onnx`), () => quantizeModel(src, join(work, `${tag}.onnx`), options), `quantized ${tag}`);
const compiled = (src: string, tag: string, fuse: boolean, optimization: "basic" | "all" = "all") =>
  cached(
    join(work, `${tag}.onnx`),
    async () => {
      const r = await compileModel(src, join(work, `${tag}.onnx`), { fuse, optimization });
      const f = r.fusions;
      if (fuse && f?.verification)
        console.log(
          `    ${tag}: ${Object.entries(f.applied)
            .map(([op, n]) => `${op} ×${n}`)
            .join(
              ", ",
            )}; check: ${f.verification?.maxRelativeDiff.toExponential(1)} relative, greedy tokens ${f.verification?.tokensEqual ? "equal" : "differ"}${f.dropped.length ? `; dropped ${f.dropped.join(", ")}` : ""}`,
        );
    },
    `compiled ${tag}`,
  );

console.log(
  `one decode step (batch 1, 1 token, KV cache ${PAST}, default threads) on a generated ${(parameterCount(config) / 1e6).toFixed(0)} M-parameter LM; load average ${load()}`,
);
const int8 = await quantized(fp32, "q-int8", int8Options);
const int4 = await quantized(fp32, "q-int4", int4Options);
const variants: [string, string][] = [
  ["fp32", await compiled(fp32, "fp32.compiled", false)],
  ["fp32 fused", await compiled(fp32, "fp32.fused", true)],
  ["int8", await compiled(int8, "int8.compiled", false)],
  ["int8 fused", await compiled(int8, "int8.fused", true)],
  ["int4", await compiled(int4, "int4.compiled", false)],
  ["int4 fused", await compiled(int4, "int4.fused", true)],
  // Block 128 (onnxruntime's own quantizer's default): a quarter of block 32's scales, less accurate.
  [
    "int4 block 128 fused",
    await compiled(await quantized(fp32, "q-int4-b128", { ...int4Options, blockSize: 128 }), "int4-b128.fused", true),
  ],
];
if (!flag("no-orders")) {
  // The other order: fuse the float model (basic level, so the quantizer sees plain MatMuls), then quantize and compile.
  const fusedBasic = await compiled(fp32, "fp32.fused-basic", true, "basic");
  const f8 = await quantized(fusedBasic, "fused-then-int8", int8Options);
  const f4 = await quantized(fusedBasic, "fused-then-int4", int4Options);
  variants.push(
    ["int8 (fuse, then quantize)", await compiled(f8, "fused-then-int8.compiled", true)],
    ["int4 (fuse, then quantize)", await compiled(f4, "fused-then-int4.compiled", true)],
  );
}

function feeds(): Record<string, ort.Tensor> {
  const headDim = config.hidden / config.heads;
  const out: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from([42n]), [1, 1]),
    attention_mask: new ort.Tensor("int64", new BigInt64Array(PAST + 1).fill(1n), [1, PAST + 1]),
  };
  const kv = new Float32Array(config.heads * PAST * headDim).map((_, i) => Math.sin(i) * 0.1);
  for (let i = 0; i < config.layers; i++)
    for (const kind of ["key", "value"])
      out[`past_key_values.${i}.${kind}`] = new ort.Tensor("float32", kv, [1, config.heads, PAST, headDim]);
  return out;
}

const MATRIX_PRODUCTS = new Set([
  "MatMul",
  "FusedMatMul",
  "Gemm",
  "MatMulNBits",
  "DynamicQuantizeMatMul",
  "MatMulIntegerToFloat",
  "MatMulInteger",
]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const inputs = feeds();
const sessions = new Map<string, ort.InferenceSession>();
for (const [tag, path] of variants) {
  const s = await ort.InferenceSession.create(path, { logSeverityLevel: 3, graphOptimizationLevel: "all" });
  for (let i = 0; i < 5; i++) await s.run(inputs);
  sessions.set(tag, s);
}
const perRound = new Map<string, number[]>(variants.map(([tag]) => [tag, []]));
// CPU time of the process per step (all threads), and the fastest step: both move less than wall time when other
// processes take the cores, so they are printed beside the medians the goals use.
const cpuPerRound = new Map<string, number[]>(variants.map(([tag]) => [tag, []]));
const best = new Map<string, number>();
for (let r = 0; r < ROUNDS; r++) {
  const line: string[] = [];
  for (const [tag] of variants) {
    const s = sessions.get(tag)!;
    const times: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < ITERATIONS; i++) {
      const t = performance.now();
      await s.run(inputs);
      times.push(performance.now() - t);
    }
    const used = process.cpuUsage(cpu);
    cpuPerRound.get(tag)!.push((used.user + used.system) / 1000 / ITERATIONS);
    best.set(tag, Math.min(best.get(tag) ?? Infinity, ...times));
    perRound.get(tag)!.push(median(times));
    line.push(`${tag} ${median(times).toFixed(2)}`);
  }
  console.log(`  round ${r + 1} (ms, load ${load()}): ${line.join("; ")}`);
}
for (const s of sessions.values()) await s.release();

const ms = new Map([...perRound].map(([tag, xs]) => [tag, median(xs)]));
const base = ms.get("fp32")!;
const cpuMs = new Map([...cpuPerRound].map(([tag, xs]) => [tag, median(xs)]));
console.log(
  `\nmedian over ${ROUNDS} rounds of ${ITERATIONS} steps, the fastest step, and CPU time per step (ratios = fp32 unfused / variant):`,
);
for (const [tag] of variants) {
  const t = ms.get(tag)!;
  const b = best.get(tag)!;
  const c = cpuMs.get(tag)!;
  console.log(
    `  ${tag.padEnd(28)} ${t.toFixed(2).padStart(8)} ms ${(base / t).toFixed(2).padStart(5)}× | best ${b.toFixed(2).padStart(7)} ms ${(best.get("fp32")! / b).toFixed(2).padStart(5)}× | CPU ${c.toFixed(2).padStart(7)} ms ${(cpuMs.get("fp32")! / c).toFixed(2).padStart(5)}×`,
  );
}

if (!flag("no-profile")) {
  console.log("\nwhere a step's time goes (onnxruntime profile, 10 steps each; ms per step by op type, top 8):");
  const dir = join(work, "profiles");
  mkdirSync(dir, { recursive: true });
  for (const [tag, path] of variants) {
    if (tag.includes("then")) continue;
    const prefix = join(dir, tag.replace(/\W+/g, "-"));
    const s = await ort.InferenceSession.create(path, {
      logSeverityLevel: 3,
      graphOptimizationLevel: "all",
      enableProfiling: true,
      profileFilePrefix: prefix,
    });
    for (let i = 0; i < 10; i++) await s.run(inputs);
    (s.endProfiling as () => unknown)();
    await s.release();
    const file = readdirSync(dir)
      .filter((f) => join(dir, f).startsWith(prefix) && f.endsWith(".json"))
      .sort()
      .pop()!;
    const events = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
      cat: string;
      name: string;
      dur: number;
      args?: { op_name?: string };
    }[];
    rmSync(join(dir, file));
    let runs = 0;
    const byOp = new Map<string, number>();
    for (const e of events) {
      if (e.cat === "Session" && e.name === "model_run") runs++;
      if (e.cat !== "Node" || !e.name.endsWith("_kernel_time")) continue;
      const op = e.args?.op_name ?? "?";
      byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
    }
    const total = [...byOp.values()].reduce((a, b) => a + b, 0);
    const top = [...byOp]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([op, us]) => `${op} ${(us / runs / 1000).toFixed(2)} (${((100 * us) / total).toFixed(0)}%)`);
    console.log(`  ${tag}: ${(total / runs / 1000).toFixed(2)} ms in kernels — ${top.join(", ")}`);
    // The matrix products read (nearly) the whole file every step: how fast they stream it.
    const productUs = [...byOp].filter(([op]) => MATRIX_PRODUCTS.has(op)).reduce((a, [, us]) => a + us, 0);
    const bytes = statSync(path).size + (existsSync(`${path}.data`) ? statSync(`${path}.data`).size : 0);
    console.log(
      `    matrix products ${(productUs / runs / 1000).toFixed(2)} ms a step over ${(bytes / 1e6).toFixed(0)} MB of model: ${(bytes / 1e9 / (productUs / runs / 1e6)).toFixed(1)} GB/s`,
    );
  }
}

// The per-step costs quantization does not shrink: onnxruntime-node copies every output into a new JavaScript buffer,
// the whole `present.*` cache included (a bare loop pays the same), measured as a step that fetches every output
// against one that fetches only the logits, on the same session in alternating rounds (timed, not profiled: printed
// with --no-profile too).
{
  console.log(
    "\nthe cache's copy back to JavaScript (every output fetched vs the logits only; medians of 4 rounds of 10):",
  );
  for (const [tag, path] of variants) {
    if (tag.includes("then") || !/^(fp32|int8 fused|int4 fused)$/.test(tag)) continue;
    const s = await ort.InferenceSession.create(path, { logSeverityLevel: 3, graphOptimizationLevel: "all" });
    for (let i = 0; i < 3; i++) await s.run(inputs);
    const all: number[] = [];
    const logitsOnly: number[] = [];
    for (let r = 0; r < 4; r++)
      for (const [into, fetches] of [
        [all, undefined],
        [logitsOnly, ["logits"]],
      ] as const)
        for (let i = 0; i < 10; i++) {
          const t = performance.now();
          await (fetches ? s.run(inputs, fetches) : s.run(inputs));
          into.push(performance.now() - t);
        }
    await s.release();
    const a = median(all);
    const l = median(logitsOnly);
    console.log(
      `  ${tag.padEnd(12)} ${a.toFixed(2)} ms with the cache, ${l.toFixed(2)} ms without: ${(a - l).toFixed(2)} ms (${((100 * (a - l)) / a).toFixed(0)}%) a step`,
    );
  }
}

const int4Ratio = base / ms.get("int4 fused")!;
const int8Ratio = base / ms.get("int8 fused")!;
console.log(`\nload average at the end: ${load()}`);
console.log(
  `fusion-decode: int4 fused ${int4Ratio.toFixed(2)}× fp32 (goal ≥ 4×)${int4Ratio >= 4 ? "" : "  ← missed"}, int8 fused ${int8Ratio.toFixed(2)}× fp32 (goal ≥ 3×)${int8Ratio >= 3 ? "" : "  ← missed"}; fp32 fused ${(base / ms.get("fp32 fused")!).toFixed(2)}×`,
);

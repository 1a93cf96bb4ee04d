// bench:generate — what `edge run`'s generation benchmark (`run.generate`) costs per decoded token over a bare
// onnxruntime-node greedy loop (bench/generate-bare-loop.ts) on the same model, prompt and session options.
// Models: the trained tiny LM (samples/tiny-lm) and a generated 135 M-parameter LM (scripts/lm, 12 layers, hidden 768,
// vocab 32000, context 1024; cached in bench/.work/generate/). Each side runs in its own process; they alternate for
// a few rounds and the medians of their decode rates (tokens/s over the decode steps' wall time, which both measure
// the same way) are compared. Goal: the bare loop's rate ≤ 1.03× edge run's. The two sides' greedy tokens must be
// equal. `-- --via runner` times runLocal in a child process (bench/runner-child.ts) instead of the CLI (`auto`, the
// default, falls back to it while `edge run` is not built); `-- --skip-large` skips the 135 M LM. Then the decode
// speed of fp32, int8 and int4 (fused) models (issue 13's item 3, bench/fusion-decode.ts; `-- --skip-decode` skips it).
// Usage: npm run bench:generate [-- --rounds N] [-- --via cli|runner] [-- --prompt N] [-- --new-tokens N]
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import type { RunReport } from "../engine/report/report-types";
import { syntheticPrompt } from "../engine/run/generate-io";
import type { RunPlan } from "../engine/run/plan";

const GOAL = 1.03;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const rounds = Number(option("rounds", "5"));
const promptTokens = Number(option("prompt", "128"));
const newTokens = Number(option("new-tokens", "64"));
const skipLarge = process.argv.includes("--skip-large");
let via = option("via", "auto");

interface Child {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Child> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface BenchModel {
  label: string;
  short: string;
  path: string;
  /** Prompt ids' range (input_ids.range in the recipe; the bare loop's prompt is made the same way). */
  range: [number, number];
}

const work = resolve("bench/.work/generate");
mkdirSync(work, { recursive: true });

/** The generated 135 M LM, made once (~6 s, 0.54 GB of external data). */
async function largeModel(): Promise<string> {
  const path = join(work, "lm-135m", "model.onnx");
  if (existsSync(path)) return path;
  console.log("generating the 135 M-parameter LM into bench/.work/generate/lm-135m (once)");
  const args = ["--layers", "12", "--hidden", "768", "--heads", "12", "--vocab", "32000", "--context", "1024"];
  const child = await run(["--import", "tsx", "scripts/lm/generate-lm.ts", ...args, "--out", path, "--external-data"]);
  if (child.code !== 0) throw new Error(`generate-lm exited with ${child.code}:\n${child.stderr}`);
  return path;
}

interface Side {
  tokensPerS: number;
  ttftMs: number;
  tokenIds: number[];
}

async function runEdge(
  model: BenchModel,
  recipePath: string,
  outDir: string,
): Promise<{ side: Side; report: RunReport }> {
  if (via !== "runner") {
    const child = await run(["bin/edge.js", "run", recipePath, "--out", outDir, "--events", "jsonl"]);
    if (child.code !== 0 && via === "auto" && /not built yet/.test(child.stderr)) {
      console.log("note: `edge run` is not built yet; timing runLocal in a child process instead");
      via = "runner";
    } else {
      if (child.code !== 0) throw new Error(`edge run exited with ${child.code}:\n${child.stderr}`);
      via = "cli";
      const tokens = child.stdout.split("\n").filter((l) => l.includes('"type":"token"')).length;
      if (tokens !== newTokens + 1) console.log(`note: edge run printed ${tokens} token events, not ${newTokens + 1}`);
      return readSide(outDir);
    }
  }
  const plan: RunPlan = {
    modelPath: model.path,
    outDir,
    seed: 0,
    generate: { promptTokens: [promptTokens], newTokens, tokenRange: model.range },
  };
  const child = await run(["--import", "tsx", "bench/runner-child.ts", JSON.stringify(plan)]);
  if (child.code !== 0) throw new Error(`runner child exited with ${child.code}:\n${child.stderr}`);
  return readSide(outDir);
}

function readSide(outDir: string): { side: Side; report: RunReport } {
  const report = JSON.parse(readFileSync(join(outDir, "report.json"), "utf8")) as RunReport;
  const g = report.generation?.runs[0];
  if (!g || g.decode.tokensPerS === null) throw new Error(`no generation in ${outDir}/report.json`);
  return { side: { tokensPerS: g.decode.tokensPerS, ttftMs: g.ttftMs, tokenIds: g.tokenIds }, report };
}

async function runBare(model: BenchModel, report: RunReport): Promise<Side> {
  const args = {
    modelPath: model.path,
    ortOptions: report.session!.ortOptions,
    prompt: syntheticPrompt(promptTokens, model.range, 0),
    newTokens,
    cache: report
      .model!.inputs.filter((i) => i.name.startsWith("past_key_values."))
      .map((i) => ({ name: i.name, shape: i.shape })),
  };
  const child = await run(["--import", "tsx", "bench/generate-bare-loop.ts", JSON.stringify(args)]);
  if (child.code !== 0) throw new Error(`bare loop exited with ${child.code}:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Side;
}

/** The loop alone: the engine's generation loop and a bare one on one session in one process (no events). */
async function sameProcess(model: BenchModel, report: RunReport): Promise<number> {
  const args = {
    modelPath: model.path,
    ortOptions: report.session!.ortOptions,
    prompt: syntheticPrompt(promptTokens, model.range, 0),
    newTokens,
    rounds: Math.max(5, rounds),
  };
  const child = await run(["--import", "tsx", "bench/generate-same-process.ts", JSON.stringify(args)]);
  if (child.code !== 0) throw new Error(`same-process loop exited with ${child.code}:\n${child.stderr}`);
  const r = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as { engine: number[]; bare: number[] };
  const ratio = median(r.bare) / median(r.engine);
  console.log(
    `  the loop alone (one process, one session, ${args.rounds} alternating rounds, no events): engine loop ${median(r.engine).toFixed(1)} tokens/s, bare loop ${median(r.bare).toFixed(1)} tokens/s; bare/engine ${ratio.toFixed(3)}`,
  );
  return ratio;
}

/** Alternating rounds on one model; returns bare/edge of the median decode rates and the loop-alone ratio. */
async function benchModel(model: BenchModel): Promise<[number, number]> {
  const tmp = mkdtempSync(join(work, "run-"));
  try {
    const recipePath = join(tmp, "generate.edge.yaml");
    writeFileSync(
      recipePath,
      stringify({
        name: `generate-${model.short}`,
        model: { path: model.path, inputs: { input_ids: { range: model.range } } },
        run: { seed: 0, generate: { prompt_tokens: promptTokens, new_tokens: newTokens } },
      }),
    );
    const edge: number[] = [];
    const bare: number[] = [];
    let first: RunReport | undefined;
    let tokensEqual = true;
    for (let round = 1; round <= rounds; round++) {
      // round 1 starts with edge: the bare loop needs its session options and cache shapes
      const order = round % 2 === 1 ? ["edge", "bare"] : ["bare", "edge"];
      let edgeSide: Side | undefined;
      let bareSide: Side | undefined;
      for (const which of order) {
        if (which === "edge") {
          const { side, report } = await runEdge(model, recipePath, join(tmp, `edge-${round}`));
          first ??= report;
          edgeSide = side;
        } else {
          bareSide = await runBare(model, first!);
        }
      }
      edge.push(edgeSide!.tokensPerS);
      bare.push(bareSide!.tokensPerS);
      if (edgeSide!.tokenIds.join() !== bareSide!.tokenIds.join()) tokensEqual = false;
      console.log(
        `  round ${round}: edge run ${edgeSide!.tokensPerS.toFixed(1)} tokens/s (TTFT ${edgeSide!.ttftMs.toFixed(2)} ms), bare loop ${bareSide!.tokensPerS.toFixed(1)} tokens/s (TTFT ${bareSide!.ttftMs.toFixed(2)} ms), ratio ${(bareSide!.tokensPerS / edgeSide!.tokensPerS).toFixed(3)}`,
      );
    }
    const ratio = median(bare) / median(edge);
    console.log(`  session options (both sides) ${JSON.stringify(first!.session!.ortOptions)}`);
    console.log(
      `  median decode: edge run ${median(edge).toFixed(1)} tokens/s, bare loop ${median(bare).toFixed(1)} tokens/s; bare/edge ${ratio.toFixed(3)}; median of per-round ratios ${median(bare.map((b, i) => b / edge[i])).toFixed(3)}; best rounds ${(Math.max(...bare) / Math.max(...edge)).toFixed(3)}`,
    );
    console.log(`  greedy tokens equal on both sides: ${tokensEqual ? "yes" : "NO"}`);
    if (!tokensEqual) throw new Error(`${model.label}: edge run and the bare loop generated different tokens`);
    return [ratio, await sameProcess(model, first!)];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const models: BenchModel[] = [
  {
    label: "tiny LM (samples/tiny-lm, 0.9 M parameters)",
    short: "tiny",
    path: resolve("samples/tiny-lm/model.onnx"),
    range: [32, 126],
  },
];
if (!skipLarge)
  models.push({ label: "generated LM (135 M parameters)", short: "135m", path: await largeModel(), range: [0, 31999] });

const ratios: string[] = [];
const loopRatios: string[] = [];
for (const model of models) {
  console.log(`${model.label}: pp${promptTokens} tg${newTokens}, ${rounds} rounds`);
  const [ratio, loop] = await benchModel(model);
  ratios.push(`${model.short} ${ratio.toFixed(3)}`);
  loopRatios.push(`${model.short} ${loop.toFixed(3)}`);
}
console.log(`runner side: ${via === "cli" ? "node bin/edge.js run --events jsonl" : "runLocal in a child process"}`);

// ── Decode speed of fp32 / int8 / int4 (fused) models ────────────────────────────────────────────────────────────
// Issue 13, item 3: one decode step (batch 1, KV cache 128, default threads) of the 268 M generated LM, fp32 against
// int8 and int4 with compile's transformer fusions, measured by bench/fusion-decode.ts in a child process (its models
// are cached in bench/.work/fusions/); goals int4 ≥ 4×, int8 ≥ 3× fp32. `-- --skip-decode` skips it.
const decodeRatios: string[] = [];
if (!process.argv.includes("--skip-decode")) {
  console.log("\ndecode speed of the 268 M LM, fp32 against int8 and int4 with fusions (bench/fusion-decode.ts):");
  const decode = await run([
    "--import",
    "tsx",
    "bench/fusion-decode.ts",
    "--rounds",
    String(Math.max(3, rounds)),
    "--no-profile",
  ]);
  process.stdout.write(decode.stdout);
  const line = decode.stdout.split("\n").find((l) => l.startsWith("fusion-decode: "));
  if (decode.code !== 0 || !line)
    console.log(`fusion-decode failed (exit ${decode.code}): ${decode.stderr.slice(-2000)}`);
  else decodeRatios.push(line.slice("fusion-decode: ".length));
}
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

console.log(
  `generate: runner overhead bare/edge decode tokens/s ${ratios.join(", ")} (goal ≤ ${GOAL}); loop alone ${loopRatios.join(", ")}${decodeRatios.length ? `; ${decodeRatios.join(", ")}` : ""}`,
);

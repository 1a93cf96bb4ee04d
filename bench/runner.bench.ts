// bench:runner — what `edge run` costs per inference over a bare onnxruntime-node loop.
// Runs the demo recipe (samples/demo.edge.yaml, PP-OCRv4 rec, x [1,3,48,320], profiling off) with
// `node bin/edge.js run RECIPE --out DIR --events jsonl`, and a bare loop (bench/bare-loop.ts) in its own process with
// the session options the runner reported, alternating the two for a few rounds. Compares the medians of their
// per-process p50 latencies. Until `edge run` is built, the runner side is runLocal in a child (bench/runner-child.ts).
// Usage: npm run bench:runner [-- --rounds N] [-- --via cli|runner]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import type { RunReport } from "../engine/report/report-types";
import type { ExecutionMode, InputSpec, Optimization, RunPlan } from "../engine/run/plan";

const RECIPE = "samples/demo.edge.yaml";
const GOAL = 1.03;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const rounds = Number(option("rounds", "5"));
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

// The demo recipe, profiling off and budgets dropped (a budget must not fail the benchmark), model path absolute.
const recipeText = readFileSync(RECIPE, "utf8");
const recipe = parse(recipeText) as {
  model: { path: string; inputs?: Record<string, InputSpec> };
  compile?: { optimization?: Optimization };
  run?: {
    warmup?: number;
    iterations?: number;
    threads?: { intra_op?: number; inter_op?: number };
    execution_mode?: ExecutionMode;
    optimization?: Optimization;
    seed?: number;
    profile?: boolean;
  };
  budgets?: unknown;
};
const modelPath = resolve(dirname(RECIPE), recipe.model.path);
const work = resolve("bench/.work");
mkdirSync(work, { recursive: true });
const benchRecipe = join(work, "demo-bench.edge.yaml");
writeFileSync(
  benchRecipe,
  stringify({
    ...recipe,
    model: { ...recipe.model, path: modelPath },
    run: { ...recipe.run, profile: false },
    budgets: undefined,
  }),
);
const tmp = mkdtempSync(join(work, "runner-"));

/** The plan `edge run` makes of the demo recipe (for the stand-in while the CLI command is not built). */
function demoPlan(outDir: string): RunPlan {
  const r = recipe.run ?? {};
  return {
    modelPath,
    inputs: recipe.model.inputs,
    session: {
      intraOpThreads: r.threads?.intra_op,
      interOpThreads: r.threads?.inter_op,
      executionMode: r.execution_mode,
      optimization: r.optimization ?? recipe.compile?.optimization,
    },
    warmup: r.warmup ?? 5,
    iterations: r.iterations ?? 50,
    seed: r.seed ?? 0,
    profile: false,
    outDir,
  };
}

async function runEdge(round: number): Promise<RunReport> {
  const outDir = join(tmp, `edge-${round}`);
  if (via !== "runner") {
    const child = await run(["bin/edge.js", "run", benchRecipe, "--out", outDir, "--events", "jsonl"]);
    if (child.code !== 0 && via === "auto" && /not built yet/.test(child.stderr)) {
      console.log(
        "note: `edge run` is not built yet; timing runLocal in a child process instead (bench/runner-child.ts)",
      );
      via = "runner";
    } else {
      if (child.code !== 0) throw new Error(`edge run exited with ${child.code}:\n${child.stderr}`);
      via = "cli";
      const iterations = child.stdout.split("\n").filter((l) => l.includes('"type":"iteration"')).length;
      if (iterations === 0) console.log("note: edge run printed no iteration events");
      return JSON.parse(readFileSync(join(outDir, "report.json"), "utf8")) as RunReport;
    }
  }
  const child = await run(["--import", "tsx", "bench/runner-child.ts", JSON.stringify(demoPlan(outDir))]);
  if (child.code !== 0) throw new Error(`runner child exited with ${child.code}:\n${child.stderr}`);
  return JSON.parse(readFileSync(join(outDir, "report.json"), "utf8")) as RunReport;
}

async function runBare(report: RunReport): Promise<number> {
  const inputs = report.model!.inputs.map((i) => ({
    name: i.name,
    dtype: i.dtype,
    shape: i.shape,
    range: recipe.model.inputs?.[i.name]?.range,
  }));
  const args = {
    modelPath,
    ortOptions: report.session!.ortOptions,
    inputs,
    warmup: report.run.warmupRequested,
    iterations: report.run.iterationsRequested,
    seed: report.run.seed,
  };
  const child = await run(["--import", "tsx", "bench/bare-loop.ts", JSON.stringify(args)]);
  if (child.code !== 0) throw new Error(`bare loop exited with ${child.code}:\n${child.stderr}`);
  return (JSON.parse(child.stdout.trim().split("\n").at(-1)!) as { stats: { p50Ms: number } }).stats.p50Ms;
}

try {
  const edgeP50: number[] = [];
  const bareP50: number[] = [];
  let first: RunReport | undefined;
  for (let round = 1; round <= rounds; round++) {
    // alternate which side goes first (round 1 starts with edge: the bare loop needs its session options)
    const order = round % 2 === 1 ? ["edge", "bare"] : ["bare", "edge"];
    for (const side of order) {
      if (side === "edge") {
        const report = await runEdge(round);
        first ??= report;
        edgeP50.push(report.latency!.p50Ms);
      } else {
        bareP50.push(await runBare(first!));
      }
    }
    console.log(
      `round ${round}: edge run p50 ${edgeP50.at(-1)!.toFixed(3)} ms, bare loop p50 ${bareP50.at(-1)!.toFixed(3)} ms`,
    );
  }
  const ratio = median(edgeP50) / median(bareP50);
  console.log(`model ${modelPath}`);
  console.log(
    `inputs ${first!.model!.inputs.map((i) => `${i.name} ${i.dtype} [${i.shape.join(",")}]`).join(", ")}; warm-up ${first!.run.warmupRequested}, iterations ${first!.run.iterationsRequested}`,
  );
  console.log(`session options (both sides) ${JSON.stringify(first!.session!.ortOptions)}`);
  console.log(
    `runner side: ${via === "cli" ? "node bin/edge.js run" : "runLocal in a child process (edge run not built yet)"}`,
  );
  console.log(
    `median p50: edge run ${median(edgeP50).toFixed(3)} ms, bare loop ${median(bareP50).toFixed(3)} ms over ${rounds} rounds`,
  );
  // other processes on a shared machine inflate whole rounds; paired and best rounds show the runner's own cost
  console.log(`median of per-round ratios ${median(edgeP50.map((e, i) => e / bareP50[i])).toFixed(3)}`);
  console.log(
    `best p50: edge run ${Math.min(...edgeP50).toFixed(3)} ms, bare loop ${Math.min(...bareP50).toFixed(3)} ms (ratio ${(Math.min(...edgeP50) / Math.min(...bareP50)).toFixed(3)})`,
  );
  console.log(`runner: ${ratio.toFixed(3)} (goal ≤ ${GOAL})`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

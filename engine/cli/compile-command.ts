// `edge compile MODEL --provider P [--optimization L] [--fix DIM=N]... [--no-fuse] [--variant V] -o OUT [--json]`:
// ONNX Runtime offline optimization with fixed dims (and, for the CPU, the transformer fusions of
// engine/compile/fusions/ unless --no-fuse), written to OUT, and the provider support analysis written as
// partitions.json next to OUT. A summary on stdout, or one JSON object with --json.
import { dirname, join, resolve } from "node:path";
import { EdgeError } from "../errors";
import { analyzeSupport } from "../compile/analyze-support";
import { compileModel, OPTIMIZATION_LEVELS, type OptimizationLevel } from "../compile/compile-model";
import { formatAnalysis, formatCompile } from "../compile/format-analysis";
import { isAnalysedProvider } from "../compile/provider-rules";
import { PARTITIONS_FILE, partitionsDocument, writePartitions } from "../compile/write-partitions";
import { readModel } from "../onnx/read-model";
import { parseArgs } from "./args";
import type { CliIO } from "./io";

export const COMPILE_USAGE =
  "edge compile MODEL --provider P [--optimization disabled|basic|extended|all] [--fix DIM=N]... [--no-fuse] [--variant V] -o OUT [--json]";

const PROVIDERS = ["cpu", "xnnpack", "nnapi", "qnn", "coreml", "cuda", "tensorrt"];

/** Parses `DIM=N` flags into a map; a repeated name or a size that is not a positive integer is a usage error. */
export function parseFixedDims(specs: string[]): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const spec of specs) {
    const eq = spec.lastIndexOf("=");
    const name = spec.slice(0, eq);
    const value = spec.slice(eq + 1).trim();
    if (eq <= 0 || !/^[1-9]\d*$/.test(value))
      throw new EdgeError(
        "cli/usage",
        `edge compile: --fix "${spec}" is not DIM=N`,
        {},
        "for example --fix batch=1 --fix sequence=64",
      );
    if (name in dims) throw new EdgeError("cli/usage", `edge compile: --fix gives "${name}" twice`);
    dims[name] = Number(value);
  }
  return dims;
}

export async function compileCommand(argv: string[], io: CliIO): Promise<number> {
  const args = argv.map((a) => (a === "-o" ? "--out" : a));
  const { positionals, flags } = parseArgs(
    args,
    {
      provider: "string",
      optimization: "string",
      fix: "string[]",
      variant: "string",
      out: "string",
      json: "boolean",
      "no-fuse": "boolean",
    },
    "compile",
  );
  if (positionals.length !== 1)
    throw new EdgeError(
      "cli/usage",
      `edge compile: expected one MODEL, got ${positionals.length}`,
      {},
      `usage: ${COMPILE_USAGE}`,
    );
  const out = flags.out as string | undefined;
  if (!out) throw new EdgeError("cli/usage", "edge compile: -o OUT is required", {}, `usage: ${COMPILE_USAGE}`);
  const provider = (flags.provider as string | undefined) ?? "cpu";
  if (!PROVIDERS.includes(provider))
    throw new EdgeError(
      "cli/usage",
      `edge compile: unknown provider "${provider}"`,
      {},
      `providers: ${PROVIDERS.join(", ")}`,
    );
  const optimization = ((flags.optimization as string | undefined) ?? "all") as OptimizationLevel;
  if (!OPTIMIZATION_LEVELS.includes(optimization))
    throw new EdgeError(
      "cli/usage",
      `edge compile: unknown optimization level "${optimization}"`,
      {},
      `levels: ${OPTIMIZATION_LEVELS.join(", ")}`,
    );
  const fixedShapes = parseFixedDims((flags.fix as string[] | undefined) ?? []);

  const target = resolve(io.cwd, out);
  const analysed = isAnalysedProvider(provider);
  const result = await compileModel(resolve(io.cwd, positionals[0]), target, {
    optimization,
    provider,
    fixedShapes,
    fuse: !flags["no-fuse"],
    // partitions.json goes beside OUT: it must not be one of the source's files either.
    alsoWrites: analysed ? [join(dirname(target), PARTITIONS_FILE)] : [],
  });
  let analysis;
  let partitionsPath: string | undefined;
  if (analysed) {
    const compiled = await readModel(result.path);
    try {
      analysis = analyzeSupport(compiled, provider, {
        variant: flags.variant as string | undefined,
        dims: fixedShapes,
      });
    } finally {
      await compiled.close();
    }
    partitionsPath = await writePartitions(dirname(result.path), analysis, result.path);
  }
  if (flags.json) {
    io.stdout(
      `${JSON.stringify({ compile: result, ...(analysis ? { partitionsPath, analysis: partitionsDocument(analysis, result.path) } : {}) }, null, 2)}\n`,
    );
  } else {
    io.stdout(formatCompile(result));
    if (analysis) io.stdout(`${formatAnalysis(analysis)}wrote ${partitionsPath}\n`);
    else
      io.stdout(
        `no support table for ${provider}: partitions.json not written (tables exist for cpu, xnnpack, nnapi, qnn, coreml)\n`,
      );
  }
  return 0;
}

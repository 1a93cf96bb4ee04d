// The recipe's optimization steps before a run: `quantize:` (into the run folder, never over the source) and
// `compile:` (ONNX Runtime's offline optimization, fixed shapes, and for a provider other than the CPU the support
// analysis written as partitions.json). Each step is announced as events and its outcome goes into the report.
import { join } from "node:path";
import { defaultCacheDir } from "../devices/node-runtime";
import { analyzeSupport } from "../compile/analyze-support";
import { compileModel, type OptimizationLevel } from "../compile/compile-model";
import type { CompileOutcome } from "../compile/compile-outcome";
import { isAnalysedProvider } from "../compile/provider-rules";
import { PARTITIONS_FILE, writePartitions } from "../compile/write-partitions";
import { readDataset } from "../data/dataset";
import type { DatasetFormat } from "../data/dataset";
import { EdgeError } from "../errors";
import { readModel } from "../onnx/read-model";
import { quantizeModel } from "../quantize/quantize-model";
import type { QuantizeOptions, QuantizeResult } from "../quantize/types";
import { evaluationSamples } from "../evaluate/compare-models";
import { readModelSignature } from "../onnx/signature";
import { step } from "../step";
import type { RecipeRunContext } from "./context";

export interface OptimizeOutcome {
  /** The model the run uses: the compiled, else the quantized, else the source model. */
  model: string;
  quantize?: QuantizeResult;
  compile?: CompileOutcome;
}

/** Synthetic samples int8-static calibrates on when the recipe names no calibration data. */
const SYNTHETIC_CALIBRATION_SAMPLES = 8;

/** The recipe's `quantize:` block as quantizer options (calibration samples read from the named dataset). */
export async function quantizeOptionsFromRecipe(
  context: Pick<RecipeRunContext, "recipe" | "paths" | "file" | "inputs">,
): Promise<QuantizeOptions> {
  const { recipe, paths, file, inputs } = context;
  const q = recipe.quantize!;
  const options: QuantizeOptions = {
    method: q.method,
    blockSize: q.block_size,
    symmetric: q.symmetric,
    perChannel: q.per_channel,
    reduceRange: q.reduce_range,
    weightType: q.weight_type,
    activationType: q.activation_type,
    accuracyLevel: q.accuracy_level,
    quantizeEmbedding: q.quantize_embedding,
    keepIoTypes: q.keep_io_types,
    fp16BlockOps: q.block_ops,
    symmetricActivations: q.symmetric_activations,
    targetCosine: q.target_cosine,
    exclude: q.exclude,
    include: q.include,
  };
  if (q.calibration) {
    const name = q.calibration.data;
    const dataset = recipe.data?.[name];
    const where = paths.datasets[name];
    if (!dataset || !where)
      throw new EdgeError("recipe/invalid", `quantize.calibration.data names an unknown dataset "${name}"`, { file });
    const samples = await readDataset(where.path, {
      format: dataset.format as DatasetFormat,
      maxSamples: q.calibration.samples ?? 100,
      tokenizer: where.tokenizer,
      sequenceLength: dataset.sequence_length,
      inputs: dataset.inputs,
    });
    options.calibration = { method: q.calibration.method ?? "minmax", samples, percentile: q.calibration.percentile };
  } else if (q.method === "int8-static") {
    // As the recipe checker warns: without data, calibrate on synthetic inputs made from `model.inputs`.
    const signature = await readModelSignature(paths.model);
    const warnings: string[] = [];
    const samples = Array.from(
      { length: SYNTHETIC_CALIBRATION_SAMPLES },
      (_, seed) =>
        evaluationSamples(
          signature,
          paths.model,
          { synthetic: { inputs, dims: recipe.compile?.fixed_shapes, seed } },
          warnings,
        )[0],
    );
    options.calibration = { method: "minmax", samples };
  }
  return options;
}

/**
 * Runs the recipe's quantize and compile steps, filling `outcome` as each finishes (so a failure in a later step
 * keeps what the earlier ones made for the report).
 */
export async function optimizeForRecipe(context: RecipeRunContext, outcome: OptimizeOutcome): Promise<OptimizeOutcome> {
  const { recipe, paths, outDir, sink, signal, provider } = context;
  const quantize = recipe.quantize;
  if (quantize) {
    await step(
      sink,
      "quantize",
      async () => {
        const quantizeOptions = await quantizeOptionsFromRecipe(context);
        if (quantize.method === "int8-static" && !quantize.calibration) {
          sink.emit({
            type: "log",
            level: "warning",
            message:
              "quantize: int8-static without `calibration` calibrates on synthetic inputs from `model.inputs`; the ranges will not fit real data",
          });
        }
        const out = join(outDir, `model.${quantize.method}.onnx`);
        outcome.quantize = await quantizeModel(paths.model, out, quantizeOptions, {
          signal,
          onProgress: (p) => sink.emit({ type: "progress", step: "quantize", done: p.done, total: p.total }),
        });
        for (const w of outcome.quantize.warnings)
          sink.emit({ type: "log", level: "warning", message: `quantize: ${w}` });
        sink.emit({ type: "artifact", kind: "model", path: out });
        outcome.model = out;
      },
      { detail: quantize.method },
    );
  }
  const compile = recipe.compile;
  // Stopped during quantize (which may have finished anyway): the compile does not start.
  if (compile && !signal?.aborted) {
    await step(
      sink,
      "compile",
      async () => {
        const out = join(outDir, "model.compiled.onnx");
        const result: CompileOutcome = await compileModel(outcome.model, out, {
          optimization: compile.optimization as OptimizationLevel | undefined,
          provider,
          fixedShapes: compile.fixed_shapes,
          fuse: compile.fuse,
          cacheDir: compileCacheDir(),
        });
        for (const w of result.warnings) sink.emit({ type: "log", level: "warning", message: `compile: ${w}` });
        if (result.reused)
          sink.emit({
            type: "log",
            level: "info",
            message: "compile: the same model and options were compiled before; reusing those bytes",
          });
        sink.emit({ type: "artifact", kind: "model", path: out });
        if (provider !== "cpu" && isAnalysedProvider(provider))
          result.support = await analyzeForProvider(outcome.model, provider, compile.fixed_shapes, context);
        outcome.compile = result;
        outcome.model = out;
      },
      { detail: `${provider}, ${compile.optimization ?? "all"}` },
    );
  }
  return outcome;
}

/**
 * The provider's support analysis of `model`, written as partitions.json. It looks at the model before ONNX
 * Runtime's CPU-only fusions, as the provider would receive it.
 */
async function analyzeForProvider(
  modelPath: string,
  provider: string,
  dims: Record<string, number> | undefined,
  context: RecipeRunContext,
): Promise<CompileOutcome["support"]> {
  const model = await readModel(modelPath);
  try {
    const analysis = analyzeSupport(model, provider, { dims });
    const partitionsPath = await writePartitions(context.outDir, analysis, modelPath);
    context.sink.emit({ type: "artifact", kind: "partitions.json", path: partitionsPath });
    const s = analysis.summary;
    return {
      provider,
      nodes: s.nodes,
      providerNodes: s.providerNodes,
      cpuNodeShare: s.cpuNodeShare,
      cpuFlopShare: s.cpuFlopShare,
      partitions: s.partitions,
      transitions: s.transitions,
      unsupportedOps: s.unsupportedOps,
      partitionsPath: join(context.outDir, PARTITIONS_FILE),
    };
  } finally {
    await model.close();
  }
}

/**
 * Where compiles are kept for reuse (engine/compile/compile-cache.ts): the engine's cache folder
 * (`$XDG_CACHE_HOME/edge-studio`, else ~/.cache/edge-studio) + compiled/; EDGE_COMPILE_CACHE=off compiles every time.
 */
function compileCacheDir(): string | undefined {
  if (process.env.EDGE_COMPILE_CACHE === "off") return undefined;
  return join(defaultCacheDir(), "compiled");
}

// The recipe's `evaluate:` step after a run: the produced model against the source model on the recipe's data (or
// synthetic inputs from `model.inputs`): output metrics, perplexity for language models, sizes, optionally both
// latencies; and, when the model was quantized, the error (SQNR) of each quantized node's output, written as
// quant-error.json for the graph viewer and the language server. Both files go into the run folder.
import { join } from "node:path";
import type { DatasetFormat } from "../data/dataset";
import { readDataset } from "../data/dataset";
import type { Sample } from "../data/typed-tensor";
import { EdgeError } from "../errors";
import { evaluateModels, type EvaluationData } from "../evaluate/evaluate-models";
import { perNodeError, writeQuantErrorJson } from "../evaluate/per-node-error";
import type { CompareResult, NodeError } from "../evaluate/types";
import { writeFileAtomic } from "../fs/atomic";
import { step } from "../step";
import type { RecipeRunContext } from "./context";
import type { OptimizeOutcome } from "./optimize";

export interface EvaluateOutcome {
  comparison: CompareResult;
  metrics: string[];
  /** Per-node error of the quantized model (worst first, at most 10 here; the file has them all). */
  quantError?: { path: string; worst: NodeError[]; measured: number; skipped: number; samples: number };
  path: string;
}

/** Samples used for the per-node error: a few, since every quantized tensor is exposed and compared. */
const PER_NODE_SAMPLES = 8;

/** Runs the recipe's `evaluate:` step on the model the optimization steps made (`optimized`). */
export async function evaluateForRecipe(
  context: RecipeRunContext,
  optimized: OptimizeOutcome,
): Promise<EvaluateOutcome> {
  const { recipe, paths, file, outDir, sink, inputs, signal } = context;
  const spec = recipe.evaluate!;
  return step(
    sink,
    "evaluate",
    async () => {
      let data: EvaluationData | undefined;
      if (spec.data) {
        const dataset = recipe.data?.[spec.data];
        const where = paths.datasets[spec.data];
        if (!dataset || !where)
          throw new EdgeError("recipe/invalid", `evaluate.data names an unknown dataset "${spec.data}"`, { file });
        data = {
          path: where.path,
          format: dataset.format as DatasetFormat,
          tokenizer: where.tokenizer,
          sequenceLength: dataset.sequence_length,
          inputs: dataset.inputs,
        };
      }
      const synthetic = { inputs, dims: recipe.compile?.fixed_shapes, seed: recipe.run?.seed ?? 0 };
      const metrics = spec.metrics ?? ["latency", "size", "memory"];
      const comparison = await evaluateModels({
        original: paths.model,
        optimized: optimized.model,
        data,
        maxSamples: spec.samples,
        synthetic,
        outputs: spec.outputs,
        latency:
          metrics.includes("latency") && optimized.model !== paths.model
            ? { iterations: Math.min(recipe.run?.iterations ?? 20, 20), warmup: 2 }
            : undefined,
        signal,
      });
      signal?.throwIfAborted();
      const path = join(outDir, "evaluation.json");
      await writeFileAtomic(path, `${JSON.stringify(comparison, null, 2)}\n`);
      sink.emit({ type: "artifact", kind: "evaluation.json", path });
      const outcome: EvaluateOutcome = { comparison, metrics: [...metrics], path };

      const q = optimized.quantize;
      if (q && q.method !== "fp16" && q.quantized.length > 0) {
        let samples: Sample[] | undefined;
        if (data)
          samples = await readDataset(data.path, {
            format: data.format,
            maxSamples: PER_NODE_SAMPLES,
            tokenizer: data.tokenizer,
            sequenceLength: data.sequenceLength,
            inputs: data.inputs,
          });
        // The quantized model before compilation: ONNX Runtime's fusions rename the tensors being compared.
        const result = await perNodeError({
          original: paths.model,
          optimized: q.output,
          quantizedNodes: q.quantized,
          samples,
          synthetic,
          maxSamples: PER_NODE_SAMPLES,
          signal,
        });
        const errorPath = join(outDir, "quant-error.json");
        await writeQuantErrorJson(errorPath, result, { original: paths.model, optimized: q.output });
        sink.emit({ type: "artifact", kind: "quant-error.json", path: errorPath });
        outcome.quantError = {
          path: errorPath,
          worst: result.nodes.slice(0, 10),
          measured: result.nodes.length,
          skipped: result.skipped.length,
          samples: result.samples,
        };
      }
      return outcome;
    },
    { detail: spec.data ? `on ${spec.data}` : "on synthetic inputs" },
  );
}

// The pipeline's side of a generation benchmark (`run.generate`): the prompts from the recipe's text dataset
// (tokenized here, so a device runner gets token ids and needs no tokenizer), the model's limits for the report, and,
// when the recipe optimized the model, the original model's generation with the same prompts and session options
// on the same device, compared with the optimized model's (greedy tokens, speed).
import type { ReportGeneration } from "../../common/generation";
import { loadTokenizer, readTextTokens } from "../data/text";
import { EdgeError } from "../errors";
import type { EventSink } from "../events";
import { decoderGraphView, decoderLimits } from "../onnx/decoder-limits";
import { readModel } from "../onnx/read-model";
import { modelSignature } from "../onnx/signature";
import { compareGenerations } from "../run/generate-stats";
import type { RunPlan } from "../run/plan";
import type { RunResult } from "../run/result";
import type { RecipeRunContext } from "./context";

type RunOn = (plan: RunPlan, sink: EventSink, signal?: AbortSignal) => Promise<RunResult>;

/** The prompts of `run.generate.data`: the first N tokens of the dataset's text for each prompt length N. */
export async function datasetPrompts(context: RecipeRunContext, name: string, lengths: number[]): Promise<number[][]> {
  const dataset = context.recipe.data?.[name];
  const where = context.paths.datasets[name];
  if (!dataset || !where)
    throw new EdgeError("recipe/invalid", `run.generate.data names an unknown dataset "${name}"`, {
      where: { file: context.file },
    });
  if (dataset.format !== "text" || !where.tokenizer)
    throw new EdgeError("recipe/invalid", `run.generate.data: dataset "${name}" must be text with a tokenizer`, {
      where: { file: context.file },
    });
  const tokenizer = await loadTokenizer(where.tokenizer);
  const longest = Math.max(...lengths);
  const ids = await readTextTokens(where.path, tokenizer, { maxTokens: longest });
  if (ids.length < longest)
    throw new EdgeError(
      "data/invalid",
      `the text of dataset "${name}" has ${ids.length} tokens, fewer than the longest prompt (${longest})`,
      { file: where.path },
      "use a longer text, or shorter `run.generate.prompt_tokens`",
    );
  return lengths.map((n) => ids.slice(0, n));
}

/** The model's context length, when its weights' shapes tell (the report says it); undefined otherwise. */
export async function modelContextLength(modelPath: string): Promise<number | undefined> {
  try {
    const model = await readModel(modelPath, { checkExternalData: false });
    try {
      return decoderLimits(decoderGraphView(model.proto, modelSignature(model.proto))).contextLength;
    } finally {
      await model.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * The report's generation section: the run's, and with an optimized model the original's generation (on the same
 * runner, marked `reference` in its token events) and the comparison. A reference run that fails or stops is left out
 * with a warning: the run's own measurements stand.
 */
export async function generationSection(
  context: RecipeRunContext,
  plan: RunPlan,
  result: RunResult,
  runOn: RunOn,
): Promise<ReportGeneration | undefined> {
  if (!result.generation || !plan.generate) return undefined;
  const { sink, signal } = context;
  const original = context.paths.model;
  const section: ReportGeneration = { ...result.generation };
  const contextLength = await modelContextLength(original);
  if (contextLength !== undefined) section.contextLength = contextLength;
  if (plan.modelPath === original || result.status !== "ok" || signal?.aborted) return section;
  sink.emit({ type: "log", level: "info", message: `generating with the original model ${original} to compare` });
  const reference = await runOn(
    { ...plan, modelPath: original, generate: { ...plan.generate, reference: true } },
    sink,
    signal,
  );
  if (!reference.generation || reference.status !== "ok") {
    if (!signal?.aborted)
      sink.emit({
        type: "log",
        level: "warning",
        message: `the original model's generation ${reference.status === "ok" ? "measured nothing" : `ended ${reference.status}`}${reference.error ? `: ${reference.error.message}` : ""}; the report has no comparison`,
      });
    return section;
  }
  section.reference = { modelPath: original, ...reference.generation };
  section.comparison = compareGenerations(result.generation.runs, reference.generation.runs);
  return section;
}

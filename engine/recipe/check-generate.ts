// Checks of `run.generate` (the generation benchmark) and of the budgets only it measures. Without the model: the
// prompts' dataset must be text with a tokenizer, run options that a generation does not use are said, and the
// budgets must match what the run measures (ttft/tokens-per-second budgets need `run.generate`; iteration latency
// budgets have nothing to measure with it). With the model's signature and limits (engine/onnx/decoder-limits.ts):
// the model must be a decoder with a KV cache, prompts must fit its positions, and the prompts' tokenizer must not
// name ids the model does not have. Every problem is placed on the recipe line it is about.
import { decoderLayout } from "../onnx/decoder-layout";
import type { DecoderLimits } from "../onnx/decoder-limits";
import type { ModelSignature } from "../onnx/signature";
import type { ProblemSink } from "./problem-sink";
import type { Budgets } from "./recipe-types.generated";
import type { RecipeParts } from "./well-formed";

/** Budgets only a generation measures. */
export const generationBudgets = [
  "ttft_ms",
  "prefill_tokens_per_s_min",
  "decode_tokens_per_s_min",
] as const satisfies readonly (keyof Budgets)[];

/** Budgets over measured iterations, which a generation run does not make. */
const iterationBudgets = [
  "latency_p50_ms",
  "latency_p90_ms",
  "latency_p95_ms",
  "latency_p99_ms",
  "latency_mean_ms",
  "latency_max_ms",
  "throughput_min_ips",
] as const satisfies readonly (keyof Budgets)[];

/** The prompt lengths `run.generate.prompt_tokens` asks for, in order. */
export function promptLengths(promptTokens: number | readonly number[]): number[] {
  return typeof promptTokens === "number" ? [promptTokens] : [...promptTokens];
}

/** The checks that need no model. */
export function checkGenerateOptions(parts: RecipeParts, sink: ProblemSink): void {
  const { recipe, broken } = parts;
  const generate = recipe.run?.generate;
  const budgets = recipe.budgets ?? {};
  if (!generate) {
    if (broken(["run", "generate"])) return;
    for (const name of generationBudgets) {
      if (budgets[name] === undefined) continue;
      sink.warning(
        "budget/unmeasured",
        ["budgets", name],
        `\`${name}\` is never checked: the recipe has no \`run.generate\``,
        {
          on: "key",
          hint: "add `run.generate: { prompt_tokens: 128, new_tokens: 64 }` to benchmark generation",
        },
      );
    }
    return;
  }
  for (const name of iterationBudgets) {
    if (budgets[name] === undefined) continue;
    sink.warning(
      "budget/unmeasured",
      ["budgets", name],
      `\`${name}\` is never checked: with \`run.generate\` the run generates tokens instead of measured iterations`,
      { on: "key", hint: "use `ttft_ms`, `prefill_tokens_per_s_min` or `decode_tokens_per_s_min`" },
    );
  }
  if (recipe.run?.profile === true)
    sink.warning(
      "option/not-applicable",
      ["run", "profile"],
      "`run.profile` does not apply to `run.generate`: the generation is not profiled",
      {
        hint: "profile single forward passes in a recipe without `run.generate`",
      },
    );
  if (recipe.run?.data !== undefined)
    sink.warning(
      "option/not-applicable",
      ["run", "data"],
      "`run.data` does not apply to `run.generate`: prompts come from `run.generate.data`",
      {
        on: "key",
      },
    );
  const dataName = generate.data;
  const dataset = dataName === undefined ? undefined : recipe.data?.[dataName];
  if (dataset && !broken(["data", dataName!]) && dataset.format !== "text")
    sink.error(
      "option/conflict",
      ["run", "generate", "data"],
      `prompts need a \`format: text\` dataset with a tokenizer, but \`${dataName}\` is \`${dataset.format}\``,
      { hint: "e.g. `data: { prompts: { path: prompts.txt, format: text, tokenizer: tokenizer.json } }`" },
    );
}

export interface GenerateModelFacts {
  signature: ModelSignature;
  /** Vocabulary and positions read from the model's weights' shapes; undefined when they could not be read. */
  limits?: DecoderLimits;
  /** Size of the vocabulary of the tokenizer of `run.generate.data`'s dataset, when it could be read. */
  tokenizerVocabSize?: number;
}

/** The checks against the model (its signature, its limits, the prompts' tokenizer). */
export function checkGenerateModel(parts: RecipeParts, facts: GenerateModelFacts, sink: ProblemSink): void {
  const { recipe, broken } = parts;
  const generate = recipe.run?.generate;
  if (!generate || broken(["run", "generate"])) return;
  const layout = decoderLayout(facts.signature);
  if (!layout) {
    const inputs = facts.signature.inputs.map((i) => i.name).join(", ");
    sink.error(
      "option/unsupported",
      ["run", "generate"],
      "`run.generate` needs a language model with a KV cache (inputs `input_ids` and `past_key_values.N.key/value`, outputs `logits` and `present.N.*`), and this model is not one",
      {
        on: "key",
        hint: `the model's inputs: ${inputs || "none"}; export the model with its cache (e.g. optimum's \`--task text-generation-with-past\`)`,
      },
    );
    return;
  }
  const limits = facts.limits ?? {};
  const lengths = promptLengths(generate.prompt_tokens);
  const context = limits.contextLength;
  if (context === undefined) {
    sink.information(
      "option/unsupported",
      ["run", "generate"],
      "the engine cannot tell how many positions this model holds (no position table it recognizes): prompts are not checked against its context length",
      { on: "key" },
    );
  } else {
    const listed = Array.isArray(generate.prompt_tokens);
    lengths.forEach((length, i) => {
      const at = listed ? ["run", "generate", "prompt_tokens", i] : ["run", "generate", "prompt_tokens"];
      if (length > context) {
        sink.error(
          "option/conflict",
          at,
          `a prompt of ${length} tokens is longer than the model's ${context} positions (${limits.contextFrom})`,
          { hint: `use at most ${context} prompt tokens` },
        );
      } else if (length + generate.new_tokens > context) {
        sink.error(
          "option/conflict",
          ["run", "generate", "new_tokens"],
          `a prompt of ${length} tokens and ${generate.new_tokens} new tokens need ${length + generate.new_tokens} positions, but the model holds ${context} (${limits.contextFrom})`,
          { hint: `use at most ${context - length} new tokens after ${length} prompt tokens` },
        );
      }
    });
  }
  const vocab = limits.vocabSize;
  const tokens = facts.tokenizerVocabSize;
  if (vocab !== undefined && tokens !== undefined && generate.data !== undefined && tokens !== vocab) {
    const tokenizer = recipe.data?.[generate.data]?.tokenizer ?? "the tokenizer";
    if (tokens > vocab) {
      sink.error(
        "data/tokenizer",
        ["run", "generate", "data"],
        `the tokenizer of \`${generate.data}\` (${tokenizer}) has ${tokens} tokens, but the model takes ${vocab} ids (${limits.vocabFrom}): it is not the model's tokenizer`,
        { hint: "give the tokenizer.json saved with the model" },
      );
    } else {
      sink.information(
        "data/tokenizer",
        ["run", "generate", "data"],
        `the tokenizer of \`${generate.data}\` (${tokenizer}) has ${tokens} tokens and the model ${vocab} ids (${limits.vocabFrom}): fine for a padded vocabulary, else not the model's tokenizer`,
      );
    }
  }
}

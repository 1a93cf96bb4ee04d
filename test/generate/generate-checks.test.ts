// The recipe checks of `run.generate`, each at the exact position marked ⟨here⟩: a model that is not a decoder with
// a KV cache, prompts past the model's positions (a generated LM with a learned position table), a tokenizer with
// more ids than the model, prompts from a dataset that is not text, budgets a generation does or does not measure;
// the same problems as editor diagnostics through the language server (real model summaries); and the model's
// limits as engine/onnx/decoder-limits.ts reads them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DiagnosticSeverity } from "vscode-languageserver-types";
import { readModel } from "../../engine/onnx";
import { decoderGraphView, decoderLimits } from "../../engine/onnx/decoder-limits";
import { modelSignature } from "../../engine/onnx/signature";
import { checkRecipe, nodeCheckHost, parseRecipe } from "../../engine/recipe";
import { createNodeWorldHost } from "../../language-server/world/node-world-host";
import { describe, expectProblem, marked, yaml } from "../recipe/helpers";
import { docAt, service } from "../language-server/structure-helpers";
import { CNN_MODEL, TINY_LM, TINY_TEXT, TINY_TOKENIZER, smallLm, tempDir } from "./helpers";

async function check(source: string, dir = tempDir()) {
  const { text, at } = marked(source);
  const { problems } = await checkRecipe(parseRecipe(text, "test.edge.yaml"), nodeCheckHost(dir));
  return { problems, at };
}

const dir = tempDir();
const lmContext32 = smallLm(dir, { vocab: 64, context: 32 });

void test("the model's limits: vocabulary from the logits, context from the position table; none for sinusoidal positions", async () => {
  const limits = async (path: string) => {
    const model = await readModel(path, { checkExternalData: false });
    try {
      return decoderLimits(decoderGraphView(model.proto, modelSignature(model.proto)));
    } finally {
      await model.close();
    }
  };
  assert.deepEqual(await limits(await lmContext32), {
    vocabSize: 64,
    vocabFrom: "the last dim of output `logits`",
    contextLength: 32,
    contextFrom: "the rows of `model.embed_positions.weight`",
  });
  assert.deepEqual(await limits(TINY_LM), { vocabSize: 256, vocabFrom: "the last dim of output `logits`" });
  assert.deepEqual(await limits(CNN_MODEL), {});
});

void test("run.generate on a model that is not a decoder with a cache: an error on the `generate` key", async () => {
  const { problems, at } = await check(yaml`
    name: cnn
    model: { path: ${CNN_MODEL} }
    run:
      ⟨here⟩generate: { prompt_tokens: 8, new_tokens: 4 }
  `);
  expectProblem(problems, {
    code: "option/unsupported",
    at: at[0],
    severity: "error",
    message: /needs a language model with a KV cache/,
  });
});

void test("a prompt longer than the model's positions, and new tokens past them, are errors where they are written", async () => {
  const model = await lmContext32;
  const { problems, at } = await check(yaml`
    name: lm
    model: { path: ${model} }
    run:
      generate:
        prompt_tokens: [8, ⟨here⟩40, 24]
        new_tokens: ⟨here⟩16
  `);
  expectProblem(problems, {
    code: "option/conflict",
    at: at[0],
    severity: "error",
    message:
      /a prompt of 40 tokens is longer than the model's 32 positions \(the rows of `model\.embed_positions\.weight`\)/,
  });
  expectProblem(problems, {
    code: "option/conflict",
    at: at[1],
    severity: "error",
    message: /a prompt of 24 tokens and 16 new tokens need 40 positions, but the model holds 32/,
  });
  assert.equal(problems.filter((p) => p.severity === "error").length, 2, describe(problems));
  // Within its positions, and the decoder's inputs (input_ids, cache, mask) need no `model.inputs`.
  const fine = await check(yaml`
    name: lm
    model: { path: ${model} }
    run: { generate: { prompt_tokens: [8, 16], new_tokens: 16 } }
  `);
  assert.deepEqual(
    fine.problems.map((p) => p.code),
    [],
    describe(fine.problems),
  );
});

void test("the tiny LM's sinusoidal positions: no limit to check, said as information", async () => {
  const { problems, at } = await check(yaml`
    name: lm
    model: { path: ${TINY_LM} }
    run:
      ⟨here⟩generate: { prompt_tokens: 4000, new_tokens: 4 }
  `);
  expectProblem(problems, {
    code: "option/unsupported",
    at: at[0],
    severity: "information",
    message: /cannot tell how many positions/,
  });
  assert.equal(problems.filter((p) => p.severity !== "information").length, 0, describe(problems));
});

void test("a prompts tokenizer with more ids than the model is an error on run.generate.data; text datasets only", async () => {
  const model = await lmContext32; // 64 ids; the tiny LM's byte tokenizer has 256
  const { problems, at } = await check(yaml`
    name: lm
    model: { path: ${model} }
    data:
      text: { path: ${TINY_TEXT}, format: text, tokenizer: ${TINY_TOKENIZER} }
      arrays: { path: ${TINY_TEXT}, format: npy }
    run:
      generate: { prompt_tokens: 8, new_tokens: 4, data: ⟨here⟩text }
  `);
  expectProblem(problems, {
    code: "data/tokenizer",
    at: at[0],
    severity: "error",
    message: /has 256 tokens, but the model takes 64 ids \(the last dim of output `logits`\)/,
  });
  const npy = await check(yaml`
    name: lm
    model: { path: ${TINY_LM} }
    data:
      arrays: { path: ${TINY_TEXT}, format: npy }
    run:
      generate: { prompt_tokens: 8, new_tokens: 4, data: ⟨here⟩arrays }
  `);
  expectProblem(npy.problems, { code: "option/conflict", at: npy.at[0], severity: "error", message: /`format: text`/ });
  // The tiny LM with its own tokenizer: no tokenizer problem, and the dataset counts as used.
  const own = await check(yaml`
    name: lm
    model: { path: ${TINY_LM} }
    data:
      text: { path: ${TINY_TEXT}, format: text, tokenizer: ${TINY_TOKENIZER} }
    run:
      generate: { prompt_tokens: 8, new_tokens: 4, data: text }
  `);
  assert.deepEqual(
    own.problems.filter((p) => p.code !== "option/unsupported").map((p) => p.code),
    [],
    describe(own.problems),
  );
});

void test("budgets: generation budgets need run.generate; iteration budgets measure nothing with it", async () => {
  const without = await check(yaml`
    name: lm
    model: { path: ${TINY_LM} }
    budgets: { ⟨here⟩ttft_ms: 100, size_mb: 5 }
  `);
  expectProblem(without.problems, {
    code: "budget/unmeasured",
    at: without.at[0],
    severity: "warning",
    message: /`ttft_ms` is never checked: the recipe has no `run.generate`/,
  });
  const withGenerate = await check(yaml`
    name: lm
    model: { path: ${TINY_LM} }
    run: { profile: ⟨here⟩true, generate: { prompt_tokens: 8, new_tokens: 4 } }
    budgets: { ⟨here⟩latency_p95_ms: 10, decode_tokens_per_s_min: 50 }
  `);
  expectProblem(withGenerate.problems, { code: "option/not-applicable", at: withGenerate.at[0], severity: "warning" });
  expectProblem(withGenerate.problems, {
    code: "budget/unmeasured",
    at: withGenerate.at[1],
    severity: "warning",
    message: /`latency_p95_ms` is never checked: with `run.generate`/,
  });
  assert.ok(!withGenerate.problems.some((p) => p.message.includes("decode_tokens_per_s_min")));
});

void test("the editor shows the same problems: diagnostics from the language server's model summaries", async () => {
  const model = await lmContext32;
  const world = createNodeWorldHost({ summaryWorker: false });
  const cases = [
    {
      source: `name: cnn\nmodel: { path: ${CNN_MODEL} }\nrun:\n  generate: { prompt_tokens: 8, new_tokens: 4 }\n`,
      line: 3,
      character: 2,
      code: "option/unsupported",
    },
    {
      source: `name: lm\nmodel: { path: ${model} }\nrun:\n  generate: { prompt_tokens: 64, new_tokens: 4 }\n`,
      line: 3,
      character: 29,
      code: "option/conflict",
    },
  ];
  for (const c of cases) {
    const path = join(dir, `${c.code.replace("/", "-")}.edge.yaml`);
    const diagnostics = await service(world).doValidation(docAt(path, c.source));
    const found = diagnostics.filter((d) => d.code === c.code && d.severity === DiagnosticSeverity.Error);
    assert.equal(found.length, 1, JSON.stringify(diagnostics, null, 1));
    assert.deepEqual(found[0].range.start, { line: c.line, character: c.character });
  }
  assert.ok(readFileSync(model).length > 0);
});

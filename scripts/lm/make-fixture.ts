// Builds samples/tiny-lm from the weights scripts/lm/train.py saved, with decoder-graph.ts, and verifies it in
// onnxruntime-node against torch: logits, held-out perplexity (within 0.5 %) and KV-cache decoding.
// node --import tsx scripts/lm/make-fixture.ts WORK_DIR [OUT_DIR=samples/tiny-lm]
import { copyFileSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { writeFileAtomic } from "../../engine/fs/atomic";
import { byteTokenizerConfig, byteTokenizerJson } from "./byte-tokenizer";
import { type DecoderLmConfig } from "./decoder-config";
import { buildDecoderLm } from "./decoder-graph";
import { decodeWithCache, type LmShape, maxAbsDiff, perplexity, step } from "./lm-session";

interface TrainedWeights {
  config: Required<Omit<DecoderLmConfig, "positions" | "epsilon">> & { positions?: DecoderLmConfig["positions"] };
  tensors: { name: string; shape: number[]; offset: number }[];
  torch: string;
  steps: number;
  batch: number;
  seed: number;
  train_seconds: number;
  train_bytes: number;
  validation_bytes: number;
  heldout_bytes: number;
  validation_perplexity: number;
  heldout_perplexity: number;
  heldout_perplexity_first4096_window128: number;
  reference_window: number;
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + "\n";

async function main(): Promise<void> {
  const [workArg, outArg = "samples/tiny-lm"] = process.argv.slice(2);
  if (!workArg) throw new Error("usage: make-fixture.ts WORK_DIR [OUT_DIR]");
  const work = resolve(workArg);
  const out = resolve(outArg);
  const trained = JSON.parse(readFileSync(join(work, "weights.json"), "utf8")) as TrainedWeights;
  const blob = readFileSync(join(work, "weights.bin"));
  const byName = new Map(trained.tensors.map((t) => [t.name, t]));
  const config: DecoderLmConfig = { ...trained.config, positions: trained.config.positions ?? "learned" };

  const built = await buildDecoderLm(
    config,
    (name, shape) => {
      const t = byName.get(name);
      if (!t || t.shape.join(",") !== shape.join(","))
        throw new Error(`weights.json has no ${name} of shape [${shape.join(", ")}]`);
      const count = shape.reduce((a, b) => a * b, 1);
      return new Float32Array(blob.buffer.slice(blob.byteOffset + t.offset, blob.byteOffset + t.offset + 4 * count));
    },
    join(out, "model.onnx"),
    { externalData: false },
  );
  await writeFileAtomic(join(out, "tokenizer.json"), json(byteTokenizerJson()));
  await writeFileAtomic(join(out, "tokenizer_config.json"), json(byteTokenizerConfig()));
  copyFileSync(join(work, "heldout.txt"), join(out, "heldout.txt"));

  // Verification against torch.
  const shape: LmShape = {
    layers: built.config.layers,
    heads: built.config.heads,
    hidden: built.config.hidden,
    vocab: built.config.vocab,
  };
  const session = await ort.InferenceSession.create(built.modelPath);
  const held = new Uint8Array(readFileSync(join(out, "heldout.txt")));
  const window = trained.reference_window;
  const reference = new Float32Array(new Uint8Array(readFileSync(join(work, "reference-logits.bin"))).buffer);
  const ortLogits = (await step(session, shape, held.subarray(0, window))).logits;
  const logitsDiff = maxAbsDiff(ortLogits, reference);
  const ortPerplexity = await perplexity(session, shape, held, window);
  const ortPerplexity4k = await perplexity(session, shape, held.subarray(0, 4096), 128);
  const ids = held.subarray(0, 96);
  const cacheDiff = maxAbsDiff(
    await decodeWithCache(session, shape, ids, 40),
    (await step(session, shape, ids)).logits,
  );
  const relative = Math.abs(ortPerplexity / trained.heldout_perplexity - 1);
  const relative4k = Math.abs(ortPerplexity4k / trained.heldout_perplexity_first4096_window128 - 1);

  const modelBytes = statSync(built.modelPath).size;
  const summary = {
    layers: built.config.layers,
    hidden: built.config.hidden,
    heads: built.config.heads,
    mlp: built.config.mlp,
    vocab: built.config.vocab,
    context: built.config.context,
    positions: built.config.positions,
    parameters: built.parameters,
    model_bytes: modelBytes,
    heldout_bytes: held.length,
    heldout_perplexity: trained.heldout_perplexity,
    heldout_perplexity_ort: ortPerplexity,
    heldout_perplexity_window: window,
    heldout_perplexity_first4096_window128: trained.heldout_perplexity_first4096_window128,
    heldout_perplexity_first4096_window128_ort: ortPerplexity4k,
    validation_perplexity: trained.validation_perplexity,
    verification: { max_abs_logit_diff_torch_vs_ort: logitsDiff, max_abs_logit_diff_kv_cache_vs_full: cacheDiff },
    training: {
      torch: trained.torch,
      seed: trained.seed,
      steps: trained.steps,
      batch: trained.batch,
      seconds: trained.train_seconds,
      train_bytes: trained.train_bytes,
      validation_bytes: trained.validation_bytes,
      text: "Python 3.11 documentation topics (pydoc_data/topics.py, PSF License)",
    },
  };
  await writeFileAtomic(join(out, "config.json"), json(summary));
  console.log(json(summary));
  const failures = [
    logitsDiff > 1e-3 ? `torch and ORT logits differ by ${logitsDiff}` : "",
    relative > 0.005
      ? `ORT perplexity ${ortPerplexity} is ${(relative * 100).toFixed(2)} % off torch's ${trained.heldout_perplexity}`
      : "",
    relative4k > 0.005 ? `ORT perplexity (first 4096 B, window 128) ${ortPerplexity4k} is off torch's` : "",
    cacheDiff > 1e-3 ? `KV-cache decoding differs from the full sequence by ${cacheDiff}` : "",
  ].filter(Boolean);
  if (failures.length > 0) throw new Error(`verification failed:\n${failures.join("\n")}`);
  console.log(
    `verified: logits within ${logitsDiff.toExponential(2)}, perplexity ${ortPerplexity.toFixed(4)} (torch ${trained.heldout_perplexity.toFixed(4)}), KV cache within ${cacheDiff.toExponential(2)}`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

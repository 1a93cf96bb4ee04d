// The baseline of bench:generate: a bare onnxruntime-node greedy decode loop of a decoder LM with a KV cache, in its
// own process, with the session options the runner reported and the same prompt. Written from scratch against
// onnxruntime-node (not the engine's loop): the same warm-up (one generation with the prompt and 8 decode steps),
// then a prefill and `newTokens` decode steps, the present.* outputs passed back as past_key_values.*, the mask one
// longer each step; the decode rate is steps over the wall time from the first step's feeds to the last argmax, as
// the runner counts it. Prints one JSON line: { tokensPerS, ttftMs, tokenIds }.
// Usage: node --import tsx bench/generate-bare-loop.ts '<json: {modelPath, ortOptions, prompt, newTokens, cache}>'
import ort from "onnxruntime-node";

interface BareArgs {
  modelPath: string;
  ortOptions: ort.InferenceSession.SessionOptions;
  prompt: number[];
  newTokens: number;
  /** The cache inputs and their empty shapes [1, heads, 0, headDim] (the runner's report lists them). */
  cache: { name: string; shape: number[] }[];
}

const args = JSON.parse(process.argv[2]) as BareArgs;
const session = await ort.InferenceSession.create(args.modelPath, args.ortOptions);
const pastNames = args.cache.map((c) => c.name);
const emptyShapes = args.cache.map((c) => c.shape);

function argmaxLast(logits: ort.Tensor): number {
  const data = logits.data as Float32Array;
  const vocab = logits.dims[logits.dims.length - 1];
  const offset = data.length - vocab;
  let best = 0;
  for (let i = 1; i < vocab; i++) if (data[offset + i] > data[offset + best]) best = i;
  return best;
}

async function generate(prompt: number[], steps: number) {
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(prompt, BigInt), [1, prompt.length]),
    attention_mask: new ort.Tensor("int64", new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]),
  };
  pastNames.forEach((name, i) => (feeds[name] = new ort.Tensor("float32", new Float32Array(0), emptyShapes[i])));
  const t0 = performance.now();
  let out = await session.run(feeds);
  let token = argmaxLast(out.logits);
  const ttftMs = performance.now() - t0;
  const tokenIds = [token];
  let length = prompt.length;
  const start = performance.now();
  for (let s = 0; s < steps; s++) {
    length++;
    const next: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor("int64", BigInt64Array.of(BigInt(token)), [1, 1]),
      attention_mask: new ort.Tensor("int64", new BigInt64Array(length).fill(1n), [1, length]),
    };
    for (const name of pastNames) next[name] = out[name.replace("past_key_values.", "present.")];
    out = await session.run(next);
    token = argmaxLast(out.logits);
    tokenIds.push(token);
  }
  const decodeMs = performance.now() - start;
  return { tokensPerS: (steps * 1000) / decodeMs, ttftMs, tokenIds };
}

await generate(args.prompt, Math.min(8, args.newTokens));
const result = await generate(args.prompt, args.newTokens);
await session.release();
process.stdout.write(`${JSON.stringify(result)}\n`);

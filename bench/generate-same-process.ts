// bench:generate's diagnostic: the engine's generation loop (engine/run/generate.ts, no events) and a bare greedy
// loop on ONE onnxruntime session in ONE process, alternating, so whatever differs between an `edge run` process
// and a bare process (heap size and V8's collections of onnxruntime-node's output copies, the event stream) is left
// out: what remains is the loop's own cost. Prints one JSON line: { engine: [tokens/s…], bare: [tokens/s…] }.
// Usage: node --import tsx bench/generate-same-process.ts '<json: {modelPath, ortOptions, prompt, newTokens, rounds}>'
import ort from "onnxruntime-node";
import { nullSink } from "../engine/events";
import { readModelSignature } from "../engine/onnx/signature";
import { runGenerations } from "../engine/run/generate";
import { generateIo } from "../engine/run/generate-io";
import type { GenerationResult } from "../common/generation";

interface Args {
  modelPath: string;
  ortOptions: ort.InferenceSession.SessionOptions;
  prompt: number[];
  newTokens: number;
  rounds: number;
}

const args = JSON.parse(process.argv[2]) as Args;
const session = await ort.InferenceSession.create(args.modelPath, args.ortOptions);
const io = generateIo(await readModelSignature(args.modelPath), args.modelPath);

async function engine(): Promise<number> {
  const result: GenerationResult = { warmup: null, runs: [] };
  await runGenerations(
    {
      ort,
      session,
      io,
      plan: { promptTokens: [args.prompt.length], newTokens: args.newTokens, prompts: [args.prompt], noWarmup: true },
      seed: 0,
      sink: nullSink,
      sampleRss: () => process.memoryUsage.rss(),
      modelPath: args.modelPath,
    },
    result,
  );
  return result.runs[0].decode.tokensPerS ?? 0;
}

function argmaxLast(logits: ort.Tensor): number {
  const data = logits.data as Float32Array;
  const vocab = logits.dims[logits.dims.length - 1];
  const offset = data.length - vocab;
  let best = 0;
  for (let i = 1; i < vocab; i++) if (data[offset + i] > data[offset + best]) best = i;
  return best;
}

async function bare(): Promise<number> {
  const n = args.prompt.length;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(args.prompt, BigInt), [1, n]),
    attention_mask: new ort.Tensor("int64", new BigInt64Array(n).fill(1n), [1, n]),
  };
  for (const c of io.cache) feeds[c.input] = new ort.Tensor("float32", new Float32Array(0), c.emptyShape);
  let out = await session.run(feeds);
  let token = argmaxLast(out.logits);
  let length = n;
  const start = performance.now();
  for (let s = 0; s < args.newTokens; s++) {
    length++;
    const next: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor("int64", BigInt64Array.of(BigInt(token)), [1, 1]),
      attention_mask: new ort.Tensor("int64", new BigInt64Array(length).fill(1n), [1, length]),
    };
    for (const c of io.cache) next[c.input] = out[c.output];
    out = await session.run(next);
    token = argmaxLast(out.logits);
  }
  return (args.newTokens * 1000) / (performance.now() - start);
}

await bare();
await engine();
const result = { engine: [] as number[], bare: [] as number[] };
for (let round = 0; round < args.rounds; round++) {
  if (round % 2) {
    result.engine.push(await engine());
    result.bare.push(await bare());
  } else {
    result.bare.push(await bare());
    result.engine.push(await engine());
  }
}
await session.release();
process.stdout.write(`${JSON.stringify(result)}\n`);

// The baseline of bench:runner: a bare onnxruntime-node loop, in its own process, with the session options the
// runner used. Times each session.run with performance.now() exactly as the runner does and prints one JSON line.
// Usage: node --import tsx bench/bare-loop.ts '<json: {modelPath, ortOptions, inputs: [{name, dtype, shape}], warmup, iterations, range}>'
import ort from "onnxruntime-node";
import type { Dtype } from "../engine/data/typed-tensor";
import { syntheticTensor } from "../engine/run/synthetic";
import { latencyStats } from "../engine/run/stats";

interface BareLoopArgs {
  modelPath: string;
  ortOptions: ort.InferenceSession.SessionOptions;
  inputs: { name: string; dtype: Dtype; shape: number[]; range?: [number, number] }[];
  warmup: number;
  iterations: number;
  seed?: number;
}

const args = JSON.parse(process.argv[2]) as BareLoopArgs;
const session = await ort.InferenceSession.create(args.modelPath, args.ortOptions);
const feeds: Record<string, ort.Tensor> = {};
for (const input of args.inputs) {
  const t = syntheticTensor(
    { name: input.name, dtype: input.dtype, shape: input.shape, range: input.range },
    args.seed ?? 0,
  );
  feeds[input.name] = new ort.Tensor(t.dtype, t.data, t.shape);
}
for (let i = 0; i < args.warmup; i++) await session.run(feeds);
const latenciesMs: number[] = [];
for (let i = 0; i < args.iterations; i++) {
  const t = performance.now();
  await session.run(feeds);
  latenciesMs.push(performance.now() - t);
}
await session.release();
process.stdout.write(`${JSON.stringify({ stats: latencyStats(latenciesMs) })}\n`);

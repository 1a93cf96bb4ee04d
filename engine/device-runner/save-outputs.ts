// `saveOutputs`: the output tensors of a run's first feed, written to outDir/outputs.json, so a host can compare
// what a device computed with what another device (or this machine) computed for the same input. Uses a second
// session made with the same options as the measured one, after the measured run (its timings are untouched).
import { join } from "node:path";
import { nullSink } from "../events";
import { writeFileAtomic } from "../fs/atomic";
import { type Sample, fromHalfBits } from "../data/typed-tensor";
import { resolveFeeds } from "../run/feeds";
import { readModelFiles } from "../run/model-files";
import { loadOrt, ortSessionOptions } from "../run/ort";
import type { RunPlan } from "../run/plan";
import { RUNNER_FILES } from "./plan-file";

export interface SavedTensor {
  dtype: string;
  shape: number[];
  /** Values in C order (float16 as its value, not its bits); int64 as numbers (exact below 2^53); NaN and ±Infinity as the strings "NaN", "Infinity". */
  data: (number | string)[];
}

export interface SavedOutputs {
  /** Which feed: always the first (sample 0, or the synthetic inputs). */
  feed: 0;
  outputs: Record<string, SavedTensor>;
}

const jsonNumber = (v: number | bigint | boolean): number | string => {
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : String(n);
};

/** Runs the plan's first feed once and writes outDir/outputs.json; returns its path. */
export async function saveOutputs(plan: RunPlan): Promise<string> {
  const { signature } = await readModelFiles(plan.modelPath, plan.deviceName);
  const feed: Sample = resolveFeeds(signature, plan, nullSink).samples[0];
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(plan.modelPath, ortSessionOptions(plan.session));
  try {
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const [name, t] of Object.entries(feed)) feeds[name] = new ort.Tensor(t.dtype, t.data, t.shape);
    const results = await session.run(feeds);
    const saved: SavedOutputs = { feed: 0, outputs: {} };
    for (const [name, tensor] of Object.entries(results)) {
      const half = tensor.type === "float16";
      const data = tensor.data as ArrayLike<number | bigint | boolean | string>;
      saved.outputs[name] = {
        dtype: tensor.type,
        shape: [...tensor.dims],
        data: Array.from(data, (v) => (typeof v === "string" ? v : jsonNumber(half ? fromHalfBits(v as number) : v))),
      };
    }
    const path = join(plan.outDir, RUNNER_FILES.outputs);
    await writeFileAtomic(path, JSON.stringify(saved));
    return path;
  } finally {
    await session.release();
  }
}

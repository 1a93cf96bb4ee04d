// Sensitivity of int8-static's activations, measured on the calibration samples: one pass of the float model with
// every candidate tensor exposed gives each tensor's SQNR under 8-bit quantize-dequantize (and the float outputs to
// compare with); trials then run whole candidate models (built by the caller) and score them by the cosine of
// their outputs to the float ones (all float outputs concatenated).
import { toBinary } from "@bufbuild/protobuf";
import { type ModelProto, ModelProtoSchema } from "onnx-buf";
import type { Sample } from "../../data/typed-tensor";
import type { OnnxModel } from "../../onnx/read-model";
import { modelSignature } from "../../onnx/signature";
import type { OrtSession } from "../../run/ort";
import { feedsOf, openSession } from "../calibrate/run";
import { exposeTensors } from "../calibrate/expose";

/** How one tensor would be quantized: its 8-bit scale and zero point and the element type's range. */
export interface QuantGrid {
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
  /** The channel axis: 1 ("conv", what Conv reads) or the last ("last", what MatMul and Gemm read). */
  axis: "conv" | "last";
}

export interface SensitivityPass {
  /** Per-channel energy of each tensor seen and of its quantize-dequantize error. */
  energy: Map<string, ChannelEnergy>;
  /** The float model's outputs per sample (float32 outputs only), what trials are compared with. */
  reference: Map<string, Float32Array>[];
}

type Results = Awaited<ReturnType<OrtSession["run"]>>;

async function runAll(
  model: OnnxModel,
  session: OrtSession,
  samples: Sample[],
  fetches: (i: number) => string[],
  signal: AbortSignal | undefined,
  each: (results: Results, i: number) => void,
): Promise<void> {
  const signature = modelSignature(model.proto);
  for (let i = 0; i < samples.length; i++) {
    if (signal?.aborted) return;
    const feeds = await feedsOf(model, signature, samples[i], i);
    const results = await session.run(feeds as Parameters<OrtSession["run"]>[0], fetches(i));
    try {
      each(results, i);
    } finally {
      for (const t of Object.values(results)) t.dispose();
    }
  }
}

/** Per-channel signal and noise energy of a tensor under quantize-dequantize (along the grid's channel axis). */
export interface ChannelEnergy {
  signal: Float64Array;
  noise: Float64Array;
}

/** Adds the per-channel signal and noise energy of quantize-dequantize of `x` (shape `dims`) on `grid` to `into`. */
function addNoise(
  x: Float32Array,
  dims: readonly number[],
  g: QuantGrid,
  into: ChannelEnergy | undefined,
): ChannelEnergy {
  const axis = dims.length < 2 ? 0 : g.axis === "conv" ? 1 : dims.length - 1;
  const channels = Math.max(1, dims[axis] ?? 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const e =
    into && into.signal.length === channels
      ? into
      : { signal: new Float64Array(channels), noise: new Float64Array(channels) };
  const inv = 1 / g.scale;
  for (let start = 0, c = 0; start < x.length; start += inner, c = (c + 1) % channels) {
    let signal = 0;
    let noise = 0;
    for (let i = start, end = Math.min(x.length, start + inner); i < end; i++) {
      const v = x[i];
      if (!Number.isFinite(v)) continue;
      const q = Math.min(g.qmax, Math.max(g.qmin, Math.round(v * inv) + g.zeroPoint));
      const d = v - (q - g.zeroPoint) * g.scale;
      signal += v * v;
      noise += d * d;
    }
    e.signal[c] += signal;
    e.noise[c] += noise;
  }
  return e;
}

/** SQNR in dB after weighting channel c's energy by `gain[c]` (the next layer's weight energy), or unweighted. */
export function weightedSqnr(e: ChannelEnergy, gain?: Float64Array): number {
  let signal = 0;
  let noise = 0;
  const weighted = gain !== undefined && gain.length === e.signal.length;
  for (let c = 0; c < e.signal.length; c++) {
    const w = weighted ? gain[c] : 1;
    signal += e.signal[c] * w;
    noise += e.noise[c] * w;
  }
  return noise > 0 ? 10 * Math.log10(signal / noise) : Infinity;
}

/**
 * Runs the float model once over `samples`, measuring each tensor's per-channel quantization noise on its grid
 * (on the first `measured` samples) and keeping every sample's outputs.
 */
export async function measureSensitivity(
  model: OnnxModel,
  grids: Map<string, QuantGrid>,
  samples: Sample[],
  float32: (name: string) => boolean,
  measured: number,
  signal?: AbortSignal,
): Promise<SensitivityPass> {
  const exposed = exposeTensors(model.proto, grids.keys(), float32);
  const outputs = model.proto.graph!.output.map((o) => o.name);
  const session = await openSession(model, toBinary(ModelProtoSchema, exposed.proto));
  const energy = new Map<string, ChannelEnergy>();
  const reference: Map<string, Float32Array>[] = [];
  try {
    const all = [...new Set([...outputs, ...exposed.outputs.keys()])];
    await runAll(
      model,
      session,
      samples,
      (i) => (i < measured ? all : outputs),
      signal,
      (results) => {
        const ref = new Map<string, Float32Array>();
        for (const name of outputs) {
          const t = results[name];
          if (t?.type === "float32") ref.set(name, new Float32Array(t.data as Float32Array));
        }
        reference.push(ref);
        for (const [output, tensor] of Object.entries(results)) {
          const name = exposed.outputs.get(output);
          const grid = name === undefined ? undefined : grids.get(name);
          if (!grid || tensor.type !== "float32" || tensor.size === 0) continue;
          energy.set(name!, addNoise(tensor.data as Float32Array, tensor.dims, grid, energy.get(name!)));
        }
      },
    );
  } finally {
    await session.release();
  }
  return { energy, reference };
}

/** The cosine of `candidate`'s float outputs to the reference, all outputs and samples concatenated. */
export async function trialCosine(
  model: OnnxModel,
  candidate: ModelProto,
  samples: Sample[],
  reference: Map<string, Float32Array>[],
  signal?: AbortSignal,
): Promise<number> {
  const session = await openSession(model, toBinary(ModelProtoSchema, candidate));
  const names = [...(reference[0]?.keys() ?? [])];
  const sums = new Map(names.map((n) => [n, [0, 0, 0]]));
  try {
    await runAll(
      model,
      session,
      samples,
      () => names,
      signal,
      (results, i) => {
        for (const name of names) {
          const a = reference[i].get(name);
          const t = results[name];
          if (!a || !t || t.type !== "float32") continue;
          const b = t.data as Float32Array;
          const s = sums.get(name)!;
          for (let j = 0; j < Math.min(a.length, b.length); j++) {
            s[0] += a[j] * b[j];
            s[1] += a[j] * a[j];
            s[2] += b[j] * b[j];
          }
        }
      },
    );
  } finally {
    await session.release();
  }
  // All float outputs together: an output of tiny values (a probability near 0) weighs as little as it measures.
  let [dot, na, nb] = [0, 0, 0];
  for (const s of sums.values()) [dot, na, nb] = [dot + s[0], na + s[1], nb + s[2]];
  if (na === 0 && nb === 0) return 1;
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

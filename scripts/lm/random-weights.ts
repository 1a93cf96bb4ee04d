// A deterministic, fast random weight source for generated LMs (benchmarks): GPT-2-like scales, approximately
// N(0, 0.02) from a xorshift PRNG seeded per tensor name, so a tensor's values do not depend on the others.
import { type DecoderLmConfig, decoderWeightSpecs, elementCount, resolveConfig } from "./decoder-config";
import { type WeightSource } from "./decoder-graph";

/** FNV-1a hash of a string, mixed with the seed. */
function tensorSeed(name: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0 || 1;
}

/**
 * Fills `out` with approximately normal values of standard deviation `std` (Irwin–Hall: the sum of the four
 * bytes of one xorshift32 draw, standardized).
 */
export function fillNormal(out: Float32Array, std: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const k = std / Math.sqrt((4 * (256 * 256 - 1)) / 12);
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const sum = (s & 255) + ((s >>> 8) & 255) + ((s >>> 16) & 255) + ((s >>> 24) & 255);
    out[i] = (sum - 510) * k;
  }
  return out;
}

export interface RandomWeightOptions {
  /**
   * Fill one scratch buffer (the size of the largest tensor) again for every tensor, so generating a multi-GB model
   * allocates nothing per tensor. A returned array is then valid only until the next call (buildDecoderLm copies or
   * writes it at once).
   */
  reuseBuffer?: boolean;
}

/** Random weights for `config`: LayerNorm scales 1 and shifts 0, everything else ~N(0, 0.02) (residual outputs smaller). */
export function randomDecoderLm(config: DecoderLmConfig, seed = 1, options: RandomWeightOptions = {}): WeightSource {
  const c = resolveConfig(config);
  let scratch: Float32Array | undefined;
  return (name, shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    if (options.reuseBuffer && (!scratch || scratch.length < size))
      scratch = new Float32Array(Math.max(size, ...decoderWeightSpecs(c).map((s) => elementCount(s.shape))));
    const out = options.reuseBuffer ? scratch!.subarray(0, size).fill(0) : new Float32Array(size);
    const isNorm = name.includes(".ln_") || name.startsWith("model.norm.");
    if (isNorm) return name.endsWith(".weight") ? out.fill(1) : out;
    const residual = name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight");
    const std = name.endsWith(".bias") ? 0.01 : residual ? 0.02 / Math.sqrt(2 * c.layers) : 0.02;
    return fillNormal(out, std, tensorSeed(name, seed));
  };
}

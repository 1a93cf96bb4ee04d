// Streaming comparison of one output across two models: cosine similarity, max and mean absolute error, and top-1
// agreement (argmax over the last axis), accumulated in float64 sample by sample so no output is kept.
import { fromHalfBits } from "../data/typed-tensor";
import type { OutputMetrics } from "./types";

/** A tensor as onnxruntime returns it (or as TensorData holds it). */
export interface NumericTensor {
  type: string;
  dims: readonly number[];
  data: unknown;
}

/** The elements of a numeric tensor as numbers: float32/float64 arrays as they are, other types converted. */
export function numbersOf(t: NumericTensor): ArrayLike<number> {
  const data = t.data;
  if (data instanceof Float32Array || data instanceof Float64Array) return data;
  if (t.type === "float16" && data instanceof Uint16Array) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = fromHalfBits(data[i]);
    return out;
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
    return out;
  }
  if (ArrayBuffer.isView(data) && "length" in data) return data as unknown as ArrayLike<number>;
  if (Array.isArray(data)) return Float64Array.from(data.map(Number));
  throw new Error(`tensor of type ${t.type} holds no numbers`);
}

const FLOAT_TYPES = new Set(["float32", "float16", "float64", "bfloat16"]);

function argmax(x: ArrayLike<number>, start: number, length: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let j = 0; j < length; j++) {
    const v = x[start + j];
    if (v > bestValue || (best === -1 && !Number.isNaN(v))) {
      best = j;
      bestValue = v;
    }
  }
  return best;
}

export class OutputAccumulator {
  private dot = 0;
  private normA = 0;
  private normB = 0;
  private sumAbs = 0;
  private maxAbs = 0;
  private elements = 0;
  private nonFinite = 0;
  private positions = 0;
  private agree = 0;
  private lastAxis = 0;
  private shape: number[] | undefined;
  private problem: string | undefined;

  constructor(
    readonly name: string,
    private readonly withTop1 = true,
  ) {}

  /** Adds one sample's output of both models (a: original, b: optimized). */
  add(a: NumericTensor, b: NumericTensor): void {
    if (this.problem) return;
    const shapeA = [...a.dims];
    this.shape ??= shapeA;
    if (shapeA.length !== b.dims.length || shapeA.some((d, i) => d !== b.dims[i])) {
      this.problem = `shapes differ: original [${shapeA.join(", ")}], optimized [${b.dims.join(", ")}]`;
      return;
    }
    const x = numbersOf(a);
    const y = numbersOf(b);
    const n = x.length;
    for (let i = 0; i < n; i++) {
      const p = x[i];
      const q = y[i];
      if (!Number.isFinite(p) || !Number.isFinite(q)) {
        this.nonFinite++;
        continue;
      }
      this.dot += p * q;
      this.normA += p * p;
      this.normB += q * q;
      const d = Math.abs(p - q);
      this.sumAbs += d;
      if (d > this.maxAbs) this.maxAbs = d;
      this.elements++;
    }
    const last = shapeA.length > 0 ? shapeA[shapeA.length - 1] : 1;
    this.lastAxis = last;
    if (this.withTop1 && last >= 2) {
      for (let start = 0; start + last <= n; start += last) {
        this.positions++;
        if (argmax(x, start, last) === argmax(y, start, last)) this.agree++;
      }
    }
  }

  result(): OutputMetrics {
    const bothZero = this.normA === 0 && this.normB === 0;
    const cosine = bothZero
      ? 1
      : this.normA === 0 || this.normB === 0
        ? 0
        : this.dot / Math.sqrt(this.normA * this.normB);
    const base: OutputMetrics = {
      name: this.name,
      shape: this.shape ?? [],
      elements: this.elements,
      // rounding can put the quotient a hair above 1
      cosine: Math.min(1, Math.max(-1, cosine)),
      maxAbsError: this.maxAbs,
      meanAbsError: this.elements > 0 ? this.sumAbs / this.elements : 0,
      top1Agreement: this.withTop1 && this.lastAxis >= 2 && this.positions > 0 ? this.agree / this.positions : null,
      positions: this.positions,
      nonFinite: this.nonFinite,
    };
    if (this.problem)
      return { ...base, cosine: 0, maxAbsError: 0, meanAbsError: 0, top1Agreement: null, problem: this.problem };
    return base;
  }
}

/**
 * Signal-to-quantization-noise ratio of one tensor, accumulated over samples: 10·log10(Σ ref² / Σ (ref − q)²).
 */
export class SqnrAccumulator {
  private signal = 0;
  private noise = 0;
  private maxAbs = 0;
  private sumAbs = 0;
  elements = 0;
  problem: string | undefined;

  add(ref: NumericTensor, q: NumericTensor): void {
    if (this.problem) return;
    if (ref.type !== q.type && !(FLOAT_TYPES.has(ref.type) && FLOAT_TYPES.has(q.type))) {
      this.problem = `element types differ: float ${ref.type}, quantized ${q.type} (the tensor of this name is not the node's real-valued output in both models)`;
      return;
    }
    if (ref.dims.length !== q.dims.length || ref.dims.some((d, i) => d !== q.dims[i])) {
      this.problem = `shapes differ: float [${ref.dims.join(", ")}], quantized [${q.dims.join(", ")}]`;
      return;
    }
    const x = numbersOf(ref);
    const y = numbersOf(q);
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - y[i];
      this.signal += x[i] * x[i];
      this.noise += d * d;
      const a = Math.abs(d);
      this.sumAbs += a;
      if (a > this.maxAbs || Number.isNaN(a)) this.maxAbs = a;
    }
    this.elements += x.length;
  }

  result(): { sqnrDb: number; maxAbs: number; meanAbs: number } {
    return {
      sqnrDb: 10 * Math.log10(this.signal / this.noise),
      maxAbs: this.maxAbs,
      meanAbs: this.elements > 0 ? this.sumAbs / this.elements : 0,
    };
  }
}

// Deterministic synthetic input data: a seeded PRNG per input (seed and input name), so the same plan gives
// the same bytes on every machine, and adding an input does not change the data of the others.
import { EdgeError } from "../errors";
import { type Dtype, type TensorData, allocate, elementCount, isFloatDtype, writeNumber } from "../data/typed-tensor";
import type { Fill, TensorValue } from "./plan";

/** mulberry32: a small, fast 32-bit PRNG with good statistical quality for test data. Returns [0, 1). */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a hash of a string, to derive one seed per input. */
export function hashString(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function inputSeed(seed: number, inputName: string): number {
  return hashString(`${seed}\u0000${inputName}`);
}

export interface SyntheticSpec {
  name: string;
  dtype: Dtype;
  shape: number[];
  fill?: Fill;
  range?: [number, number];
  mean?: number;
  std?: number;
  value?: TensorValue;
}

export function defaultRange(dtype: Dtype): [number, number] {
  return isFloatDtype(dtype) ? [0, 1] : dtype === "bool" ? [0, 1] : [0, 10];
}

function flatten(value: TensorValue, out: (number | boolean)[]): (number | boolean)[] {
  if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else out.push(value);
  return out;
}

/**
 * A tensor of `spec.shape` filled with `spec.value`, or by `spec.fill`: "uniform" (floats in [lo, hi), integers
 * in [lo, hi] inclusive, bools true with probability 1/2), "normal" (Box-Muller; rounded for integers), "zeros", "ones".
 */
export function syntheticTensor(spec: SyntheticSpec, seed: number): TensorData {
  const count = elementCount(spec.shape);
  const data = allocate(spec.dtype, count);
  const result = { dtype: spec.dtype, shape: [...spec.shape], data };
  const num = (v: number | boolean) => (typeof v === "boolean" ? (v ? 1 : 0) : v);
  const fill = spec.fill ?? "uniform";
  if (spec.value !== undefined || fill === "zeros" || fill === "ones") {
    const values = flatten(spec.value ?? (fill === "ones" ? 1 : 0), []);
    if (Array.isArray(spec.value) && values.length !== count) {
      throw new EdgeError(
        "run/input",
        `input "${spec.name}": value has ${values.length} elements but shape [${spec.shape.join(", ")}] needs ${count}`,
      );
    }
    for (let i = 0; i < count; i++) writeNumber(data, spec.dtype, i, num(values.length === 1 ? values[0] : values[i]));
    return result;
  }
  const rng = createRng(inputSeed(seed, spec.name));
  if (fill === "normal") {
    const mu = spec.mean ?? 0;
    const sigma = spec.std ?? 1;
    const round = !isFloatDtype(spec.dtype);
    for (let i = 0; i < count; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - rng()));
      const theta = 2 * Math.PI * rng();
      const a = mu + sigma * r * Math.cos(theta);
      const b = mu + sigma * r * Math.sin(theta);
      writeNumber(data, spec.dtype, i, round ? Math.round(a) : a);
      if (i + 1 < count) writeNumber(data, spec.dtype, i + 1, round ? Math.round(b) : b);
    }
    return result;
  }
  const [lo, hi] = spec.range ?? defaultRange(spec.dtype);
  if (!(hi >= lo)) throw new EdgeError("run/input", `input "${spec.name}": range [${lo}, ${hi}] is empty`);
  if (spec.dtype === "bool") {
    for (let i = 0; i < count; i++) data[i] = rng() < 0.5 ? 1 : 0;
  } else if (isFloatDtype(spec.dtype)) {
    const span = hi - lo;
    for (let i = 0; i < count; i++) writeNumber(data, spec.dtype, i, lo + span * rng());
  } else {
    const low = Math.ceil(lo);
    const span = Math.floor(hi) - low + 1;
    if (span <= 0) throw new EdgeError("run/input", `input "${spec.name}": range [${lo}, ${hi}] holds no integer`);
    for (let i = 0; i < count; i++) writeNumber(data, spec.dtype, i, low + Math.floor(rng() * span));
  }
  return result;
}

// int8-static's automatic mixed precision: which activations stay 8-bit, which move to 16 bits (com.microsoft
// Q/DQ) and which stay float. Tensors read by a LayerNormalization (or its decomposed ReduceMean/Sub form) always
// stay float; the others are ranked by their SQNR and moved up a ladder (the worst first to 16 bits, then the worst
// first to float with their producer) by a binary search for the fewest moves whose trial model keeps the target
// cosine on the calibration samples.
import type { GraphProto, ModelProto } from "onnx-buf";
import { scopes } from "../graph/edit";

/** One tensor the search may move, with the planned node (index) that produces it, if any. */
export interface Unit {
  tensor: string;
  producer?: number;
  sqnr: number;
}

export interface PrecisionChoice {
  /** Tensors with 16-bit activations. */
  wide: Set<string>;
  /** Tensors left float. */
  float: Set<string>;
  /** Planned nodes (by index) left float entirely, weight included, with the reason. */
  floatNodes: Map<number, string>;
  /** The tensors in `float` because a LayerNormalization reads them (or they are inside one). */
  normalized: Set<string>;
}

export const SENSITIVE = "kept in float: sensitivity";
export const LAYER_NORM = "kept in float: its output feeds a LayerNormalization";

/**
 * Tensors normalized by a LayerNormalization: its input, or x in the decomposed form ReduceMean(x) … Sub(x, mean),
 * together with the centred x − mean (squared for the variance and divided: 8 bits there cost the whole norm).
 */
export function layerNormInputs(model: ModelProto): Set<string> {
  const found = new Set<string>();
  const visit = (graph: GraphProto) => {
    const means = new Map<string, string>();
    for (const node of graph.node) {
      if (node.opType === "LayerNormalization" || node.opType === "SimplifiedLayerNormalization")
        found.add(node.input[0]);
      if (node.opType === "ReduceMean") means.set(node.output[0], node.input[0]);
    }
    for (const node of graph.node) {
      if (node.opType !== "Sub") continue;
      const x = means.get(node.input[1]);
      if (x !== undefined && x === node.input[0]) found.add(x).add(node.output[0]);
    }
  };
  for (const scope of scopes(model)) visit(scope.graph);
  return found;
}

export function copyChoice(c: PrecisionChoice): PrecisionChoice {
  return {
    wide: new Set(c.wide),
    float: new Set(c.float),
    floatNodes: new Map(c.floatNodes),
    normalized: c.normalized,
  };
}

/** `base` with the first `floats` units float (with their producers) and the next `wides` at 16 bits. */
export function mix(base: PrecisionChoice, units: Unit[], floats: number, wides: number): PrecisionChoice {
  const c = copyChoice(base);
  for (let i = floats; i < Math.min(units.length, floats + wides); i++) c.wide.add(units[i].tensor);
  for (let i = 0; i < Math.min(floats, units.length); i++) {
    const u = units[i];
    c.float.add(u.tensor);
    if (u.producer !== undefined) c.floatNodes.set(u.producer, SENSITIVE);
  }
  return c;
}

/** The choice at rung `k` of the ladder over `units` (worst first): k ≤ n moves k to 16 bits; above, all are 16-bit and k − n are float. */
export function rung(base: PrecisionChoice, units: Unit[], k: number, hasWide: boolean): PrecisionChoice {
  const n = units.length;
  if (!hasWide) return mix(base, units, Math.min(k, n), 0);
  const floats = Math.max(0, k - n);
  return mix(base, units, floats, Math.min(k, n) - floats);
}

export interface SearchResult {
  choice: PrecisionChoice;
  k: number;
  cosine: number;
  /** Cosine of the all-default (rung 0) trial. */
  initial: number;
  trials: number;
  reached: boolean;
}

/** The lowest rung whose trial keeps `target` (binary search; rung 0 tried first). */
export async function searchLadder(
  base: PrecisionChoice,
  units: Unit[],
  hasWide: boolean,
  target: number,
  evaluate: (c: PrecisionChoice) => Promise<number>,
): Promise<SearchResult> {
  // The last rung would leave every unit float: stop one short, so something is still quantized.
  const top = Math.max(0, (hasWide ? 2 * units.length : units.length) - 1);
  let trials = 0;
  const scores = new Map<number, number>();
  const score = async (k: number) => {
    let s = scores.get(k);
    if (s === undefined) {
      s = await evaluate(rung(base, units, k, hasWide));
      trials++;
      scores.set(k, s);
    }
    return s;
  };
  const initial = await score(0);
  if (initial >= target || top === 0)
    return {
      choice: rung(base, units, 0, hasWide),
      k: 0,
      cosine: initial,
      initial,
      trials,
      reached: initial >= target,
    };
  let lo = 0;
  let hi = top;
  // Rungs grow fast at first: try 1, 4, 16, … before bisecting, since few tensors often carry most of the error;
  // the bisection stops within 1/16 of the answer, as a few tensors more or less barely change the model.
  for (let k = 1; k < top; k *= 4) {
    if ((await score(k)) >= target) {
      hi = k;
      break;
    }
    lo = k;
  }
  while (hi - lo > Math.max(1, Math.floor(hi / 16))) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await score(mid)) >= target) hi = mid;
    else lo = mid;
  }
  let cosine = await score(hi);
  let choice = rung(base, units, hi, hasWide);
  // Past the 16-bit half of the ladder every unit is 16-bit: with the float ones fixed, bring back to 8 bits as many
  // of the rest (the least sensitive) as the target allows.
  const floats = hasWide ? hi - units.length : 0;
  if (floats > 0 && cosine >= target) {
    let lo = -1;
    let hiWide = units.length - floats;
    while (hiWide - lo > Math.max(1, Math.floor(hiWide / 16))) {
      const mid = Math.floor((lo + hiWide) / 2);
      const c = mix(base, units, floats, mid);
      const s = await evaluate(c);
      trials++;
      if (s >= target) [hiWide, cosine, choice] = [mid, s, c];
      else lo = mid;
    }
  }
  return { choice, k: hi, cosine, initial, trials, reached: cosine >= target };
}

// The entropy calibration threshold: the clipping point of |x| whose quantized histogram loses the least
// information (Kullback–Leibler divergence) against the clipped float histogram — the method TensorRT made known.
// For each candidate threshold (a bin edge from `levels` bins up to the whole histogram):
//   P = the histogram up to the threshold, with everything beyond it added to its last bin (clipping);
//   Q = the same bins merged into `levels` groups and spread back evenly over the bins that were non-zero in P
//       (what quantizing to `levels` levels keeps);
// and the threshold with the smallest KL(P ‖ Q) wins.

/** Probability given to a bin Q leaves empty where P is not, so the divergence stays finite. */
const EPSILON = 1e-4;

/**
 * The |x| threshold (a bin edge, in the histogram's units) chosen from `counts` (equal bins over [0, top]).
 * `levels` is the number of quantized magnitude levels (128 for 8-bit, 256 beyond). `step` is the distance between
 * candidate edges, in bins (default: about 240 candidates, every 8th edge of a 2048-bin histogram — the search costs
 * O(bins) per candidate, and many tensors are calibrated).
 */
export function entropyThreshold(
  counts: ArrayLike<number>,
  top: number,
  levels = 128,
  step = Math.max(1, Math.floor((counts.length - levels) / 240)),
): number {
  const bins = counts.length;
  if (bins <= levels) return top;
  const prefix = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) prefix[i + 1] = prefix[i] + counts[i];
  const total = prefix[bins];
  if (total === 0) return top;
  let best = Infinity;
  let bestEdge = bins;
  const expanded = new Float64Array(bins);
  for (let edge = levels; edge <= bins; edge = edge < bins && edge + step > bins ? bins : edge + step) {
    const kept = prefix[edge];
    const outliers = total - kept;
    // Q: per group, its sum spread over the bins P has non-zero (P's non-zero pattern equals the histogram's, plus
    // the last bin when it received outliers).
    for (let g = 0; g < levels; g++) {
      const start = Math.floor((g * edge) / levels);
      const end = Math.floor(((g + 1) * edge) / levels);
      let nonZero = 0;
      for (let j = start; j < end; j++) if (counts[j] > 0 || (j === edge - 1 && outliers > 0)) nonZero++;
      const share = nonZero > 0 ? (prefix[end] - prefix[start]) / nonZero : 0;
      for (let j = start; j < end; j++) expanded[j] = counts[j] > 0 || (j === edge - 1 && outliers > 0) ? share : 0;
    }
    // KL(P ‖ Q) with P normalized by `total` (outliers folded in) and Q by `kept` (Q's mass).
    let divergence = 0;
    for (let j = 0; j < edge; j++) {
      const p = (j === edge - 1 ? counts[j] + outliers : counts[j]) / total;
      if (p === 0) continue;
      const q = kept > 0 && expanded[j] > 0 ? expanded[j] / kept : EPSILON;
      divergence += p * Math.log(p / q);
    }
    if (divergence < best) {
      best = divergence;
      bestEdge = edge;
    }
  }
  return (bestEdge * top) / bins;
}

// Perplexity of a language model on token windows: for each window, the negative log-likelihood of every next
// token under the logits of the position before it (log-softmax computed stably in float64), averaged over all
// predicted tokens; perplexity = exp(mean NLL). Accumulated window by window, so no logits are kept.
import { EdgeError } from "../errors";
import { type NumericTensor, numbersOf } from "./output-metrics";
import type { PerplexityFigures } from "./types";

/** NLL of ids[t+1] under logits row t, for t = 0 … L−2, summed. `logits` is [1, L, V] (or [L, V]). */
export function windowNll(
  logits: NumericTensor,
  ids: ArrayLike<number>,
  where: { file?: string } = {},
): { sum: number; count: number } {
  const dims = logits.dims;
  const length = ids.length;
  const vocab = dims[dims.length - 1];
  const rows = dims.length >= 2 ? dims[dims.length - 2] : 0;
  if (dims.length < 2 || rows !== length || (dims.length === 3 && dims[0] !== 1) || dims.length > 3) {
    throw new EdgeError(
      "run/failed",
      `logits have shape [${dims.join(", ")}], expected [1, ${length}, vocab] for a window of ${length} tokens`,
      where,
      "perplexity needs logits for every position of the window",
    );
  }
  const x = numbersOf(logits);
  let sum = 0;
  for (let t = 0; t + 1 < length; t++) {
    const target = ids[t + 1];
    if (!Number.isInteger(target) || target < 0 || target >= vocab) {
      throw new EdgeError(
        "run/input",
        `token id ${target} is outside the model's vocabulary of ${vocab}`,
        where,
        "use the tokenizer the model was trained with",
      );
    }
    const start = t * vocab;
    let max = -Infinity;
    for (let j = 0; j < vocab; j++) if (x[start + j] > max) max = x[start + j];
    let sumExp = 0;
    for (let j = 0; j < vocab; j++) sumExp += Math.exp(x[start + j] - max);
    sum += max + Math.log(sumExp) - x[start + target];
  }
  return { sum, count: Math.max(0, length - 1) };
}

export class NllAccumulator {
  private sum = 0;
  count = 0;

  add(part: { sum: number; count: number }): void {
    this.sum += part.sum;
    this.count += part.count;
  }

  result(): PerplexityFigures {
    const meanNll = this.count > 0 ? this.sum / this.count : NaN;
    return { meanNll, perplexity: Math.exp(meanNll) };
  }
}

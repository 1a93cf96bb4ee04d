// Language models exported with a KV cache (Hugging Face's decoder-with-past layout: input_ids, attention_mask,
// past_key_values.N.key/value → logits, present.N.*): what a run feeds the inputs a recipe does not describe. The
// cache is empty (its past-length dim bound to 0), the attention mask all ones over past + new tokens, and the batch
// and sequence dims follow input_ids, instead of a guessed size of 1 and random masks. The layout itself is
// recognized in engine/onnx/decoder-layout.ts.
import type { DecoderLayout } from "../onnx/decoder-layout";

/** The size of a dim written as a sum of names ("past_sequence_length + sequence_length"), when every name is bound. */
export function dimExpression(dim: string, dims: Record<string, number>): number | undefined {
  const parts = dim.split("+").map((p) => p.trim());
  if (parts.length < 2) return undefined;
  let sum = 0;
  for (const part of parts) {
    const size = /^\d+$/.test(part) ? Number(part) : dims[part];
    if (size === undefined) return undefined;
    sum += size;
  }
  return sum;
}

/**
 * Dim bindings (and fill rules) for a decoder's cache and mask, given the input_ids shape the run feeds and the
 * inputs it already has a spec or dataset tensors for. `dims` is not modified.
 */
export function decoderDefaults(
  layout: DecoderLayout,
  idsShape: number[],
  dims: Record<string, number>,
  described: Set<string>,
): { dims: Record<string, number>; maskOnes: boolean; note?: string } {
  const out = { ...dims };
  const idsDims = layout.inputIds.dims ?? [];
  idsDims.forEach((d, i) => {
    if (typeof d === "string" && !(d in out) && idsShape[i] !== undefined) out[d] = idsShape[i];
  });
  const cacheDescribed = layout.past.some((p) => described.has(p.name));
  let note: string | undefined;
  if (layout.pastDim && !(layout.pastDim in out) && !cacheDescribed) {
    out[layout.pastDim] = 0;
    note = `language model with a KV cache: feeding an empty cache (${layout.pastDim} = 0)`;
  }
  const mask = layout.attentionMask;
  const maskOnes = Boolean(mask && !described.has(mask.name));
  if (mask && maskOnes) {
    for (const d of mask.dims ?? []) {
      if (typeof d === "string" && !(d in out)) {
        const size = dimExpression(d, out);
        if (size !== undefined) out[d] = size;
      }
    }
    note = `${note ?? "language model"}${note ? " and" : ":"} an all-ones attention_mask`;
  }
  return { dims: out, maskOnes, note };
}

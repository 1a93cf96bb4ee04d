// Recognizes a language model exported with a KV cache (Hugging Face's decoder-with-past layout: input_ids,
// attention_mask, past_key_values.N.key/value → logits, present.N.*) from its signature. A fact about the model's
// inputs, so it lives with the signature: the recipe check names such inputs, and the runner decides what to feed
// them (engine/run/decoder-feeds.ts).
import type { ModelSignature, TensorSignature } from "./signature";

export interface DecoderLayout {
  inputIds: TensorSignature;
  attentionMask?: TensorSignature;
  past: TensorSignature[];
  /** The symbolic dim of the cache's length (axis 2 of the past tensors), when the model names one. */
  pastDim?: string;
}

const PAST = /^past_key_values\.\d+\.(key|value)$|^past\.\d+\.(key|value)$|^past_key_values\.\d+$/;

/** The decoder-with-past layout of a model's inputs, or undefined when it is not one. */
export function decoderLayout(signature: ModelSignature): DecoderLayout | undefined {
  const inputIds = signature.inputs.find((i) => i.name === "input_ids");
  const past = signature.inputs.filter((i) => PAST.test(i.name));
  if (!inputIds || past.length === 0) return undefined;
  const pastDims = new Set(past.map((p) => p.dims?.[2]).filter((d): d is string => typeof d === "string"));
  return {
    inputIds,
    attentionMask: signature.inputs.find((i) => i.name === "attention_mask"),
    past,
    pastDim: pastDims.size === 1 ? [...pastDims][0] : undefined,
  };
}

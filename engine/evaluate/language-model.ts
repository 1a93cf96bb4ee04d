// Language models in the layout Hugging Face exports use: inputs `input_ids`, optionally `attention_mask`,
// `position_ids` and `past_key_values.N.key/value`; output `logits` [batch, sequence, vocab]. Detection, and the
// feeds of one token window: batch 1, an empty past (its sequence axis of size 0) and an all-ones attention mask.
import { EdgeError } from "../errors";
import { type Dtype, type Sample, type TensorData, allocate, isDtype, writeNumber } from "../data/typed-tensor";
import type { ModelSignature, TensorSignature } from "../onnx/signature";

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;
const OPTIONAL_INPUTS = new Set(["attention_mask", "position_ids"]);

export interface LanguageModel {
  idsDtype: Dtype;
  /** The vocabulary size when the model fixes the last dim of `logits`. */
  vocabSize?: number;
  attentionMask?: Dtype;
  positionIds?: Dtype;
  /** Past inputs with the shape they are fed (the sequence axis, rank − 2, is 0). */
  past: { name: string; dtype: Dtype; shape: number[] }[];
}

function intDtype(input: TensorSignature): Dtype | undefined {
  return input.dtype === "int64" || input.dtype === "int32" ? input.dtype : undefined;
}

/** The shape of an empty past: batch 1, the sequence axis (rank − 2) 0, every other dim fixed by the model. */
function emptyPastShape(input: TensorSignature): number[] | undefined {
  const dims = input.dims;
  if (!dims || dims.length < 3) return undefined;
  const seqAxis = dims.length - 2;
  const shape: number[] = [];
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i];
    if (i === 0) shape.push(1);
    else if (i === seqAxis) shape.push(0);
    else if (typeof d === "number" && d > 0) shape.push(d);
    else return undefined;
  }
  return shape;
}

/**
 * The model as a language model, or undefined when its signature is not that layout. A model with past inputs whose
 * head count or head size is not fixed is reported as a `run/input` error (no empty past can be made for it).
 */
export function detectLanguageModel(
  signature: ModelSignature,
  where: { file?: string } = {},
): LanguageModel | undefined {
  const ids = signature.inputs.find((i) => i.name === "input_ids");
  const logits = signature.outputs.find((o) => o.name === "logits");
  if (!ids || !logits) return undefined;
  const idsDtype = intDtype(ids);
  if (!idsDtype) return undefined;
  const lm: LanguageModel = { idsDtype, past: [] };
  for (const input of signature.inputs) {
    if (input.name === "input_ids") continue;
    if (OPTIONAL_INPUTS.has(input.name)) {
      const dtype = intDtype(input);
      if (!dtype) return undefined;
      if (input.name === "attention_mask") lm.attentionMask = dtype;
      else lm.positionIds = dtype;
      continue;
    }
    if (!PAST.test(input.name)) return undefined;
    if (!isDtype(input.dtype)) return undefined;
    const shape = emptyPastShape(input);
    if (!shape) {
      throw new EdgeError(
        "run/input",
        `input "${input.name}" has dims [${(input.dims ?? []).map((d) => d ?? "?").join(", ")}]: an empty past needs every dim but batch (0) and sequence (rank − 2) fixed`,
        where,
        "export the model with fixed head count and head size",
      );
    }
    lm.past.push({ name: input.name, dtype: input.dtype, shape });
  }
  const vocab = logits.dims?.[logits.dims.length - 1];
  if (typeof vocab === "number" && vocab > 0) lm.vocabSize = vocab;
  return lm;
}

function intTensor(dtype: Dtype, shape: number[], value: (i: number) => number): TensorData {
  const count = shape.reduce((a, b) => a * b, 1);
  const data = allocate(dtype, count);
  for (let i = 0; i < count; i++) writeNumber(data, dtype, i, value(i));
  return { dtype, shape, data };
}

/** The complete feeds of one window of token ids: batch 1, an empty past, an all-ones mask, positions 0…L−1. */
export function windowSample(lm: LanguageModel, ids: ArrayLike<number>): Sample {
  const length = ids.length;
  const sample: Sample = { input_ids: intTensor(lm.idsDtype, [1, length], (i) => ids[i]) };
  if (lm.attentionMask) sample.attention_mask = intTensor(lm.attentionMask, [1, length], () => 1);
  if (lm.positionIds) sample.position_ids = intTensor(lm.positionIds, [1, length], (i) => i);
  for (const p of lm.past) sample[p.name] = { dtype: p.dtype, shape: [...p.shape], data: allocate(p.dtype, 0) };
  return sample;
}

/** A sample of token ids only (input_ids, optionally attention_mask): a window to complete with windowSample. */
export function isTokenSample(sample: Sample): boolean {
  return (
    sample.input_ids !== undefined && Object.keys(sample).every((k) => k === "input_ids" || k === "attention_mask")
  );
}

/** The token ids of a sample's `input_ids`, one array per row (the last axis is the sequence). */
export function idsRows(t: TensorData): number[][] {
  const length = t.shape.length > 0 ? t.shape[t.shape.length - 1] : 1;
  const rows: number[][] = [];
  for (let start = 0; start + length <= t.data.length && length > 0; start += length) {
    const row: number[] = [];
    for (let j = 0; j < length; j++) row.push(Number(t.data[start + j]));
    rows.push(row);
  }
  return rows;
}

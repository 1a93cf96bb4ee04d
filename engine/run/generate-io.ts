// The inputs and outputs of a generation (generate.ts) for a decoder with a KV cache (engine/onnx/decoder-layout.ts):
// which input takes the token ids, the mask, the positions and each cache tensor, which output gives the logits
// and each `present.*` tensor that goes back as the next step's past, the empty cache of a prefill, the greedy
// choice of the next token, and random prompts. Tensors are made once where they can be: the all-ones mask is one
// buffer whose views grow with the cache.
import { EdgeError } from "../errors";
import { decoderLayout } from "../onnx/decoder-layout";
import type { ModelSignature, TensorSignature } from "../onnx/signature";
import type { Ort } from "./ort";
import { syntheticTensor } from "./synthetic";

type OrtTensor = InstanceType<Ort["Tensor"]>;

export interface GenerateIo {
  inputIds: { name: string; dtype: "int64" | "int32" };
  mask?: { name: string; dtype: "int64" | "int32" };
  positionIds?: { name: string; dtype: "int64" | "int32" };
  /** Each cache input with the output that feeds it on the next step, and its [batch 1, heads, 0, headDim] shape. */
  cache: { input: string; output: string; dtype: "float32" | "float16"; emptyShape: number[] }[];
  logits: string;
}

const INT_TYPES = new Set(["int64", "int32"]);

/** The present.* output of a past input: past_key_values.0.key → present.0.key, past.0.key → present.0.key. */
function presentName(past: string): string {
  return past.replace(/^past_key_values\./, "present.").replace(/^past\./, "present.");
}

function intInput(t: TensorSignature | undefined, what: string, modelPath: string) {
  if (!t) return undefined;
  if (!INT_TYPES.has(t.dtype))
    throw new EdgeError(
      "model/unsupported",
      `generate: input \`${t.name}\` (${what}) is ${t.dtype}, not int64 or int32`,
      {
        file: modelPath,
      },
    );
  return { name: t.name, dtype: t.dtype as "int64" | "int32" };
}

/** How to feed a decoder with a KV cache; a `model/unsupported` error when the model is not one generate can run. */
export function generateIo(
  signature: ModelSignature,
  modelPath: string,
  dims: Record<string, number> = {},
): GenerateIo {
  const where = { file: modelPath };
  const layout = decoderLayout(signature);
  if (!layout)
    throw new EdgeError(
      "model/unsupported",
      "generate needs a language model with a KV cache (inputs input_ids and past_key_values.N.key/value), and this model is not one",
      where,
      "export the model with its cache (e.g. optimum's `--task text-generation-with-past`)",
    );
  const outputs = new Set(signature.outputs.map((o) => o.name));
  const logits = signature.outputs.find((o) => o.name === "logits")?.name;
  if (!logits) throw new EdgeError("model/unsupported", "generate needs an output named `logits`", where);
  const known = new Set([layout.inputIds.name, layout.attentionMask?.name, ...layout.past.map((p) => p.name)]);
  const positions = signature.inputs.find((i) => i.name === "position_ids");
  if (positions) known.add(positions.name);
  const extra = signature.inputs.filter((i) => !known.has(i.name));
  if (extra.length)
    throw new EdgeError(
      "model/unsupported",
      `generate cannot feed input${extra.length > 1 ? "s" : ""} ${extra.map((i) => `\`${i.name}\``).join(", ")} of this language model (it feeds input_ids, attention_mask, position_ids and the cache)`,
      where,
    );
  const cache = layout.past.map((p) => {
    const output = presentName(p.name);
    if (!outputs.has(output))
      throw new EdgeError(
        "model/unsupported",
        `generate: the model has no output \`${output}\` for its cache input \`${p.name}\``,
        where,
      );
    if (p.dtype !== "float32" && p.dtype !== "float16")
      throw new EdgeError(
        "model/unsupported",
        `generate: cache input \`${p.name}\` is ${p.dtype}, not float32 or float16`,
        where,
      );
    const d = p.dims ?? [];
    const size = (dim: number | string | null | undefined) =>
      typeof dim === "number" ? dim : typeof dim === "string" ? dims[dim] : undefined;
    const heads = size(d[1]);
    const headDim = size(d[3]);
    if (d.length !== 4 || heads === undefined || headDim === undefined)
      throw new EdgeError(
        "model/unsupported",
        `generate: cache input \`${p.name}\` should be [batch, heads, past, head_dim] with known heads and head_dim, not [${d.join(", ")}]`,
        where,
        "give the symbolic dims' sizes under `compile.fixed_shapes`",
      );
    return { input: p.name, output, dtype: p.dtype as "float32" | "float16", emptyShape: [1, heads, 0, headDim] };
  });
  return {
    inputIds: intInput(layout.inputIds, "token ids", modelPath)!,
    mask: intInput(layout.attentionMask, "attention mask", modelPath),
    positionIds: intInput(positions, "positions", modelPath),
    cache,
    logits,
  };
}

/** Makes the tensors of one generation's steps; the mask and position buffers hold `maxLength` positions. */
export class GenerateFeeds {
  private readonly ones: BigInt64Array | Int32Array | undefined;
  private readonly positions: BigInt64Array | Int32Array | undefined;

  constructor(
    private readonly ort: Ort,
    private readonly io: GenerateIo,
    maxLength: number,
  ) {
    if (io.mask)
      this.ones = io.mask.dtype === "int64" ? new BigInt64Array(maxLength).fill(1n) : new Int32Array(maxLength).fill(1);
    if (io.positionIds) {
      const big = io.positionIds.dtype === "int64";
      const p = big ? new BigInt64Array(maxLength) : new Int32Array(maxLength);
      for (let i = 0; i < maxLength; i++) p[i] = (big ? BigInt(i) : i) as never;
      this.positions = p;
    }
  }

  /** The prefill's feeds: `ids` with an empty cache. */
  prefill(ids: readonly number[]): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    for (const c of this.io.cache)
      feeds[c.input] = new this.ort.Tensor(
        c.dtype,
        c.dtype === "float32" ? new Float32Array(0) : new Uint16Array(0),
        c.emptyShape,
      );
    this.setTokens(feeds, ids, 0);
    return feeds;
  }

  /**
   * A decode step's feeds: `token` after a cache of `past` positions, whose tensors are the previous step's
   * `present.*` outputs as they are (no copy). A new object each step, dropped with the step: a cache kept alive
   * past its step holds megabytes of onnxruntime's output buffers, and V8 then collects more often.
   */
  decode(token: number, past: number, previous: Record<string, OrtTensor>): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    for (const c of this.io.cache) feeds[c.input] = previous[c.output];
    this.setTokens(feeds, [token], past);
    return feeds;
  }

  private setTokens(feeds: Record<string, OrtTensor>, ids: readonly number[], past: number): void {
    const { ort, io } = this;
    const total = past + ids.length;
    feeds[io.inputIds.name] =
      io.inputIds.dtype === "int64"
        ? new ort.Tensor(
            "int64",
            ids.length === 1 ? BigInt64Array.of(BigInt(ids[0])) : BigInt64Array.from(ids, BigInt),
            [1, ids.length],
          )
        : new ort.Tensor("int32", Int32Array.from(ids), [1, ids.length]);
    if (io.mask && this.ones)
      feeds[io.mask.name] = new ort.Tensor(io.mask.dtype, this.ones.subarray(0, total), [1, total]);
    if (io.positionIds && this.positions)
      feeds[io.positionIds.name] = new ort.Tensor(io.positionIds.dtype, this.positions.subarray(past, total), [
        1,
        ids.length,
      ]);
  }
}

/** The id of the largest logit at the last position of logits [1, sequence, vocab] (the first of equal ones). */
export function argmaxLast(logits: OrtTensor): number {
  const dims = logits.dims;
  const vocab = dims[dims.length - 1];
  if (logits.type !== "float32")
    throw new EdgeError("model/unsupported", `generate: logits are ${logits.type}; only float32 logits are read`);
  const data = logits.data as Float32Array;
  const offset = data.length - vocab;
  let best = 0;
  let max = data[offset];
  for (let i = 1; i < vocab; i++) {
    const v = data[offset + i];
    if (v > max) {
      max = v;
      best = i;
    }
  }
  return best;
}

/** A random prompt of `length` ids in [range[0], range[1]], the same for the same seed and length. */
export function syntheticPrompt(length: number, range: [number, number], seed: number): number[] {
  const t = syntheticTensor({ name: `prompt:${length}`, dtype: "int64", shape: [length], range }, seed);
  return Array.from(t.data as BigInt64Array, Number);
}

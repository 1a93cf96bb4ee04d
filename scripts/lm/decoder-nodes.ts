// The node structure of a GPT-style decoder-only LM in the layout of Hugging Face ONNX exports: embeddings and
// positions from the past length, a causal mask combined with attention_mask, pre-LayerNorm blocks with a KV cache,
// exact (Erf) GELU MLPs, a final LayerNorm and the lm_head MatMul. Weights are referenced by initializer name only.
import { type NodeProto, type ValueInfoProto } from "onnx-buf";
import { type ResolvedDecoderLmConfig } from "./decoder-config";
import { DT, node, smallTensor, valueInfo } from "./graph-parts";

/** Added to the attention scores of masked positions (the float16 minimum, so an fp16 conversion keeps it finite). */
export const MASK_VALUE = -65504;

export const DIMS = {
  batch: "batch",
  sequence: "sequence_length",
  past: "past_sequence_length",
  total: "past_sequence_length + sequence_length",
} as const;

export interface DecoderNodes {
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
}

export function decoderNodes(c: ResolvedDecoderLmConfig): DecoderNodes {
  const nodes: NodeProto[] = [];
  const headDim = c.hidden / c.heads;
  /** Adds a node named `name` whose outputs are `<name>_output_<i>`; returns its first output. */
  const add = (
    name: string,
    op: string,
    inputs: string[],
    attrs: Parameters<typeof node>[4] = {},
    outputs?: string[],
  ): string => {
    const outs = outputs ?? [`${name}_output_0`];
    nodes.push(node(name, op, inputs, outs, attrs));
    return outs[0];
  };
  const constInt = (name: string, values: number[], dims: number[] = [values.length]) =>
    add(name, "Constant", [], { value: smallTensor("", dims, values, DT.INT64) });
  const constFloat = (name: string, value: number) =>
    add(name, "Constant", [], { value: smallTensor("", [], [value], DT.FLOAT) });

  // Lengths: the past length comes from the first layer's cache, as in Hugging Face exports.
  const pastLen = add("/model/Shape_past", "Shape", ["past_key_values.0.key"], { start: 2, end: 3 });
  const seqLen = add("/model/Shape_sequence", "Shape", ["input_ids"], { start: 1, end: 2 });
  const totalLen = add("/model/Add_total", "Add", [pastLen, seqLen]);
  const pastScalar = add("/model/Squeeze_past", "Squeeze", [pastLen]);
  const totalScalar = add("/model/Squeeze_total", "Squeeze", [totalLen]);
  const zero = add("/model/Constant_zero", "Constant", [], { value: smallTensor("", [], [0], DT.INT64) });
  const one = add("/model/Constant_one", "Constant", [], { value: smallTensor("", [], [1], DT.INT64) });
  const positions = add("/model/Range_positions", "Range", [pastScalar, totalScalar, one]);

  // Embeddings.
  const tokens = add("/model/embed_tokens/Gather", "Gather", ["model.embed_tokens.weight", "input_ids"], { axis: 0 });
  let positionEmbeddings: string;
  if (c.positions === "learned") {
    positionEmbeddings = add("/model/embed_positions/Gather", "Gather", ["model.embed_positions.weight", positions], {
      axis: 0,
    });
  } else {
    // [seq, 1] × [1, hidden/2] angles, then concat(sin, cos) → [seq, hidden].
    const half = c.hidden / 2;
    const invFreq = Array.from({ length: half }, (_, i) => Math.pow(10000, (-2 * i) / c.hidden));
    const freq = add("/model/embed_positions/Constant_inv_freq", "Constant", [], {
      value: smallTensor("", [1, half], invFreq, DT.FLOAT),
    });
    const posFloat = add("/model/embed_positions/Cast", "Cast", [positions], { to: DT.FLOAT });
    const posCol = add("/model/embed_positions/Unsqueeze", "Unsqueeze", [
      posFloat,
      constInt("/model/embed_positions/Constant_axes", [1]),
    ]);
    const angles = add("/model/embed_positions/MatMul", "MatMul", [posCol, freq]);
    const sin = add("/model/embed_positions/Sin", "Sin", [angles]);
    const cos = add("/model/embed_positions/Cos", "Cos", [angles]);
    positionEmbeddings = add("/model/embed_positions/Concat", "Concat", [sin, cos], { axis: -1 });
  }
  let x = add("/model/embed/Add", "Add", [tokens, positionEmbeddings]);

  // Attention bias [batch, 1, seq, total]: 0 where key position ≤ query position and attention_mask is 1, else MASK_VALUE.
  const keyPositions = add("/model/mask/Range_keys", "Range", [zero, totalScalar, one]);
  const queryColumn = add("/model/mask/Unsqueeze_queries", "Unsqueeze", [
    positions,
    constInt("/model/mask/Constant_axes_1", [1]),
  ]);
  const causal = add("/model/mask/LessOrEqual", "LessOrEqual", [keyPositions, queryColumn]);
  const maskBool = add("/model/mask/Cast", "Cast", ["attention_mask"], { to: DT.BOOL });
  const mask4 = add("/model/mask/Unsqueeze_mask", "Unsqueeze", [
    maskBool,
    constInt("/model/mask/Constant_axes_12", [1, 2]),
  ]);
  const allowed = add("/model/mask/And", "And", [causal, mask4]);
  const bias = add("/model/mask/Where", "Where", [
    allowed,
    constFloat("/model/mask/Constant_zero", 0),
    constFloat("/model/mask/Constant_min", MASK_VALUE),
  ]);

  const splitShape = constInt("/model/Constant_split_heads", [0, 0, c.heads, headDim]);
  const mergeShape = constInt("/model/Constant_merge_heads", [0, 0, c.hidden]);
  const scale = constFloat("/model/Constant_scale", 1 / Math.sqrt(headDim));
  const half = constFloat("/model/Constant_half", 0.5);
  const oneF = constFloat("/model/Constant_one_float", 1);
  const sqrt2 = constFloat("/model/Constant_sqrt2", Math.SQRT2);

  const layerNorm = (path: string, input: string, weight: string) =>
    add(`${path}/LayerNormalization`, "LayerNormalization", [input, `${weight}.weight`, `${weight}.bias`], {
      axis: -1,
      epsilon: { float: c.epsilon },
    });
  const linear = (path: string, input: string, weight: string) =>
    add(`${path}/Add`, "Add", [add(`${path}/MatMul`, "MatMul", [input, `${weight}.weight`]), `${weight}.bias`]);

  for (let i = 0; i < c.layers; i++) {
    const p = `/model/layers.${i}`;
    const w = `model.layers.${i}.`;
    const h = layerNorm(`${p}/ln_1`, x, `${w}ln_1`);
    const heads = (name: "q_proj" | "k_proj" | "v_proj") => {
      const y = linear(`${p}/attn/${name}`, h, `${w}attn.${name}`);
      const r = add(`${p}/attn/${name}/Reshape`, "Reshape", [y, splitShape]);
      return add(`${p}/attn/${name}/Transpose`, "Transpose", [r], { perm: [0, 2, 1, 3] });
    };
    const q = heads("q_proj");
    const k = add(`${p}/attn/Concat_key`, "Concat", [`past_key_values.${i}.key`, heads("k_proj")], { axis: 2 }, [
      `present.${i}.key`,
    ]);
    const v = add(`${p}/attn/Concat_value`, "Concat", [`past_key_values.${i}.value`, heads("v_proj")], { axis: 2 }, [
      `present.${i}.value`,
    ]);
    const kT = add(`${p}/attn/Transpose_key`, "Transpose", [k], { perm: [0, 1, 3, 2] });
    const scores = add(`${p}/attn/Mul_scale`, "Mul", [add(`${p}/attn/MatMul_scores`, "MatMul", [q, kT]), scale]);
    const probs = add(`${p}/attn/Softmax`, "Softmax", [add(`${p}/attn/Add_mask`, "Add", [scores, bias])], { axis: -1 });
    const context = add(`${p}/attn/MatMul_context`, "MatMul", [probs, v]);
    const merged = add(`${p}/attn/Reshape_merge`, "Reshape", [
      add(`${p}/attn/Transpose_merge`, "Transpose", [context], { perm: [0, 2, 1, 3] }),
      mergeShape,
    ]);
    x = add(`${p}/Add_attn`, "Add", [x, linear(`${p}/attn/o_proj`, merged, `${w}attn.o_proj`)]);

    const h2 = layerNorm(`${p}/ln_2`, x, `${w}ln_2`);
    const up = linear(`${p}/mlp/up_proj`, h2, `${w}mlp.up_proj`);
    const erf = add(`${p}/mlp/act/Erf`, "Erf", [add(`${p}/mlp/act/Div`, "Div", [up, sqrt2])]);
    const gelu = add(`${p}/mlp/act/Mul_half`, "Mul", [
      add(`${p}/mlp/act/Mul`, "Mul", [up, add(`${p}/mlp/act/Add`, "Add", [erf, oneF])]),
      half,
    ]);
    x = add(`${p}/Add_mlp`, "Add", [x, linear(`${p}/mlp/down_proj`, gelu, `${w}mlp.down_proj`)]);
  }
  const final = layerNorm("/model/norm", x, "model.norm");
  add("/lm_head/MatMul", "MatMul", [final, "lm_head.weight"], {}, ["logits"]);

  const { batch, sequence, past, total } = DIMS;
  const cache = (prefix: string, len: string) =>
    Array.from({ length: c.layers }, (_, i) =>
      ["key", "value"].map((kind) => valueInfo(`${prefix}.${i}.${kind}`, DT.FLOAT, [batch, c.heads, len, headDim])),
    ).flat();
  return {
    nodes,
    inputs: [
      valueInfo("input_ids", DT.INT64, [batch, sequence]),
      valueInfo("attention_mask", DT.INT64, [batch, total]),
      ...cache("past_key_values", past),
    ],
    outputs: [valueInfo("logits", DT.FLOAT, [batch, sequence, c.vocab]), ...cache("present", total)],
  };
}

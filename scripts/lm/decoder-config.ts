// The configuration of a GPT-style decoder-only LM, its weight tensors (names, shapes, file order) and parameter count.
// One source of truth for decoder-graph.ts, the random weight source and (mirrored by hand) scripts/lm/train.py.
import { EdgeError } from "../../engine/errors";

export interface DecoderLmConfig {
  layers: number;
  hidden: number;
  heads: number;
  vocab: number;
  /** MLP inner size (default 4 × hidden). */
  mlp?: number;
  /** Positions the learned position table holds (default 2048); sinusoidal positions have no table. */
  context?: number;
  /** Learned position embeddings (GPT-2) or fixed sinusoidal ones computed in the graph (default "learned"). */
  positions?: "learned" | "sinusoidal";
  /** LayerNormalization epsilon (default 1e-5). */
  epsilon?: number;
}

export type ResolvedDecoderLmConfig = Required<DecoderLmConfig>;

export interface WeightSpec {
  name: string;
  shape: number[];
}

export function resolveConfig(config: DecoderLmConfig): ResolvedDecoderLmConfig {
  const c: ResolvedDecoderLmConfig = {
    layers: config.layers,
    hidden: config.hidden,
    heads: config.heads,
    vocab: config.vocab,
    mlp: config.mlp ?? 4 * config.hidden,
    context: config.context ?? 2048,
    positions: config.positions ?? "learned",
    epsilon: config.epsilon ?? 1e-5,
  };
  for (const key of ["layers", "hidden", "heads", "vocab", "mlp", "context"] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1)
      throw new EdgeError("cli/usage", `the LM config's ${key} must be a positive integer, not ${c[key]}`);
  }
  if (c.hidden % c.heads !== 0)
    throw new EdgeError(
      "cli/usage",
      `hidden (${c.hidden}) must be a multiple of heads (${c.heads})`,
      {},
      "pick heads that divide hidden, e.g. hidden / 64",
    );
  if (c.positions === "sinusoidal" && c.hidden % 2 !== 0)
    throw new EdgeError("cli/usage", `sinusoidal positions need an even hidden size, not ${c.hidden}`);
  return c;
}

/** Every weight tensor of the model, in the order they are written. MatMul weights are [in, out]. */
export function decoderWeightSpecs(config: DecoderLmConfig): WeightSpec[] {
  const c = resolveConfig(config);
  const { hidden: h, mlp: m, vocab: v } = c;
  const specs: WeightSpec[] = [{ name: "model.embed_tokens.weight", shape: [v, h] }];
  if (c.positions === "learned") specs.push({ name: "model.embed_positions.weight", shape: [c.context, h] });
  for (let i = 0; i < c.layers; i++) {
    const p = `model.layers.${i}.`;
    specs.push({ name: `${p}ln_1.weight`, shape: [h] }, { name: `${p}ln_1.bias`, shape: [h] });
    for (const proj of ["q_proj", "k_proj", "v_proj", "o_proj"]) {
      specs.push({ name: `${p}attn.${proj}.weight`, shape: [h, h] }, { name: `${p}attn.${proj}.bias`, shape: [h] });
    }
    specs.push({ name: `${p}ln_2.weight`, shape: [h] }, { name: `${p}ln_2.bias`, shape: [h] });
    specs.push({ name: `${p}mlp.up_proj.weight`, shape: [h, m] }, { name: `${p}mlp.up_proj.bias`, shape: [m] });
    specs.push({ name: `${p}mlp.down_proj.weight`, shape: [m, h] }, { name: `${p}mlp.down_proj.bias`, shape: [h] });
  }
  specs.push(
    { name: "model.norm.weight", shape: [h] },
    { name: "model.norm.bias", shape: [h] },
    { name: "lm_head.weight", shape: [h, v] },
  );
  return specs;
}

export function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Parameters of the model (every weight element). */
export function parameterCount(config: DecoderLmConfig): number {
  return decoderWeightSpecs(config).reduce((sum, s) => sum + elementCount(s.shape), 0);
}

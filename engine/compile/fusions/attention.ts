// Attention into com.microsoft MultiHeadAttention (ONNX Runtime's contrib op; inputs query, key, value, bias,
// key_padding_mask, attention_bias, past_key, past_value; outputs output, present_key, present_value). The pattern
// is the one decoder exports write per head group, anchored at the Softmax:
//
//   q3 → Reshape [·,·,N,D] → Transpose(0,2,1,3) ─┐                      (q3, k3, v3: the projections' outputs,
//   k3 → Reshape → Transpose(0,2,1,3) → [Concat(past_key, ·, axis 2)] → Transpose(0,1,3,2) ─┤   whatever made them:
//                                                         MatMul → [Mul|Div by a constant] → [Add bias] → Softmax(-1)
//   v3 → Reshape → Transpose → [Concat(past_value, ·)] ──────────────────────────────── MatMul(probs, ·) →
//   Transpose(0,2,1,3) → Reshape [·,·,N·D] → output
//
// The additive mask (causal and padding, as the model computes it) becomes attention_bias unchanged, so masked
// positions get exactly the bias the model adds; a constant factor on q, on kᵀ or on the scores becomes `scale`.
// The Concat outputs keep their names as present_key / present_value, so the model's inputs and outputs stay the
// same. A pattern that does not hold is reported with the first reason it fails.
import type { NodeProto } from "onnx-buf";
import { attrInt, attrInts } from "../../onnx/node-attrs";
import { attr } from "../../onnx/node-build";
import { contribNode, type GraphIndex } from "./graph-index";
import type { Fusion, FusionMatch } from "./fusion-types";

const same = (a: number[] | undefined, b: number[]) => !!a && a.length === b.length && a.every((x, i) => x === b[i]);

type Step<T> = { ok: true; value: T } | { ok: false; reason: string };
const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

interface Heads {
  /** The [batch, sequence, hidden] tensor split into heads. */
  input: string;
  heads: number;
  headSize: number;
  nodes: NodeProto[];
}

/** `Transpose(0,2,1,3)` of `Reshape(x, [·,·,N,D])`: x split into N heads of D. */
function splitHeads(ix: GraphIndex, name: string, what: string): Step<Heads> {
  const transpose = ix.producedBy(name, "Transpose");
  if (!transpose)
    return fail(`${what} is not a Transpose into heads (made by ${ix.producer.get(name)?.opType ?? "an input"})`);
  if (!same(attrInts(transpose, "perm"), [0, 2, 1, 3]))
    return fail(`${what}'s Transpose has perm [${attrInts(transpose, "perm")?.join(",") ?? ""}], not [0,2,1,3]`);
  const reshape = ix.producedBy(transpose.input[0], "Reshape");
  if (!reshape) return fail(`${what} is not split into heads by a Reshape`);
  const shape = ix.constantValues(reshape.input[1]);
  if (!shape || shape.length !== 4 || !(shape[2] > 0) || !(shape[3] > 0))
    return fail(`${what}'s Reshape target is not a constant [batch, sequence, heads, head size]`);
  if (attrInt(reshape, "allowzero", 0) !== 0) return fail(`${what}'s Reshape has allowzero`);
  const rank = ix.rank(reshape.input[0]);
  if (rank !== undefined && rank !== 3) return fail(`${what} before the split has rank ${rank}, not 3`);
  return {
    ok: true,
    value: { input: reshape.input[0], heads: shape[2], headSize: shape[3], nodes: [reshape, transpose] },
  };
}

interface Scaled {
  name: string;
  scale: number;
  nodes: NodeProto[];
}

/** Peels `Mul(x, c)` / `Div(x, c)` by scalar constants off `name`. */
function peelScale(ix: GraphIndex, name: string, what: string): Step<Scaled> {
  let scale = 1;
  const nodes: NodeProto[] = [];
  for (;;) {
    const mul = ix.producedBy(name, "Mul");
    const div = ix.producedBy(name, "Div");
    const node = mul ?? div;
    if (!node) return { ok: true, value: { name, scale, nodes } };
    const [a, b] = node.input;
    const cb = ix.scalar(b);
    const ca = mul ? ix.scalar(a) : undefined;
    if (cb !== undefined) {
      scale = mul ? scale * cb : scale / cb;
      name = a;
    } else if (ca !== undefined) {
      scale *= ca;
      name = b;
    } else {
      // A product of two computed tensors is not a scale; let the caller decide what it is.
      if (nodes.length === 0 && ix.producedBy(a, "MatMul") === undefined && ix.producedBy(b, "MatMul") === undefined)
        return { ok: true, value: { name, scale, nodes } };
      return fail(`${what} is scaled by a computed tensor, not a constant`);
    }
    nodes.push(node);
  }
}

interface Cache {
  heads: Heads;
  past?: string;
  /** The Concat with the past (its output is the present). */
  concat?: NodeProto;
}

/** `Concat(past, heads, axis 2)` or the heads alone. */
function withPast(ix: GraphIndex, name: string, what: string): Step<Cache> {
  const concat = ix.producedBy(name, "Concat");
  if (concat) {
    const axis = attrInt(concat, "axis", 0);
    if (concat.input.length !== 2 || (axis !== 2 && axis !== -2))
      return fail(`${what}'s Concat is not (past, new) along the sequence axis`);
    const heads = splitHeads(ix, concat.input[1], `the new ${what}`);
    if (!heads.ok) return heads;
    return { ok: true, value: { heads: heads.value, past: concat.input[0], concat } };
  }
  const heads = splitHeads(ix, name, what);
  return heads.ok ? { ok: true, value: { heads: heads.value } } : heads;
}

function matchAt(ix: GraphIndex, softmax: NodeProto, opset: number): Step<FusionMatch> {
  const axis = attrInt(softmax, "axis");
  if (!(axis === -1 || axis === 3 || (axis === undefined && opset >= 13)))
    return fail(`Softmax is over axis ${axis ?? 1}, not the last`);
  const removed: NodeProto[] = [softmax];

  // [Add(scores, bias)] → Softmax
  let scoresName = softmax.input[0];
  let bias = "";
  const add = ix.producedBy(scoresName, "Add");
  if (add) {
    const fromScores = (n: string) => {
      const p = ix.producer.get(n);
      return p && (p.opType === "Mul" || p.opType === "Div" || p.opType === "MatMul");
    };
    const [a, b] = add.input;
    const scoresFirst =
      fromScores(a) && !fromScores(b) ? true : fromScores(b) && !fromScores(a) ? false : fromScores(a);
    scoresName = scoresFirst ? a : b;
    bias = scoresFirst ? b : a;
    const rank = ix.rank(bias);
    if (rank !== undefined && rank !== 4)
      return fail(`the mask added to the scores has rank ${rank}; attention_bias must be 4-D`);
    removed.push(add);
  }

  // MatMul(q, kᵀ) → [Mul|Div by a constant]
  const post = peelScale(ix, scoresName, "the scores");
  if (!post.ok) return post;
  removed.push(...post.value.nodes);
  const scores = ix.producedBy(post.value.name, "MatMul");
  if (!scores)
    return fail(`the scores are not a MatMul (made by ${ix.producer.get(post.value.name)?.opType ?? "an input"})`);
  removed.push(scores);
  const qScaled = peelScale(ix, scores.input[0], "the query");
  if (!qScaled.ok) return qScaled;
  const kScaled = peelScale(ix, scores.input[1], "the key");
  if (!kScaled.ok) return kScaled;
  removed.push(...qScaled.value.nodes, ...kScaled.value.nodes);
  const scale = post.value.scale * qScaled.value.scale * kScaled.value.scale;

  const q = splitHeads(ix, qScaled.value.name, "the query");
  if (!q.ok) return q;
  const kT = ix.producedBy(kScaled.value.name, "Transpose");
  if (!kT || !same(attrInts(kT, "perm"), [0, 1, 3, 2])) return fail("the key is not transposed with perm [0,1,3,2]");
  removed.push(kT);
  const k = withPast(ix, kT.input[0], "key");
  if (!k.ok) return k;

  // Softmax → MatMul(probs, v) → Transpose(0,2,1,3) → Reshape [·,·,N·D]
  const readers = ix.readers(softmax.output[0]);
  const context = readers.length === 1 && readers[0].opType === "MatMul" ? readers[0] : undefined;
  if (!context || context.input[0] !== softmax.output[0])
    return fail("the probabilities are not multiplied by the value");
  const v = withPast(ix, context.input[1], "value");
  if (!v.ok) return v;
  const merge = ix.readers(context.output[0]);
  const transpose = merge.length === 1 && merge[0].opType === "Transpose" ? merge[0] : undefined;
  if (!transpose || !same(attrInts(transpose, "perm"), [0, 2, 1, 3]))
    return fail("the context is not transposed back with perm [0,2,1,3]");
  const after = ix.readers(transpose.output[0]);
  const reshape = after.length === 1 && after[0].opType === "Reshape" ? after[0] : undefined;
  const mergeShape = reshape ? ix.constantValues(reshape.input[1]) : undefined;
  const { heads, headSize } = q.value;
  if (
    !reshape ||
    !mergeShape ||
    mergeShape.length !== 3 ||
    !(mergeShape[2] === heads * headSize || mergeShape[2] === -1)
  )
    return fail(`the context is not merged back by a Reshape to [batch, sequence, ${heads * headSize}]`);
  removed.push(context, transpose, reshape);

  for (const [what, h] of [
    ["key", k.value.heads],
    ["value", v.value.heads],
  ] as const) {
    if (h.heads !== heads || h.headSize !== headSize)
      return fail(`the ${what} has ${h.heads} heads of ${h.headSize}, the query ${heads} of ${headSize}`);
  }
  if (!k.value.past !== !v.value.past) return fail("only one of key and value is concatenated with a past");
  removed.push(...q.value.nodes, ...k.value.heads.nodes, ...v.value.heads.nodes);
  if (k.value.concat) removed.push(k.value.concat);
  if (v.value.concat) removed.push(v.value.concat);

  // Tensors the fused node produces again under their names: the output and the presents.
  const presentKey = k.value.concat?.output[0] ?? "";
  const presentValue = v.value.concat?.output[0] ?? "";
  const kept = new Set([reshape.output[0], presentKey, presentValue].filter(Boolean));
  const inside = new Set(removed);
  for (const node of removed) {
    for (const out of node.output) {
      if (!out || kept.has(out)) continue;
      if (ix.externalReads.has(out)) return fail(`"${out}" is a graph output or read by a subgraph`);
      const other = ix.readers(out).find((r) => !inside.has(r));
      if (other) return fail(`"${out}" is also read by ${other.name || other.opType}`);
    }
  }

  const name = ix.fresh(
    softmax.name ? softmax.name.replace(/Softmax[^/]*$/, "MultiHeadAttention") : "MultiHeadAttention",
  );
  const fused = contribNode(
    "MultiHeadAttention",
    name,
    [q.value.input, k.value.heads.input, v.value.heads.input, "", "", bias, k.value.past ?? "", v.value.past ?? ""],
    [reshape.output[0], presentKey, presentValue],
    [attr("num_heads", heads), attr("scale", scale, true), attr("unidirectional", 0)],
  );
  return { ok: true, value: { remove: removed, add: [fused] } };
}

export const attentionFusion: Fusion = {
  name: "MultiHeadAttention",
  anchors: (node) => node.opType === "Softmax" && (node.domain === "" || node.domain === "ai.onnx"),
  match(ix, node) {
    const opset = Number(ix.model.opsetImport.find((o) => o.domain === "" || o.domain === "ai.onnx")?.version ?? 0n);
    const m = matchAt(ix, node, opset);
    return m.ok ? m.value : m.reason;
  },
};

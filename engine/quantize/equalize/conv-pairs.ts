// Cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization Through Weight Equalization and Bias
// Correction"), an exact float rewrite int8-static makes before calibrating. For Conv₁ → [Relu | LeakyRelu |
// MaxPool]* → Conv₂, where each tensor in between has that one reader, output channel c of Conv₁ is divided by s_c
// (weights and bias) and the weights reading input channel c of Conv₂ are multiplied by s_c, with
// s_c = √(r₁_c / r₂_c) (r = the channel's largest |weight|), so both ranges become √(r₁_c·r₂_c). The ops in between
// are positively homogeneous (f(x/s) = f(x)/s for s > 0), so Conv₂'s output is unchanged; the tensors in between are
// scaled, so they are renamed `<name>_equalized` (the float model's tensor of the old name no longer matches).
// This balances channels whose ranges differ by orders of magnitude, which one scale per activation tensor and per
// output channel of a depthwise Conv's weight cannot represent.
import type { GraphProto, NodeProto } from "onnx-buf";
import { TensorProto_DataType as DT } from "onnx-buf";
import type { QuantizeContext } from "../graph/context";
import { countUses, findConstant, intAttr, type Scope, scopes } from "../graph/edit";
import { readFloatTensor } from "../graph/tensor-store";
import { floatTensor } from "./fold";

const standard = (node: NodeProto) => node.domain === "" || node.domain === "ai.onnx";
/** Ops with f(x·s) = f(x)·s for every s > 0, applied per channel. */
const homogeneous = new Set(["Relu", "LeakyRelu", "MaxPool", "Identity"]);

/** A Conv with constant float weight (and bias), its weights read into memory for the sweep. */
interface ConvWeights {
  node: NodeProto;
  dims: number[];
  weight: Float32Array;
  bias: Float32Array;
  changed: boolean;
}

/** The largest |w| per output channel (axis 0). */
function outputRanges(w: ConvWeights): Float64Array {
  const channels = w.dims[0];
  const inner = w.weight.length / channels;
  const r = new Float64Array(channels);
  for (let i = 0; i < w.weight.length; i++) {
    const c = Math.floor(i / inner);
    const v = Math.abs(w.weight[i]);
    if (v > r[c]) r[c] = v;
  }
  return r;
}

/** Input channel (of the whole Conv input) that weight row o, column j of a grouped Conv reads. */
function inputChannel(w: ConvWeights, group: number, o: number, j: number): number {
  const perGroupOut = w.dims[0] / group;
  return Math.floor(o / perGroupOut) * w.dims[1] + j;
}

/** The largest |w| per input channel of a (possibly grouped) Conv. */
function inputRanges(w: ConvWeights, group: number): Float64Array {
  const [out, perGroupIn] = w.dims;
  const kernel = w.weight.length / (out * perGroupIn);
  const r = new Float64Array(perGroupIn * group);
  for (let o = 0; o < out; o++)
    for (let j = 0; j < perGroupIn; j++) {
      const c = inputChannel(w, group, o, j);
      const base = (o * perGroupIn + j) * kernel;
      for (let k = 0; k < kernel; k++) {
        const v = Math.abs(w.weight[base + k]);
        if (v > r[c]) r[c] = v;
      }
    }
  return r;
}

/** Equalizes every Conv → (homogeneous ops) → Conv pair; returns the number of pairs equalized. */
export async function equalizeConvPairs(ctx: QuantizeContext, sweeps = 4): Promise<number> {
  let pairs = 0;
  for (const scope of scopes(ctx.model.proto)) pairs += await equalizeInGraph(ctx, scope, sweeps);
  return pairs;
}

async function equalizeInGraph(ctx: QuantizeContext, scope: Scope, sweeps: number): Promise<number> {
  const graph: GraphProto = scope.graph;
  const uses = countUses(ctx.model.proto);
  const readers = new Map<string, NodeProto[]>();
  for (const node of graph.node) for (const i of node.input) if (i) readers.set(i, [...(readers.get(i) ?? []), node]);
  const only = (name: string): NodeProto | undefined => {
    const r = readers.get(name);
    return uses.get(name) === 1 && r?.length === 1 && !graph.output.some((o) => o.name === name) ? r[0] : undefined;
  };
  const loaded = new Map<NodeProto, ConvWeights | undefined>();
  const load = async (node: NodeProto): Promise<ConvWeights | undefined> => {
    if (loaded.has(node)) return loaded.get(node);
    let found: ConvWeights | undefined;
    const wRef = findConstant(scope, node.input[1]);
    const bRef = node.input[2] ? findConstant(scope, node.input[2]) : undefined;
    const usable =
      node.opType === "Conv" &&
      standard(node) &&
      wRef?.tensor.dataType === DT.FLOAT &&
      wRef.tensor.dims.length >= 3 &&
      (!node.input[2] || bRef?.tensor.dataType === DT.FLOAT);
    if (usable) {
      const dims = wRef.tensor.dims.map(Number);
      const weight = await readFloatTensor(ctx.model, wRef.tensor);
      const bias = bRef ? await readFloatTensor(ctx.model, bRef.tensor) : new Float32Array(dims[0]);
      // Weights shared with another node cannot be rescaled for this pair alone.
      const shared =
        (uses.get(node.input[1]) ?? 0) > 1 ||
        (node.input[2] !== undefined && node.input[2] !== "" && (uses.get(node.input[2]) ?? 0) > 1);
      if (!shared && bias.length === dims[0]) found = { node, dims, weight, bias, changed: false };
    }
    loaded.set(node, found);
    return found;
  };

  // Pairs: Conv₁, the tensors between (renamed at the end), Conv₂.
  const found: { first: ConvWeights; between: NodeProto[]; second: ConvWeights }[] = [];
  for (const node of graph.node) {
    if (node.opType !== "Conv" || !standard(node)) continue;
    const first = await load(node);
    if (!first) continue;
    const between: NodeProto[] = [];
    let next = only(node.output[0]);
    while (
      next &&
      homogeneous.has(next.opType) &&
      standard(next) &&
      next.input[0] === (between.at(-1) ?? node).output[0] &&
      !(next.opType === "MaxPool" && next.output.length > 1 && next.output[1])
    ) {
      between.push(next);
      next = only(next.output[0]);
    }
    if (!next || next.opType !== "Conv" || next.input[0] !== (between.at(-1) ?? node).output[0]) continue;
    const second = await load(next);
    if (!second || second.dims[1] * intAttr(next, "group", 1) !== first.dims[0]) continue;
    found.push({ first, between, second });
  }
  if (found.length === 0) return 0;

  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (const { first, second } of found) {
      const group = intAttr(second.node, "group", 1);
      const r1 = outputRanges(first);
      const r2 = inputRanges(second, group);
      const s = new Float64Array(r1.length);
      for (let c = 0; c < s.length; c++) s[c] = r1[c] > 0 && r2[c] > 0 ? Math.sqrt(r1[c] / r2[c]) : 1;
      const inner = first.weight.length / first.dims[0];
      for (let i = 0; i < first.weight.length; i++) first.weight[i] /= s[Math.floor(i / inner)];
      for (let c = 0; c < first.bias.length; c++) first.bias[c] /= s[c];
      const [out, perGroupIn] = second.dims;
      const kernel = second.weight.length / (out * perGroupIn);
      for (let o = 0; o < out; o++)
        for (let j = 0; j < perGroupIn; j++) {
          const factor = s[inputChannel(second, group, o, j)];
          const base = (o * perGroupIn + j) * kernel;
          for (let k = 0; k < kernel; k++) second.weight[base + k] *= factor;
        }
      first.changed = second.changed = true;
    }
  }

  for (const w of loaded.values()) {
    if (!w?.changed) continue;
    const wName = ctx.names.fresh(`${w.node.input[1]}_equalized`);
    const bName = ctx.names.fresh(`${w.node.input[2] || `${w.node.name || "conv"}_bias`}_equalized`);
    graph.initializer.push(floatTensor(wName, w.dims, w.weight), floatTensor(bName, [w.dims[0]], w.bias));
    ctx.replaced.add(w.node.input[1]);
    if (w.node.input[2]) ctx.replaced.add(w.node.input[2]);
    w.node.input[1] = wName;
    w.node.input[2] = bName;
  }
  // The tensors between the pairs hold scaled values now: new names, so nothing compares them with the float model.
  const rename = new Map<string, string>();
  for (const { first, between } of found)
    for (const node of [first.node, ...between])
      if (!rename.has(node.output[0])) rename.set(node.output[0], ctx.names.fresh(`${node.output[0]}_equalized`));
  for (const node of graph.node) {
    node.output.forEach((o, i) => (node.output[i] = rename.get(o) ?? o));
    node.input.forEach((o, i) => (node.input[i] = rename.get(o) ?? o));
  }
  return found.length;
}

// Data-driven equalization of the activations read by depthwise Convs, an exact float rewrite int8-static makes
// after measuring per-channel ranges on the calibration samples. Where a depthwise Conv reads t = x·a (+ b), with a
// and b constants (PP-LCNetV3's learnable affine block after a HardSwish), channel c of t is divided by s_c =
// range_c / max range (a and b become per-channel constants a/s, b/s) and the Conv's weights of channel c multiplied
// by s_c; zero padding stays zero, so the Conv's output is unchanged. Every channel of t then spans the widest
// channel's range, and one scale per tensor serves them all. A depthwise Conv has one weight scale per channel, so
// its weights lose nothing. The rescaled tensors are renamed `<name>_equalized`.
import type { GraphProto, NodeProto } from "onnx-buf";
import { TensorProto_DataType as DT } from "onnx-buf";
import type { TensorRange } from "../calibrate/histogram";
import type { QuantizeContext } from "../graph/context";
import { floatTensor } from "./fold";
import { countUses, findConstant, intAttr, type Scope, scopes } from "../graph/edit";
import { readFloatTensor } from "../graph/tensor-store";

const standard = (node: NodeProto) => node.domain === "" || node.domain === "ai.onnx";

/** A tensor to equalize: the depthwise Conv reading it, and the Mul (and Add) with constants that make it. */
export interface ActivationSite {
  scope: Scope;
  tensor: string;
  conv: NodeProto;
  mul: NodeProto;
  add?: NodeProto;
}

/** The slot of a binary node's constant operand (one value, or one per channel of axis 1 of a 4-D tensor). */
function constantSlot(scope: Scope, node: NodeProto, channels: number): number | undefined {
  if (!standard(node) || node.input.length !== 2) return undefined;
  const refs = node.input.map((name) => findConstant(scope, name));
  if (refs.filter(Boolean).length !== 1) return undefined;
  const slot = refs[0] ? 0 : 1;
  const tensor = refs[slot]!.tensor;
  if (tensor.dataType !== DT.FLOAT) return undefined;
  const dims = tensor.dims.map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const padded = [...new Array<number>(Math.max(0, 4 - dims.length)).fill(1), ...dims];
  return count === 1 || (dims.length <= 4 && padded[1] === channels && count === channels) ? slot : undefined;
}

/** Depthwise Convs' inputs made by Mul(const) [→ Add(const)], each node with that one reader. */
export function activationSites(ctx: QuantizeContext): ActivationSite[] {
  const uses = countUses(ctx.model.proto);
  const sites: ActivationSite[] = [];
  for (const scope of scopes(ctx.model.proto)) {
    const graph: GraphProto = scope.graph;
    const producer = new Map<string, NodeProto>();
    for (const node of graph.node) for (const o of node.output) if (o) producer.set(o, node);
    const single = (name: string) => uses.get(name) === 1 && !graph.output.some((o) => o.name === name);
    for (const conv of graph.node) {
      if (conv.opType !== "Conv" || !standard(conv)) continue;
      const w = findConstant(scope, conv.input[1]);
      const group = intAttr(conv, "group", 1);
      if (
        !w ||
        w.tensor.dataType !== DT.FLOAT ||
        w.tensor.dims.length !== 4 ||
        Number(w.tensor.dims[1]) !== 1 ||
        group < 2 ||
        Number(w.tensor.dims[0]) !== group
      )
        continue;
      if ((uses.get(conv.input[1]) ?? 0) > 1) continue;
      const t = conv.input[0];
      if (!single(t)) continue;
      let made = producer.get(t);
      let add: NodeProto | undefined;
      const addSlot = made?.opType === "Add" ? constantSlot(scope, made, group) : undefined;
      if (made && addSlot !== undefined) {
        add = made;
        const x = add.input[1 - addSlot];
        made = single(x) ? producer.get(x) : undefined;
      }
      if (!made || made.opType !== "Mul" || constantSlot(scope, made, group) === undefined) continue;
      sites.push({ scope, tensor: t, conv, mul: made, add });
    }
  }
  return sites;
}

/** Rescales each site's channels to the widest one's range (from `ranges`); returns how many were rewritten. */
export async function equalizeActivations(
  ctx: QuantizeContext,
  sites: ActivationSite[],
  ranges: Map<string, TensorRange[]>,
): Promise<number> {
  let done = 0;
  for (const site of sites) {
    const r = ranges.get(site.tensor);
    const channels = intAttr(site.conv, "group", 1);
    if (!r || r.length !== channels) continue;
    const spans = r.map((x) => Math.max(Math.abs(x.lo), Math.abs(x.hi)));
    const widest = Math.max(...spans);
    if (!(widest > 0)) continue;
    // Channels that are (nearly) constant zero keep their scale rather than being blown up.
    const s = spans.map((span) => (span > widest * 1e-4 ? span / widest : 1));
    const rescale = async (node: NodeProto) => {
      const slot = constantSlot(site.scope, node, channels)!;
      const ref = findConstant(site.scope, node.input[slot])!;
      const values = await readFloatTensor(ctx.model, ref.tensor);
      const out = new Float32Array(channels);
      for (let c = 0; c < channels; c++) out[c] = (values.length === 1 ? values[0] : values[c]) / s[c];
      const name = ctx.names.fresh(`${node.input[slot]}_equalized`);
      site.scope.graph.initializer.push(floatTensor(name, [1, channels, 1, 1], out));
      ctx.replaced.add(node.input[slot]);
      node.input[slot] = name;
    };
    await rescale(site.mul);
    if (site.add) await rescale(site.add);
    const wRef = findConstant(site.scope, site.conv.input[1])!;
    const weight = await readFloatTensor(ctx.model, wRef.tensor);
    const kernel = weight.length / channels;
    for (let i = 0; i < weight.length; i++) weight[i] *= s[Math.floor(i / kernel)];
    const wName = ctx.names.fresh(`${site.conv.input[1]}_equalized`);
    site.scope.graph.initializer.push(floatTensor(wName, wRef.tensor.dims.map(Number), weight));
    ctx.replaced.add(site.conv.input[1]);
    site.conv.input[1] = wName;
    // The tensors between the Mul and the Conv hold scaled values now.
    const renamed = new Map<string, string>();
    for (const node of site.add ? [site.mul, site.add] : [site.mul])
      renamed.set(node.output[0], ctx.names.fresh(`${node.output[0]}_equalized`));
    for (const node of site.scope.graph.node) {
      node.output.forEach((o, i) => (node.output[i] = renamed.get(o) ?? o));
      node.input.forEach((o, i) => (node.input[i] = renamed.get(o) ?? o));
    }
    done++;
  }
  return done;
}

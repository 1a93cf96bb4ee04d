// An exact float rewrite int8-static makes before calibrating: a BatchNormalization (inference mode, constant
// parameters) that is the only reader of a Conv's output is folded into the Conv's weight and bias (y·a + c per
// output channel), so the quantized tensor is the normalized one and per-channel weight scales absorb the BN scale.
// The Conv takes the BN's output name, so quantized and float models still share that tensor name. (Folding the
// scalar Mul/Add "learnable affine" blocks of PP-LCNetV3 the same way was measured and made outputs worse; see
// test/quantize/fold-equalize.test.ts.)
import { create } from "@bufbuild/protobuf";
import {
  type GraphProto,
  type NodeProto,
  TensorProto_DataType as DT,
  type TensorProto,
  TensorProtoSchema,
} from "onnx-buf";
import { type QuantizeContext, selected } from "../graph/context";
import { countUses, type ConstantRef, findConstant, intAttr, type Scope, scopes } from "../graph/edit";
import { bytesOfView, readFloatTensor } from "../graph/tensor-store";

/** The per-output-channel affine y·scale + shift a folded node applies. */
type Affine = { scale: Float64Array; shift: Float64Array };

const standard = (node: NodeProto) => node.domain === "" || node.domain === "ai.onnx";

function floatFloat(value: number | undefined, fallback: number): number {
  return value === undefined || Number.isNaN(value) ? fallback : value;
}

/** A float32 constant of shape [channels] (a BatchNormalization parameter), in float64. */
async function channelVector(
  ctx: QuantizeContext,
  ref: ConstantRef | undefined,
  channels: number,
): Promise<Float64Array | undefined> {
  if (!ref || ref.tensor.dataType !== DT.FLOAT) return undefined;
  const dims = ref.tensor.dims.map(Number);
  if (dims.length !== 1 || dims[0] !== channels) return undefined;
  const out = Float64Array.from(await readFloatTensor(ctx.model, ref.tensor));
  return out.every(Number.isFinite) ? out : undefined;
}

/** The affine a node applies to its input `x` (channel axis 1), or undefined when it cannot be folded. */
async function affineOf(
  ctx: QuantizeContext,
  scope: Scope,
  node: NodeProto,
  x: string,
  channels: number,
): Promise<Affine | undefined> {
  if (!standard(node)) return undefined;
  const zeros = () => new Float64Array(channels);
  if (node.opType === "BatchNormalization") {
    if (node.input[0] !== x || node.output.slice(1).some(Boolean) || intAttr(node, "training_mode", 0) !== 0)
      return undefined;
    const [gamma, beta, mean, variance] = await Promise.all(
      node.input.slice(1, 5).map((name) => channelVector(ctx, findConstant(scope, name), channels)),
    );
    if (!gamma || !beta || !mean || !variance) return undefined;
    const eps = floatFloat(node.attribute.find((a) => a.name === "epsilon")?.f, 1e-5);
    const scale = zeros();
    const shift = zeros();
    for (let c = 0; c < channels; c++) {
      scale[c] = gamma[c] / Math.sqrt(variance[c] + eps);
      shift[c] = beta[c] - mean[c] * scale[c];
    }
    return { scale, shift };
  }
  return undefined;
}

/** A new inline float32 initializer. */
export function floatTensor(name: string, dims: number[], values: Float32Array): TensorProto {
  return create(TensorProtoSchema, {
    name,
    dataType: DT.FLOAT,
    dims: dims.map(BigInt),
    rawData: bytesOfView(values).slice(),
  });
}

/** Folds what follows each Conv into it; returns the number of nodes folded away. */
export async function foldIntoConvs(ctx: QuantizeContext): Promise<number> {
  let folded = 0;
  for (const scope of scopes(ctx.model.proto)) folded += await foldInGraph(ctx, scope);
  return folded;
}

async function foldInGraph(ctx: QuantizeContext, scope: Scope): Promise<number> {
  const graph: GraphProto = scope.graph;
  const uses = countUses(ctx.model.proto);
  const readers = new Map<string, NodeProto[]>();
  for (const node of graph.node) for (const i of node.input) if (i) readers.set(i, [...(readers.get(i) ?? []), node]);
  const removed = new Set<NodeProto>();
  let index = -1;
  for (const conv of graph.node) {
    index++;
    if (conv.opType !== "Conv" || !standard(conv) || !selected(ctx, conv, index)) continue;
    const wRef = findConstant(scope, conv.input[1]);
    if (!wRef || wRef.tensor.dataType !== DT.FLOAT) continue;
    const dims = wRef.tensor.dims.map(Number);
    const channels = dims[0];
    const bRef = conv.input[2] ? findConstant(scope, conv.input[2]) : undefined;
    if (conv.input[2] && (!bRef || bRef.tensor.dataType !== DT.FLOAT)) continue;
    let weight: Float64Array | undefined;
    let bias: Float64Array | undefined;
    let changed = false;
    for (;;) {
      const y = conv.output[0];
      const next = readers.get(y);
      if (uses.get(y) !== 1 || next?.length !== 1 || graph.output.some((o) => o.name === y)) break;
      const affine = await affineOf(ctx, scope, next[0], y, channels);
      if (!affine) break;
      if (!weight) {
        weight = Float64Array.from(await readFloatTensor(ctx.model, wRef.tensor));
        bias = bRef ? Float64Array.from(await readFloatTensor(ctx.model, bRef.tensor)) : new Float64Array(channels);
      }
      const inner = weight.length / channels;
      for (let c = 0; c < channels; c++) {
        for (let i = c * inner; i < (c + 1) * inner; i++) weight[i] *= affine.scale[c];
        bias![c] = bias![c] * affine.scale[c] + affine.shift[c];
      }
      conv.output[0] = next[0].output[0];
      removed.add(next[0]);
      changed = true;
    }
    if (!changed) continue;
    const wName = ctx.names.fresh(`${wRef.tensor.name}_folded`);
    const bName = ctx.names.fresh(`${bRef?.tensor.name ?? `${conv.name || "conv"}_bias`}_folded`);
    graph.initializer.push(
      floatTensor(wName, dims, Float32Array.from(weight!)),
      floatTensor(bName, [channels], Float32Array.from(bias!)),
    );
    ctx.replaced.add(conv.input[1]);
    if (conv.input[2]) ctx.replaced.add(conv.input[2]);
    conv.input[1] = wName;
    conv.input[2] = bName;
  }
  if (removed.size === 0) return 0;
  for (const node of removed) for (const i of node.input.slice(1)) if (i) ctx.replaced.add(i);
  graph.node = graph.node.filter((n) => !removed.has(n));
  return removed.size;
}

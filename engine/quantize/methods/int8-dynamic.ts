// int8-dynamic: weights quantized ahead of time, activations at run time. A MatMul (or Gemm, turned into one) with
// a constant [K, N] weight becomes DynamicQuantizeLinear(A) → MatMulInteger → Cast → Mul by scale_A × scale_W
// (per column when per-channel), the pattern onnxruntime fuses into DynamicQuantizeMatMul. A Conv becomes
// ConvInteger with uint8 weights (onnxruntime's CPU kernel takes only uint8 there) and a per-channel rescale.
// Each activation is quantized once however many nodes read it (q, k and v projections share one). Embedding
// tables (Gather from a constant 2-D table) are stored as int8 rows with a scale per row.
import { type AttributeProto, type NodeProto, TensorProto_DataType as DT } from "onnx-buf";
import { bytesOfView, readFloatTensor } from "../graph/tensor-store";
import { attr, makeNode, scopes, type Scope } from "../graph/edit";
import { addInitializer, checkAborted, kernelOutput, nodeName, type QuantizeContext, selected } from "../graph/context";
import { type Int8Type, quantizeInt8, releaseWeight } from "../kernels/arithmetic";
import { constantWeight, skip } from "../graph/weights";

const handled = new Set(["MatMul", "Gemm", "Conv", "Gather"]);

interface Activation {
  q: string;
  scale: string;
  zeroPoint: string;
}

export async function quantizeInt8Dynamic(ctx: QuantizeContext): Promise<void> {
  const work = [...scopes(ctx.model.proto)].flatMap((scope) =>
    scope.graph.node
      .map((node, index) => ({ scope, node, index }))
      .filter(({ node }) => handled.has(node.opType) && (node.domain === "" || node.domain === "ai.onnx")),
  );
  // New nodes are collected per scope and spliced in after the pass, so indices stay valid while working.
  const inserts = new Map<Scope, Map<number, NodeProto[]>>();
  const activations = new Map<Scope, Map<string, Activation>>();
  let done = 0;
  for (const { scope, node, index } of work) {
    checkAborted(ctx);
    ctx.onProgress?.({ done: done++, total: work.length, tensor: node.input[1] });
    if (!selected(ctx, node, index)) continue;
    const nodes =
      node.opType === "Conv"
        ? await conv(ctx, scope, node, index, activations)
        : node.opType === "Gather"
          ? await gather(ctx, scope, node, index)
          : await matmul(ctx, scope, node, index, activations);
    if (!nodes) continue;
    let perScope = inserts.get(scope);
    if (!perScope) inserts.set(scope, (perScope = new Map()));
    perScope.set(index, nodes);
    ctx.quantized.push({ node: nodeName(node, index), opType: node.opType, output: node.output[0] });
  }
  for (const [scope, replacements] of inserts) {
    scope.graph.node = scope.graph.node.flatMap((node, index) => replacements.get(index) ?? [node]);
  }
}

/** DynamicQuantizeLinear of `input`, made once per scope; returns its node when newly made. */
function quantizeActivation(
  ctx: QuantizeContext,
  scope: Scope,
  input: string,
  activations: Map<Scope, Map<string, Activation>>,
): { act: Activation; node?: NodeProto } {
  let perScope = activations.get(scope);
  if (!perScope) activations.set(scope, (perScope = new Map()));
  const known = perScope.get(input);
  if (known) return { act: known };
  const act = {
    q: ctx.names.fresh(`${input}_quantized`),
    scale: ctx.names.fresh(`${input}_scale`),
    zeroPoint: ctx.names.fresh(`${input}_zero_point`),
  };
  perScope.set(input, act);
  return {
    act,
    node: makeNode(
      "DynamicQuantizeLinear",
      [input],
      [act.q, act.scale, act.zeroPoint],
      ctx.names.fresh(`${input}_QuantizeLinear`),
    ),
  };
}

function weightOptions(ctx: QuantizeContext): {
  symmetric: boolean;
  type: Int8Type;
  perChannel: boolean;
  reduceRange: boolean;
} {
  return {
    symmetric: ctx.options.symmetric ?? true,
    type: ctx.options.weightType ?? "int8",
    perChannel: ctx.options.perChannel ?? true,
    reduceRange: ctx.options.reduceRange ?? false,
  };
}

async function matmul(
  ctx: QuantizeContext,
  scope: Scope,
  node: NodeProto,
  index: number,
  activations: Map<Scope, Map<string, Activation>>,
): Promise<NodeProto[] | undefined> {
  const gemm = node.opType === "Gemm";
  const weight = constantWeight(scope, node, 1);
  if (!weight.ok) return void skip(ctx, node, index, weight.reason);
  if (weight.dims.length !== 2)
    return void skip(ctx, node, index, `its weight has rank ${weight.dims.length}; only 2-D weights are quantized`);
  const transB = gemm ? intAttr(node, "transB") : 0;
  if (gemm) {
    const alpha = floatAttr(node, "alpha", 1);
    if (intAttr(node, "transA") !== 0) return void skip(ctx, node, index, "Gemm with transA = 1 is left in float");
    if (alpha !== 1) return void skip(ctx, node, index, `Gemm with alpha = ${alpha} is left in float`);
    if (node.input[2] && floatAttr(node, "beta", 1) !== 1)
      return void skip(ctx, node, index, "Gemm with beta ≠ 1 is left in float");
  }
  const [k, n] = transB ? [weight.dims[1], weight.dims[0]] : weight.dims;
  const opts = weightOptions(ctx);
  const key = `int8-matmul:${weight.ref.tensor.name}:${transB}:${JSON.stringify(opts)}`;
  let names = ctx.weightCache.get(key);
  if (!names) {
    let values = await readFloatTensor(ctx.model, weight.ref.tensor, nodeName(node, index), { staged: true });
    if (transB) {
      // The transposed copy is an array of its own: let the next weight be staged.
      const read = values;
      values = transpose(read, n, k);
      releaseWeight(read);
    }
    let q;
    try {
      q = quantizeInt8(values, k, n, {
        channelAxis: opts.perChannel ? "cols" : "none",
        symmetric: opts.symmetric,
        type: opts.type,
        reduceRange: opts.reduceRange,
        into:
          opts.type === "int8"
            ? kernelOutput(ctx, "int8", Int8Array, k * n)
            : kernelOutput(ctx, "uint8", Uint8Array, k * n),
      });
    } catch (e) {
      return void skip(
        ctx,
        node,
        index,
        `its weight "${weight.ref.tensor.name}" cannot be quantized: ${(e as Error).message}`,
      );
    }
    const base = weight.ref.tensor.name;
    const elem = opts.type === "int8" ? DT.INT8 : DT.UINT8;
    const channels = q.scales.length;
    const qName = ctx.names.fresh(`${base}_quantized`);
    const scaleName = ctx.names.fresh(`${base}_scale`);
    const zpName = ctx.names.fresh(`${base}_zero_point`);
    addInitializer(weight.ref, await ctx.store.make(qName, elem, [k, n], bytesOfView(q.data)));
    addInitializer(
      weight.ref,
      await ctx.store.make(scaleName, DT.FLOAT, channels > 1 ? [channels] : [], bytesOfView(q.scales)),
    );
    if (!(opts.symmetric && opts.type === "int8"))
      addInitializer(
        weight.ref,
        await ctx.store.make(zpName, elem, channels > 1 ? [channels] : [], bytesOfView(q.zeroPoints)),
      );
    names = [qName, scaleName, zpName];
    ctx.weightCache.set(key, names);
    ctx.weightCount++;
  }
  ctx.replaced.add(weight.ref.tensor.name);
  const [qName, scaleName, zpName] = names;
  const hasBias = gemm && Boolean(node.input[2]);
  // Symmetric int8 weights have zero points 0, the operator's default: leaving them out lets onnxruntime pick its
  // kernels for a zero B offset.
  const zeroPoint = opts.symmetric && opts.type === "int8" ? undefined : zpName;
  const { nodes, product, base } = integerOp(
    ctx,
    scope,
    node,
    activations,
    "MatMulInteger",
    qName,
    scaleName,
    zeroPoint,
    hasBias,
    [],
  );
  if (hasBias) nodes.push(makeNode("Add", [product, node.input[2]], [node.output[0]], ctx.names.fresh(`${base}_bias`)));
  return nodes;
}

async function conv(
  ctx: QuantizeContext,
  scope: Scope,
  node: NodeProto,
  index: number,
  activations: Map<Scope, Map<string, Activation>>,
): Promise<NodeProto[] | undefined> {
  const weight = constantWeight(scope, node, 1);
  if (!weight.ok) return void skip(ctx, node, index, weight.reason);
  if (weight.dims.length < 3)
    return void skip(ctx, node, index, `its weight has rank ${weight.dims.length}; Conv weights are [M, C/group, k…]`);
  const opts = weightOptions(ctx);
  // ConvInteger has one weight zero point: per-channel scales need symmetric weights (all zero points 128).
  let perChannel = opts.perChannel;
  if (perChannel && !opts.symmetric) {
    perChannel = false;
    ctx.warnings.push(
      `${nodeName(node, index)}: ConvInteger takes one weight zero point, so asymmetric Conv weights are quantized per tensor`,
    );
  }
  const m = weight.dims[0];
  const rest = weight.dims.slice(1).reduce((a, b) => a * b, 1);
  const key = `int8-conv:${weight.ref.tensor.name}:${perChannel}:${opts.symmetric}:${opts.reduceRange}`;
  let names = ctx.weightCache.get(key);
  if (!names) {
    const values = await readFloatTensor(ctx.model, weight.ref.tensor, nodeName(node, index), { staged: true });
    let q;
    try {
      q = quantizeInt8(values, m, rest, {
        channelAxis: perChannel ? "rows" : "none",
        symmetric: opts.symmetric,
        type: "uint8",
        reduceRange: opts.reduceRange,
        into: kernelOutput(ctx, "uint8", Uint8Array, m * rest),
      });
    } catch (e) {
      return void skip(
        ctx,
        node,
        index,
        `its weight "${weight.ref.tensor.name}" cannot be quantized: ${(e as Error).message}`,
      );
    }
    const base = weight.ref.tensor.name;
    const rank = weight.dims.length;
    const qName = ctx.names.fresh(`${base}_quantized`);
    const scaleName = ctx.names.fresh(`${base}_scale`);
    const zpName = ctx.names.fresh(`${base}_zero_point`);
    addInitializer(weight.ref, await ctx.store.make(qName, DT.UINT8, weight.dims, bytesOfView(q.data)));
    // Scales broadcast over the output [N, M, spatial…]: shape [M, 1, …] (or a scalar).
    const scaleDims = perChannel ? [m, ...new Array<number>(rank - 2).fill(1)] : [];
    addInitializer(weight.ref, await ctx.store.make(scaleName, DT.FLOAT, scaleDims, bytesOfView(q.scales)));
    addInitializer(weight.ref, await ctx.store.make(zpName, DT.UINT8, [], bytesOfView(q.zeroPoints.subarray(0, 1))));
    names = [qName, scaleName, zpName];
    ctx.weightCache.set(key, names);
    ctx.weightCount++;
  }
  ctx.replaced.add(weight.ref.tensor.name);
  const [qName, scaleName, zpName] = names;
  const out = node.output[0];
  const hasBias = Boolean(node.input[2]);
  const convAttrs = node.attribute.filter((a) =>
    ["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"].includes(a.name),
  );
  const { nodes, product, base } = integerOp(
    ctx,
    scope,
    node,
    activations,
    "ConvInteger",
    qName,
    scaleName,
    zpName,
    hasBias,
    convAttrs,
  );
  if (hasBias) {
    // The bias [M] broadcast over [N, M, spatial…] needs shape [M, 1, …].
    const shapeName = ctx.names.fresh(`${base}_bias_shape`);
    const shaped = ctx.names.fresh(`${base}_bias_reshaped`);
    const rank = weight.dims.length;
    const dims = new BigInt64Array([-1n, ...new Array<bigint>(rank - 2).fill(1n)]);
    addInitializer(
      { tensor: weight.ref.tensor, scope },
      await ctx.store.make(shapeName, DT.INT64, [rank - 1], bytesOfView(dims)),
    );
    nodes.push(makeNode("Reshape", [node.input[2], shapeName], [shaped], ctx.names.fresh(`${base}_bias_reshape`)));
    nodes.push(makeNode("Add", [product, shaped], [out], ctx.names.fresh(`${base}_bias`)));
  }
  return nodes;
}

/**
 * The integer form of a node: its activation quantized at run time (once per tensor), the integer operator, then
 * Cast and Mul by scale_A × scale_W. Writes the node's output, or `product` when a bias Add follows.
 */
function integerOp(
  ctx: QuantizeContext,
  scope: Scope,
  node: NodeProto,
  activations: Map<Scope, Map<string, Activation>>,
  opType: "MatMulInteger" | "ConvInteger",
  weight: string,
  weightScale: string,
  weightZeroPoint: string | undefined,
  hasBias: boolean,
  attrs: AttributeProto[],
): { nodes: NodeProto[]; product: string; base: string } {
  const out = node.output[0];
  const base = node.name || out;
  const { act, node: dql } = quantizeActivation(ctx, scope, node.input[0], activations);
  const integer = ctx.names.fresh(`${out}_int32`);
  const asFloat = ctx.names.fresh(`${out}_float`);
  const scale = ctx.names.fresh(`${out}_rescale`);
  const product = hasBias ? ctx.names.fresh(`${out}_${opType === "ConvInteger" ? "conv" : "matmul"}`) : out;
  const nodes: NodeProto[] = dql ? [dql] : [];
  const inputs = weightZeroPoint ? [act.q, weight, act.zeroPoint, weightZeroPoint] : [act.q, weight, act.zeroPoint];
  nodes.push(
    makeNode(opType, inputs, [integer], node.name || ctx.names.fresh(`${base}_${opType}`), attrs),
    makeNode("Cast", [integer], [asFloat], ctx.names.fresh(`${base}_cast`), [attr("to", DT.FLOAT)]),
    makeNode("Mul", [act.scale, weightScale], [scale], ctx.names.fresh(`${base}_scale_product`)),
    makeNode("Mul", [asFloat, scale], [product], ctx.names.fresh(`${base}_rescale`)),
  );
  return { nodes, product, base };
}

/**
 * A Gather of rows from a constant [vocab, hidden] table (an embedding) keeps the table in int8 with one scale per
 * row: Gather the int8 rows and their scales with the same indices, Cast, Mul. Gathers of computed data (shapes,
 * indices) are not embeddings and are left alone silently.
 */
async function gather(
  ctx: QuantizeContext,
  scope: Scope,
  node: NodeProto,
  index: number,
): Promise<NodeProto[] | undefined> {
  const weight = constantWeight(scope, node, 0);
  if (!weight.ok) return undefined;
  if (weight.dims.length !== 2 || intAttr(node, "axis") !== 0)
    return void skip(ctx, node, index, "only a Gather of rows (axis 0) from a 2-D table is quantized");
  const [rows, cols] = weight.dims;
  const key = `int8-rows:${weight.ref.tensor.name}`;
  let names = ctx.weightCache.get(key);
  if (!names) {
    const values = await readFloatTensor(ctx.model, weight.ref.tensor, nodeName(node, index), { staged: true });
    let q;
    try {
      q = quantizeInt8(values, rows, cols, {
        channelAxis: "rows",
        symmetric: true,
        type: "int8",
        into: kernelOutput(ctx, "int8", Int8Array, rows * cols),
      });
    } catch (e) {
      return void skip(
        ctx,
        node,
        index,
        `its table "${weight.ref.tensor.name}" cannot be quantized: ${(e as Error).message}`,
      );
    }
    const base = weight.ref.tensor.name;
    const qName = ctx.names.fresh(`${base}_quantized`);
    const scaleName = ctx.names.fresh(`${base}_row_scale`);
    addInitializer(weight.ref, await ctx.store.make(qName, DT.INT8, [rows, cols], bytesOfView(q.data)));
    addInitializer(weight.ref, await ctx.store.make(scaleName, DT.FLOAT, [rows, 1], bytesOfView(q.scales)));
    names = [qName, scaleName];
    ctx.weightCache.set(key, names);
    ctx.weightCount++;
  }
  ctx.replaced.add(weight.ref.tensor.name);
  const out = node.output[0];
  const base = node.name || out;
  const rowsQ = ctx.names.fresh(`${out}_int8`);
  const rowsF = ctx.names.fresh(`${out}_float`);
  const scales = ctx.names.fresh(`${out}_scale`);
  return [
    makeNode("Gather", [names[0], node.input[1]], [rowsQ], node.name || ctx.names.fresh(`${base}_Gather`), [
      attr("axis", 0),
    ]),
    makeNode("Gather", [names[1], node.input[1]], [scales], ctx.names.fresh(`${base}_scale_Gather`), [attr("axis", 0)]),
    makeNode("Cast", [rowsQ], [rowsF], ctx.names.fresh(`${base}_cast`), [attr("to", DT.FLOAT)]),
    makeNode("Mul", [rowsF, scales], [out], ctx.names.fresh(`${base}_rescale`)),
  ];
}

function intAttr(node: NodeProto, name: string): number {
  const a = node.attribute.find((x) => x.name === name);
  return a ? Number(a.i) : 0;
}

function floatAttr(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a ? a.f : fallback;
}

function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

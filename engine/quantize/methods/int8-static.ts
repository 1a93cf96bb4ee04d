// int8-static: the QDQ format. Activations feeding and produced by quantizable nodes get one
// QuantizeLinear → DequantizeLinear pair per tensor (shared by all its readers), with ranges from calibration on
// the user's samples; constant weights become 8-bit initializers read through DequantizeLinear (per channel by
// default: Conv axis 0, ConvTranspose axis 1, MatMul the last axis, Gemm by transB), biases int32 with scale
// input_scale × weight_scale. A quantized tensor keeps its name: its producer now writes `<name>_prequant` and the
// DequantizeLinear writes `<name>`, so the model's tensor `<name>` is the value after quantization, what readers
// see, comparable with the float model's tensor of that name. 16-bit activations use com.microsoft's Q/DQ.
// Before calibrating, exact float rewrites balance channel ranges (equalize/model.ts): BN folding, cross-layer
// equalization, and equalization of the tensors depthwise Convs read. After calibrating, automatic mixed precision
// (int8-static/mixed.ts) moves the activations that cost the most accuracy to 16 bits or float.
import { clone } from "@bufbuild/protobuf";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TensorProto_DataType as DT, type GraphProto, ModelProtoSchema, type NodeProto } from "onnx-buf";
import { EdgeError } from "../../errors";
import { type Calibration, calibrate } from "../calibrate/run";
import { elementTypes } from "../calibrate/element-types";
import { equalizeModel } from "../equalize/model";
import { addInitializer, checkAborted, newContext, nodeName, type QuantizeContext } from "../graph/context";
import { attr, type ConstantRef, intAttr, makeNode, requireOpset, scopes } from "../graph/edit";
import { choosePrecision, type QParams, reportPrecision, tensorParams } from "../int8-static/mixed";
import { type ActivationType, activationType, type Planned, plan, widerType } from "../int8-static/plan";
import { LAYER_NORM, type PrecisionChoice, SENSITIVE } from "../int8-static/precision";
import { int8Range, scaleAndZeroPoint } from "../kernels/arithmetic";
import { bytesOfView, readFloatTensor, TensorStore } from "../graph/tensor-store";
import { skip } from "../graph/weights";

/** Which axis of a weight has one scale per channel, or undefined for one scale per tensor. */
function weightAxis(ctx: QuantizeContext, node: NodeProto, dims: number[]): number | undefined {
  if (!(ctx.options.perChannel ?? true) || dims.length === 0) return undefined;
  if (node.opType === "Conv") return 0;
  if (node.opType === "ConvTranspose") return intAttr(node, "group", 1) === 1 ? 1 : undefined;
  if (node.opType === "Gemm") return intAttr(node, "transB", 0) ? 0 : 1;
  if (node.opType === "MatMul") return dims.length >= 2 ? dims.length - 1 : undefined;
  return undefined;
}

/** Quantizes `w` of shape `dims` to 8 bits with one scale per entry of `axis` (or one for all). */
export function quantizeAlongAxis(
  w: Float32Array,
  dims: number[],
  axis: number | undefined,
  type: "int8" | "uint8",
  symmetric: boolean,
  reduceRange = false,
) {
  const channels = axis === undefined ? 1 : dims[axis];
  const inner = axis === undefined ? w.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const lo = new Float64Array(channels).fill(Infinity);
  const hi = new Float64Array(channels).fill(-Infinity);
  for (let i = 0; i < w.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const v = w[i];
    if (!Number.isFinite(v)) throw new RangeError(`weight has a value that is not finite (${v})`);
    if (v < lo[c]) lo[c] = v;
    if (v > hi[c]) hi[c] = v;
  }
  const [qmin, qmax] = int8Range(type, reduceRange);
  const scales = new Float32Array(channels);
  const zeroPoints = type === "int8" ? new Int8Array(channels) : new Uint8Array(channels);
  for (let c = 0; c < channels; c++)
    [scales[c], zeroPoints[c]] = scaleAndZeroPoint(lo[c], hi[c], qmin, qmax, symmetric);
  const data = type === "int8" ? new Int8Array(w.length) : new Uint8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const c = Math.floor(i / inner) % channels;
    data[i] = Math.min(qmax, Math.max(qmin, Math.round(w[i] / scales[c]) + zeroPoints[c]));
  }
  return { data, scales, zeroPoints };
}

export async function quantizeInt8Static(ctx: QuantizeContext): Promise<void> {
  const options = ctx.options.calibration;
  if (!options || !options.samples || options.samples.length === 0) {
    throw new EdgeError(
      "recipe/invalid",
      "int8-static needs calibration data: samples of the model's inputs to measure activation ranges on",
      { file: ctx.file },
      "add `calibration: { data: NAME, method: minmax }` to the quantize step, naming a dataset under `data:`",
    );
  }
  const act = activationType(ctx);
  const proto = ctx.model.proto;
  await equalizeModel(ctx, options.samples);
  const types = elementTypes(proto);
  const planned = plan(ctx, types);
  if (planned.length === 0) return;
  const wanted = new Set<string>();
  for (const p of planned) {
    for (const name of p.activations.values()) wanted.add(name);
    if (p.rule.output === "calibrated") wanted.add(p.node.output[0]);
  }
  const calibration: Calibration = await calibrate(ctx.model, wanted, {
    method: options.method,
    samples: options.samples,
    percentile: options.percentile,
    quantizedBins: act.qmax - act.qmin > 255 ? 256 : 128,
    float32: (name) => types.get(name) === DT.FLOAT,
    signal: ctx.signal,
    onSample: (done, total) => ctx.onProgress?.({ done, total, tensor: "calibration" }),
  });
  ctx.warnings.push(...calibration.warnings);

  // Keep the nodes whose every activation input has a range; choose each tensor's precision; rewrite.
  const kept: number[] = [];
  const sharedFrom = new Map<string, string>();
  planned.forEach((p, i) => {
    const blind = [...p.activations.values()].find((name) => !calibration.ranges.has(name) && !sharedFrom.has(name));
    if (blind)
      return skip(
        ctx,
        p.node,
        p.index,
        `calibration did not see its input "${blind}" (no sample reached it, or it is inside a Loop/Scan body)`,
      );
    kept.push(i);
    if (p.rule.output === "shared") sharedFrom.set(p.node.output[0], p.activations.get(0)!);
  });
  const wide = widerType(ctx, act);
  const paramsFor = (choice: PrecisionChoice) =>
    tensorParams(calibration.ranges, calibration.extremes, sharedFrom, choice, act, wide);
  const build = async (choice: PrecisionChoice) => {
    const model = { ...ctx.model, proto: clone(ModelProtoSchema, proto) };
    const trial = newContext(
      model,
      ctx.options,
      new TensorStore(join(tmpdir(), "edge-int8-static-trial.onnx"), false),
      ctx.file,
    );
    const again = plan(trial, types);
    const paramsOf = paramsFor(choice);
    const nodes = settle(trial, again, kept, choice, paramsOf);
    const paired = await rewrite(trial, nodes, paramsOf);
    if ([...paired.values()].some((t) => t.domain)) requireOpset(model.proto, "com.microsoft", 1);
    return model.proto;
  };
  const outcome = await choosePrecision(ctx, {
    planned,
    kept,
    sharedFrom,
    ranges: calibration.ranges,
    act,
    wide,
    types,
    build,
  });
  const paramsOf = paramsFor(outcome.choice);
  const nodes = settle(ctx, planned, kept, outcome.choice, paramsOf);
  const paired = await rewrite(ctx, nodes, paramsOf);
  if ([...paired.values()].some((t) => t.domain)) requireOpset(proto, "com.microsoft", 1);
  reportPrecision(ctx, act, outcome, paired);
}

/** The kept nodes (indexes into `planned`) still quantized under `choice`; the others are recorded as skipped. */
function settle(
  ctx: QuantizeContext,
  planned: Planned[],
  kept: number[],
  choice: PrecisionChoice,
  paramsOf: (name: string) => QParams | undefined,
): Planned[] {
  const nodes: Planned[] = [];
  for (const i of kept) {
    const p = planned[i];
    // A node whose activations all stay float stays float too, weight included: weight-only DQ → Conv/MatMul saves
    // bytes but no time, and onnxruntime's DQ → MatMul fusion mishandles such weights inside If branches.
    const inputs = [...p.activations.values()];
    const reason =
      choice.floatNodes.get(i) ??
      (inputs.some((a) => paramsOf(a))
        ? undefined
        : inputs.some((a) => choice.normalized.has(a))
          ? LAYER_NORM
          : SENSITIVE);
    if (reason) skip(ctx, p.node, p.index, reason);
    else nodes.push(p);
  }
  return nodes;
}

interface QuantizedWeight {
  names: [string, string, string];
  scales: Float32Array;
  axis?: number;
}

/** Rewrites the graphs: Q/DQ pairs on the kept nodes' activations, DQ on their constants, records the nodes. */
async function rewrite(
  ctx: QuantizeContext,
  kept: Planned[],
  paramsOf: (name: string) => QParams | undefined,
): Promise<Map<string, ActivationType>> {
  const graphs = [...scopes(ctx.model.proto)].map((s) => s.graph);
  const producer = new Map<string, { graph: GraphProto; node: NodeProto }>();
  for (const graph of graphs)
    for (const node of graph.node) for (const o of node.output) if (o) producer.set(o, { graph, node });
  const head = new Map<GraphProto, NodeProto[]>();
  const after = new Map<NodeProto, NodeProto[]>();
  const push = <K>(map: Map<K, NodeProto[]>, key: K, nodes: NodeProto[]) =>
    map.set(key, [...(map.get(key) ?? []), ...nodes]);

  const paired = new Map<string, ActivationType>();
  const pair = async (
    graph: GraphProto,
    input: string,
    output: string,
    base: string,
    q: QParams,
  ): Promise<NodeProto[]> => {
    const act = q.act;
    paired.set(base, act);
    const scale = ctx.names.fresh(`${base}_scale`);
    const zero = ctx.names.fresh(`${base}_zero_point`);
    const quantized = ctx.names.fresh(`${base}_quantized`);
    const zp =
      act.dataType === DT.UINT8
        ? Uint8Array.of(q.zeroPoint)
        : act.dataType === DT.INT8
          ? Int8Array.of(q.zeroPoint)
          : act.dataType === DT.UINT16
            ? Uint16Array.of(q.zeroPoint)
            : Int16Array.of(q.zeroPoint);
    graph.initializer.push(
      await ctx.store.make(scale, DT.FLOAT, [], bytesOfView(Float32Array.of(q.scale))),
      await ctx.store.make(zero, act.dataType, [], bytesOfView(zp)),
    );
    return [
      makeNode(
        "QuantizeLinear",
        [input, scale, zero],
        [quantized],
        ctx.names.fresh(`${base}_QuantizeLinear`),
        [],
        act.domain,
      ),
      makeNode(
        "DequantizeLinear",
        [quantized, scale, zero],
        [output],
        ctx.names.fresh(`${base}_DequantizeLinear`),
        [],
        act.domain,
      ),
    ];
  };

  // Activations: tensors produced in a graph (and not its outputs) are renamed at the producer; the rest (graph
  // inputs, outer-scope values, graph outputs) get a pair beside their quantized readers, which are rewired.
  const renamed = new Map<string, string>();
  const side = new Map<GraphProto, Map<string, string>>();
  const isGraphOutput = (name: string, graph: GraphProto) => graph.output.some((o) => o.name === name);
  const quantizedTensors = new Set<string>();
  const outputs = new Map(kept.map((p) => [p, p.node.output[0]]));
  for (const p of kept) {
    for (const name of p.activations.values()) if (paramsOf(name)) quantizedTensors.add(name);
    if (paramsOf(p.node.output[0])) quantizedTensors.add(p.node.output[0]);
  }
  for (const name of quantizedTensors) {
    const made = producer.get(name);
    if (!made || isGraphOutput(name, made.graph)) continue;
    const prequant = ctx.names.fresh(`${name}_prequant`);
    made.node.output[made.node.output.indexOf(name)] = prequant;
    renamed.set(name, prequant);
    push(after, made.node, await pair(made.graph, prequant, name, name, paramsOf(name)!));
  }
  const sideInput = async (graph: GraphProto, name: string): Promise<string> => {
    const inGraph = side.get(graph) ?? new Map<string, string>();
    side.set(graph, inGraph);
    let dq = inGraph.get(name);
    if (!dq) {
      dq = ctx.names.fresh(`${name}_DequantizeLinear`);
      inGraph.set(name, dq);
      const nodes = await pair(graph, name, dq, name, paramsOf(name)!);
      const made = producer.get(name);
      if (made && made.graph === graph) push(after, made.node, nodes);
      else push(head, graph, nodes);
    }
    return dq;
  };

  const weights = new Map<string, QuantizedWeight>();
  const dqOfWeight = new Map<string, string>();
  const symmetric = ctx.options.symmetric ?? true;
  const type = ctx.options.weightType ?? "int8";
  const weightInput = async (
    p: Planned,
    ref: ConstantRef,
    axis: number | undefined,
  ): Promise<QuantizedWeight & { dq: string }> => {
    const source = ref.tensor.name;
    // Keyed by the defining graph too: If branches may each hold a Constant of the same name.
    const key = `int8-static:${graphs.indexOf(ref.scope.graph)}:${source}:${axis ?? "tensor"}:${type}:${symmetric}:${ctx.options.reduceRange ?? false}`;
    let w = weights.get(key);
    if (!w) {
      const dims = ref.tensor.dims.map(Number);
      const values = await readFloatTensor(ctx.model, ref.tensor, nodeName(p.node, p.index));
      const q = quantizeAlongAxis(values, dims, axis, type, symmetric, ctx.options.reduceRange);
      const shape = axis === undefined ? [] : [dims[axis]];
      const names: [string, string, string] = [
        ctx.names.fresh(`${source}_quantized`),
        ctx.names.fresh(`${source}_scale`),
        ctx.names.fresh(`${source}_zero_point`),
      ];
      addInitializer(
        ref,
        await ctx.store.make(names[0], type === "int8" ? DT.INT8 : DT.UINT8, dims, bytesOfView(q.data)),
      );
      addInitializer(ref, await ctx.store.make(names[1], DT.FLOAT, shape, bytesOfView(q.scales)));
      addInitializer(
        ref,
        await ctx.store.make(names[2], type === "int8" ? DT.INT8 : DT.UINT8, shape, bytesOfView(q.zeroPoints)),
      );
      w = { names, scales: q.scales, axis };
      weights.set(key, w);
      ctx.weightCache.set(key, names);
      ctx.weightCount++;
    }
    ctx.replaced.add(source);
    return {
      ...w,
      dq: dequantizeIn(p.scope.graph, key, w.names, axis, source),
    };
  };
  const dequantizeIn = (
    graph: GraphProto,
    key: string,
    names: string[],
    axis: number | undefined,
    base: string,
  ): string => {
    const dqKey = `${key}@${graphs.indexOf(graph)}`;
    let dq = dqOfWeight.get(dqKey);
    if (!dq) {
      dq = ctx.names.fresh(`${base}_dequantized`);
      dqOfWeight.set(dqKey, dq);
      push(head, graph, [
        makeNode(
          "DequantizeLinear",
          names,
          [dq],
          ctx.names.fresh(`${base}_DequantizeLinear`),
          axis === undefined ? [] : [attr("axis", axis)],
        ),
      ]);
    }
    return dq;
  };

  let done = 0;
  for (const p of kept) {
    checkAborted(ctx);
    ctx.onProgress?.({
      done: done++,
      total: kept.length,
      tensor: p.node.output[0],
    });
    const graph = p.scope.graph;
    for (const [slot, name] of p.activations)
      if (!renamed.has(name) && paramsOf(name)) p.node.input[slot] = await sideInput(graph, name);
    let weight: (QuantizedWeight & { dq: string }) | undefined;
    for (const [slot, ref] of p.constants) {
      if (slot === p.rule.bias) continue;
      const isWeight = slot === p.rule.weight;
      const quantized = await weightInput(
        p,
        ref,
        isWeight ? weightAxis(ctx, p.node, ref.tensor.dims.map(Number)) : undefined,
      );
      if (isWeight) weight = quantized;
      p.node.input[slot] = quantized.dq;
    }
    const biasRef = p.rule.bias !== undefined ? p.constants.get(p.rule.bias) : undefined;
    const input = paramsOf(p.activations.get(0) ?? "");
    if (biasRef && weight && input) {
      const bias = await biasInput(ctx, p, biasRef, weight, input.scale);
      if (bias) p.node.input[p.rule.bias!] = dequantizeIn(graph, bias.key, bias.names, bias.axis, biasRef.tensor.name);
    }
    ctx.quantized.push({
      node: nodeName(p.node, p.index),
      opType: p.node.opType,
      output: outputs.get(p)!,
    });
  }
  for (const graph of graphs) {
    const nodes = [...(head.get(graph) ?? [])];
    for (const node of graph.node) nodes.push(node, ...(after.get(node) ?? []));
    graph.node = nodes;
  }
  return paired;
}

/** The bias as int32 with scale input_scale × weight_scale (zero point 0); undefined to keep it float. */
async function biasInput(
  ctx: QuantizeContext,
  p: Planned,
  ref: ConstantRef,
  weight: QuantizedWeight,
  inputScale: number,
) {
  const dims = ref.tensor.dims.map(Number);
  const perChannel = weight.scales.length > 1;
  if (dims.length !== 1 || (perChannel && dims[0] !== weight.scales.length)) return undefined;
  const values = await readFloatTensor(ctx.model, ref.tensor, nodeName(p.node, p.index));
  const scales = new Float32Array(perChannel ? dims[0] : 1);
  const data = new Int32Array(dims[0]);
  for (let i = 0; i < scales.length; i++) scales[i] = inputScale * weight.scales[i];
  for (let i = 0; i < data.length; i++) {
    const q = Math.round(values[i] / scales[perChannel ? i : 0]);
    if (!(Math.abs(q) <= 2147483647)) return undefined; // overflows int32: keep the bias float
    data[i] = q;
  }
  const base = ref.tensor.name;
  const names = [ctx.names.fresh(`${base}_quantized`), ctx.names.fresh(`${base}_scale`)];
  addInitializer(ref, await ctx.store.make(names[0], DT.INT32, dims, bytesOfView(data)));
  addInitializer(ref, await ctx.store.make(names[1], DT.FLOAT, perChannel ? [dims[0]] : [], bytesOfView(scales)));
  ctx.replaced.add(base);
  return {
    key: `int8-static-bias:${names[0]}`,
    names,
    axis: perChannel ? 0 : undefined,
  };
}

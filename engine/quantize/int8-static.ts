// int8-static: the QDQ format. Activations feeding and produced by quantizable nodes get one
// QuantizeLinear → DequantizeLinear pair per tensor (shared by all its readers), with ranges from calibration on
// the user's samples; constant weights become 8-bit initializers read through DequantizeLinear (per channel by
// default: Conv axis 0, ConvTranspose axis 1, MatMul the last axis, Gemm by transB), biases int32 with scale
// input_scale × weight_scale. A quantized tensor keeps its name: its producer now writes `<name>_prequant` and the
// DequantizeLinear writes `<name>`, so the model's tensor `<name>` is the value after quantization, what readers
// see, comparable with the float model's tensor of that name. 16-bit activations use com.microsoft's Q/DQ.
// Before calibrating, exact float rewrites balance channel ranges (equalize-model.ts): BN folding, cross-layer
// equalization, and equalization of the tensors depthwise Convs read.
import { TensorProto_DataType as DT, type GraphProto, type NodeProto } from "onnx-buf";
import { EdgeError } from "../errors";
import { type Calibration, calibrate } from "./calibrate";
import { elementTypes } from "./calibrate-types";
import { equalizeModel } from "./equalize-model";
import { addInitializer, checkAborted, nodeName, type QuantizeContext, selected } from "./context";
import { attr, type ConstantRef, findConstant, intAttr, makeNode, requireOpset, type Scope, scopes } from "./graph-edit";
import { int8Range, scaleAndZeroPoint } from "./kernels";
import { bytesOfView, readFloatTensor } from "./tensor-store";
import { skip } from "./weights";

/** How an operator is quantized: which inputs are activations, where its weight and bias are, how its output is. */
interface OpRule {
  inputs: "all" | number[];
  weight?: number;
  bias?: number;
  /** "calibrated": the output has its own range; "shared": it keeps its input's scale and zero point. */
  output: "calibrated" | "shared";
  /** Add and Mul: quantized only when both operands are activations. */
  elementwise?: boolean;
}

const rules: Record<string, OpRule> = {
  Conv: { inputs: [0], weight: 1, bias: 2, output: "calibrated" },
  ConvTranspose: { inputs: [0], weight: 1, bias: 2, output: "calibrated" },
  Gemm: { inputs: [0], weight: 1, bias: 2, output: "calibrated" },
  MatMul: { inputs: [0], weight: 1, output: "calibrated" },
  Add: { inputs: [0, 1], output: "calibrated", elementwise: true },
  Mul: { inputs: [0, 1], output: "calibrated", elementwise: true },
  Relu: { inputs: [0], output: "calibrated" },
  Clip: { inputs: [0], output: "calibrated" },
  Sigmoid: { inputs: [0], output: "calibrated" },
  Softmax: { inputs: [0], output: "calibrated" },
  AveragePool: { inputs: [0], output: "calibrated" },
  GlobalAveragePool: { inputs: [0], output: "calibrated" },
  Concat: { inputs: "all", output: "calibrated" },
  MaxPool: { inputs: [0], output: "shared" },
  GlobalMaxPool: { inputs: [0], output: "shared" },
  Reshape: { inputs: [0], output: "shared" },
  Transpose: { inputs: [0], output: "shared" },
  Flatten: { inputs: [0], output: "shared" },
  Squeeze: { inputs: [0], output: "shared" },
  Unsqueeze: { inputs: [0], output: "shared" },
};

interface ActivationType {
  name: string;
  dataType: DT;
  qmin: number;
  qmax: number;
  symmetric: boolean;
  /** "" (ONNX) for 8 bits; com.microsoft for 16 bits (ONNX's own Q/DQ take 16 bits only from opset 21). */
  domain: string;
}

function activationType(ctx: QuantizeContext): ActivationType {
  const name = ctx.options.activationType ?? "uint8";
  const table: Record<string, [DT, number, number]> = {
    uint8: [DT.UINT8, 0, 255],
    int8: [DT.INT8, -128, 127],
    uint16: [DT.UINT16, 0, 65535],
    int16: [DT.INT16, -32768, 32767],
  };
  const entry = table[name];
  if (!entry) throw new EdgeError("recipe/invalid", `activation type "${name}" is not one int8-static supports`, { file: ctx.file }, "use uint8, int8, uint16 or int16");
  return {
    name,
    dataType: entry[0],
    qmin: entry[1],
    qmax: entry[2],
    symmetric: ctx.options.symmetricActivations ?? false,
    domain: name.endsWith("16") ? "com.microsoft" : "",
  };
}

/** A quantizable node found in the float model, with its inputs sorted by how they are quantized. */
interface Planned {
  scope: Scope;
  node: NodeProto;
  index: number;
  rule: OpRule;
  /** Activation inputs (computed or graph inputs) by slot. */
  activations: Map<number, string>;
  /** Constant inputs: the weight, the bias, and constant operands of Add/Mul/Concat. */
  constants: Map<number, ConstantRef>;
}

const standard = (node: NodeProto) => node.domain === "" || node.domain === "ai.onnx";

/** Finds the nodes to quantize and what each needs; records the ones that cannot be. */
function plan(ctx: QuantizeContext, types: Map<string, number>): Planned[] {
  const planned: Planned[] = [];
  const isFloat = (name: string) => types.get(name) === DT.FLOAT;
  for (const scope of scopes(ctx.model.proto)) {
    scope.graph.node.forEach((node, index) => {
      const rule = rules[node.opType];
      if (!rule || !standard(node) || !selected(ctx, node, index)) return;
      if (!isFloat(node.output[0])) return;
      const slots = rule.inputs === "all" ? node.input.map((_, i) => i) : [...rule.inputs];
      if (rule.weight !== undefined) slots.push(rule.weight);
      if (rule.bias !== undefined && node.input[rule.bias]) slots.push(rule.bias);
      const item: Planned = {
        scope,
        node,
        index,
        rule,
        activations: new Map(),
        constants: new Map(),
      };
      for (const slot of slots) {
        const name = node.input[slot];
        if (!name) continue;
        const ref = findConstant(scope, name);
        if (ref) {
          if (ref.tensor.dataType !== DT.FLOAT) return skip(ctx, node, index, `its input "${name}" is not float32`);
          item.constants.set(slot, ref);
        } else if (slot === rule.bias) {
          continue; // a computed bias stays float
        } else if (isFloat(name)) {
          item.activations.set(slot, name);
        } else {
          return skip(ctx, node, index, `its input "${name}" is not a float32 tensor`);
        }
      }
      if (item.activations.size === 0) return skip(ctx, node, index, "all its inputs are constants; nothing to calibrate");
      // Add and Mul are quantized only between two activations; with a constant operand (a scale, a shift) they
      // stay float: one fewer rounding, and the constant keeps its precision.
      if (rule.elementwise && item.constants.size > 0) return;
      planned.push(item);
    });
  }
  return planned;
}

interface QParams {
  scale: number;
  zeroPoint: number;
}

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
export function quantizeAlongAxis(w: Float32Array, dims: number[], axis: number | undefined, type: "int8" | "uint8", symmetric: boolean, reduceRange = false) {
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
  for (let c = 0; c < channels; c++) [scales[c], zeroPoints[c]] = scaleAndZeroPoint(lo[c], hi[c], qmin, qmax, symmetric);
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

  // Keep the nodes whose every activation input has a range; derive each quantized tensor's parameters.
  const kept: Planned[] = [];
  const sharedFrom = new Map<string, string>();
  for (const p of planned) {
    const blind = [...p.activations.values()].find((name) => !calibration.ranges.has(name) && !sharedFrom.has(name));
    if (blind) {
      skip(ctx, p.node, p.index, `calibration did not see its input "${blind}" (no sample reached it, or it is inside a Loop/Scan body)`);
      continue;
    }
    kept.push(p);
    if (p.rule.output === "shared") sharedFrom.set(p.node.output[0], p.activations.get(0)!);
  }
  const params = new Map<string, QParams>();
  const paramsOf = (name: string): QParams | undefined => {
    let found = params.get(name);
    if (found) return found;
    const source = sharedFrom.get(name);
    if (source !== undefined) found = paramsOf(source);
    else {
      const range = calibration.ranges.get(name);
      if (!range) return undefined;
      const [scale, zeroPoint] = scaleAndZeroPoint(range.lo, range.hi, act.qmin, act.qmax, act.symmetric);
      found = { scale, zeroPoint };
    }
    if (found) params.set(name, found);
    return found;
  };
  await rewrite(ctx, kept, paramsOf, act);
  if (act.domain) requireOpset(proto, act.domain, 1);
}

interface QuantizedWeight {
  names: [string, string, string];
  scales: Float32Array;
  axis?: number;
}

/** Rewrites the graphs: Q/DQ pairs on the kept nodes' activations, DQ on their constants, records the nodes. */
async function rewrite(ctx: QuantizeContext, kept: Planned[], paramsOf: (name: string) => QParams | undefined, act: ActivationType): Promise<void> {
  const graphs = [...scopes(ctx.model.proto)].map((s) => s.graph);
  const producer = new Map<string, { graph: GraphProto; node: NodeProto }>();
  for (const graph of graphs) for (const node of graph.node) for (const o of node.output) if (o) producer.set(o, { graph, node });
  const head = new Map<GraphProto, NodeProto[]>();
  const after = new Map<NodeProto, NodeProto[]>();
  const push = <K>(map: Map<K, NodeProto[]>, key: K, nodes: NodeProto[]) => map.set(key, [...(map.get(key) ?? []), ...nodes]);

  const pair = async (graph: GraphProto, input: string, output: string, base: string, q: QParams): Promise<NodeProto[]> => {
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
    graph.initializer.push(await ctx.store.make(scale, DT.FLOAT, [], bytesOfView(Float32Array.of(q.scale))), await ctx.store.make(zero, act.dataType, [], bytesOfView(zp)));
    return [
      makeNode("QuantizeLinear", [input, scale, zero], [quantized], ctx.names.fresh(`${base}_QuantizeLinear`), [], act.domain),
      makeNode("DequantizeLinear", [quantized, scale, zero], [output], ctx.names.fresh(`${base}_DequantizeLinear`), [], act.domain),
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
    for (const name of p.activations.values()) quantizedTensors.add(name);
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
  const weightInput = async (p: Planned, ref: ConstantRef, axis: number | undefined): Promise<QuantizedWeight & { dq: string }> => {
    const source = ref.tensor.name;
    // Keyed by the defining graph too: If branches may each hold a Constant of the same name.
    const key = `int8-static:${graphs.indexOf(ref.scope.graph)}:${source}:${axis ?? "tensor"}:${type}:${symmetric}:${ctx.options.reduceRange ?? false}`;
    let w = weights.get(key);
    if (!w) {
      const dims = ref.tensor.dims.map(Number);
      const values = await readFloatTensor(ctx.model, ref.tensor, nodeName(p.node, p.index));
      const q = quantizeAlongAxis(values, dims, axis, type, symmetric, ctx.options.reduceRange);
      const shape = axis === undefined ? [] : [dims[axis]];
      const names: [string, string, string] = [ctx.names.fresh(`${source}_quantized`), ctx.names.fresh(`${source}_scale`), ctx.names.fresh(`${source}_zero_point`)];
      addInitializer(ref, await ctx.store.make(names[0], type === "int8" ? DT.INT8 : DT.UINT8, dims, bytesOfView(q.data)));
      addInitializer(ref, await ctx.store.make(names[1], DT.FLOAT, shape, bytesOfView(q.scales)));
      addInitializer(ref, await ctx.store.make(names[2], type === "int8" ? DT.INT8 : DT.UINT8, shape, bytesOfView(q.zeroPoints)));
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
  const dequantizeIn = (graph: GraphProto, key: string, names: string[], axis: number | undefined, base: string): string => {
    const dqKey = `${key}@${graphs.indexOf(graph)}`;
    let dq = dqOfWeight.get(dqKey);
    if (!dq) {
      dq = ctx.names.fresh(`${base}_dequantized`);
      dqOfWeight.set(dqKey, dq);
      push(head, graph, [makeNode("DequantizeLinear", names, [dq], ctx.names.fresh(`${base}_DequantizeLinear`), axis === undefined ? [] : [attr("axis", axis)])]);
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
    for (const [slot, name] of p.activations) if (!renamed.has(name)) p.node.input[slot] = await sideInput(graph, name);
    let weight: (QuantizedWeight & { dq: string }) | undefined;
    for (const [slot, ref] of p.constants) {
      if (slot === p.rule.bias) continue;
      const isWeight = slot === p.rule.weight;
      const quantized = await weightInput(p, ref, isWeight ? weightAxis(ctx, p.node, ref.tensor.dims.map(Number)) : undefined);
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
}

/** The bias as int32 with scale input_scale × weight_scale (zero point 0); undefined to keep it float. */
async function biasInput(ctx: QuantizeContext, p: Planned, ref: ConstantRef, weight: QuantizedWeight, inputScale: number) {
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

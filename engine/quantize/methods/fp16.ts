// fp16: float16 weights and compute. Every float32 initializer and Constant becomes float16, every node that can
// runs in float16, and the element types of value_info, subgraph inputs and outputs follow, in all scopes. Blocked
// nodes keep float32 with Casts around them; model inputs and outputs stay float32 (Casts at the edges, names kept)
// unless keepIoTypes is false. Tensor names keep their meaning: a name holds the same values, now in float16.
import { create } from "@bufbuild/protobuf";
import {
  type AttributeProto,
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  type NodeProto,
  type TensorProto,
  TensorProto_DataType as DT,
} from "onnx-buf";
import { upgradeOpset } from "../../onnx/opset-upgrade";
import { isConstantNode } from "../../onnx/walk";
import { checkAborted, nodeName, type QuantizeContext } from "../graph/context";
import { castTarget, setTypeElement } from "../fp16/dtypes";
import { dtypeAttrs } from "../fp16/ops";
import { canonicalWidth, type Fp16Plan, isFloat32, makePlan, nativeWidth, wantedWidth, type Width } from "../fp16/plan";
import { halfTensor, inlineHalfTensor } from "../fp16/tensors";
import { attr, defaultOpset, makeNode, type Scope } from "../graph/edit";

/** Cast's `to` attribute: an int, or before opset 6 a type name string. */
function castTo(opset: number, width: Width): AttributeProto {
  if (opset < 6) return attr("to", width === 16 ? "FLOAT16" : "FLOAT");
  return attr("to", width === 16 ? DT.FLOAT16 : DT.FLOAT);
}

/** Cast nodes to insert per scope: before every node (-1) or after node i. */
class Insertions {
  private readonly at = new Map<Scope, Map<number, NodeProto[]>>();
  add(scope: Scope, afterIndex: number, node: NodeProto): void {
    let byIndex = this.at.get(scope);
    if (!byIndex) this.at.set(scope, (byIndex = new Map()));
    const list = byIndex.get(afterIndex) ?? [];
    list.push(node);
    byIndex.set(afterIndex, list);
  }
  apply(scope: Scope): void {
    const byIndex = this.at.get(scope);
    if (!byIndex) return;
    const out: NodeProto[] = [...(byIndex.get(-1) ?? [])];
    scope.graph.node.forEach((node, i) => out.push(node, ...(byIndex.get(i) ?? [])));
    scope.graph.node = out;
  }
}

/** The names each float32 tensor has in float16 and float32 after conversion, making Casts on demand. */
class Versions {
  private readonly names = new Map<string, Partial<Record<Width, string>>>();
  constructor(
    private readonly ctx: QuantizeContext,
    private readonly plan: Fp16Plan,
    private readonly inserts: Insertions,
  ) {}

  /** Renames a node output whose produced type differs from its canonical one, and casts it back to the name. */
  define(name: string): void {
    const canonical = canonicalWidth(this.plan, name);
    const entry: Partial<Record<Width, string>> = { [canonical]: name };
    this.names.set(name, entry);
    const native = nativeWidth(this.plan, name);
    const def = this.plan.defs.get(name);
    if (native === canonical || def?.kind !== "node") return;
    const produced = this.ctx.names.fresh(`${name}_fp${native}`);
    def.node!.output[def.slot] = produced;
    entry[native] = produced;
    this.inserts.add(def.scope, def.index, this.cast(produced, name, canonical));
  }

  /** The name holding `name` in `width`. */
  get(name: string, width: Width): string {
    let entry = this.names.get(name);
    if (!entry) {
      this.define(name);
      entry = this.names.get(name)!;
    }
    const existing = entry[width];
    if (existing) return existing;
    const def = this.plan.defs.get(name);
    if (!def) return name; // defined nowhere: left for the checker to report
    const made = this.ctx.names.fresh(`${name}_fp${width}`);
    entry[width] = made;
    this.inserts.add(
      def.scope,
      def.kind === "input" || def.kind === "initializer" ? -1 : def.index,
      this.cast(name, made, width),
    );
    return made;
  }

  private cast(from: string, to: string, width: Width): NodeProto {
    return makeNode("Cast", [from], [to], this.ctx.names.fresh(`${to}_Cast`), [castTo(this.plan.opset, width)]);
  }
}

/** Converts a Constant node's float32 value (value, value_float, value_floats) to float16. */
async function convertConstant(ctx: QuantizeContext, node: NodeProto, index: number): Promise<number> {
  for (const a of node.attribute) {
    if (a.name === "value" && a.t?.dataType === DT.FLOAT) {
      const { tensor, clamped } = await halfTensor(ctx, a.t, nodeName(node, index));
      a.t = tensor;
      return clamped;
    }
    if (a.name === "value_float" || a.name === "value_floats") {
      const scalar = a.name === "value_float";
      const { tensor, clamped } = inlineHalfTensor(
        node.output[0],
        scalar ? [] : [a.floats.length],
        scalar ? [a.f] : a.floats,
      );
      node.attribute = node.attribute.filter((x) => x !== a);
      node.attribute.push(tensorAttr("value", tensor));
      return clamped;
    }
  }
  return 0;
}

function tensorAttr(name: string, t: TensorProto): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AT.TENSOR, t });
}

/** Attributes that make a converted node produce float32: Cast's `to`, ConstantOfShape's value, dtype attributes. */
async function convertAttributes(
  ctx: QuantizeContext,
  plan: Fp16Plan,
  node: NodeProto,
  index: number,
): Promise<number> {
  let clamped = 0;
  const set = (name: string) => {
    const a = node.attribute.find((x) => x.name === name);
    if (a) a.i = BigInt(DT.FLOAT16);
    else node.attribute.push(attr(name, DT.FLOAT16));
  };
  if (node.opType === "Cast") {
    if (castTarget(node) === DT.FLOAT)
      node.attribute = [...node.attribute.filter((a) => a.name !== "to"), castTo(plan.opset, 16)];
  } else if (node.opType === "ConstantOfShape") {
    const value = node.attribute.find((a) => a.name === "value");
    if (!value) {
      node.attribute.push(tensorAttr("value", inlineHalfTensor("value", [1], [0]).tensor));
    } else if (value.t?.dataType === DT.FLOAT) {
      const half = await halfTensor(ctx, value.t, nodeName(node, index));
      value.t = half.tensor;
      clamped += half.clamped;
    }
  } else {
    const spec = dtypeAttrs[node.opType];
    const a = spec && node.attribute.find((x) => x.name === spec.name);
    if (spec && (a ? Number(a.i) === DT.FLOAT : spec.defaultFloat)) set(spec.name);
  }
  return clamped;
}

/** Cast before opset 6 names its target type by a string that ONNX type inference does not read: upgrade first. */
const MIN_OPSET = 6;

export async function quantizeFp16(ctx: QuantizeContext): Promise<void> {
  const from = defaultOpset(ctx.model.proto);
  if (from > 0 && from < MIN_OPSET) {
    const upgrade = upgradeOpset(ctx.model.proto, MIN_OPSET, { file: ctx.file });
    ctx.warnings.push(
      `the model's opset ${from} is below the ${MIN_OPSET} that fp16's Cast nodes need; upgraded it to ${upgrade.to}`,
    );
  }
  const plan = makePlan(ctx);
  const inserts = new Insertions();
  const versions = new Versions(ctx, plan, inserts);
  const main = plan.scopes[0];
  if (!main) return;
  const firstOutputs = new Map<NodeProto, string>();
  for (const node of plan.modes.keys()) firstOutputs.set(node, node.output[0] ?? "");

  // Names first (renaming node outputs whose produced type is not their canonical one), then every use.
  for (const [name] of plan.defs) if (isFloat32(plan, name)) versions.define(name);
  for (const scope of plan.scopes) {
    for (const node of scope.graph.node) {
      if (!plan.modes.has(node)) continue;
      node.input.forEach((name, slot) => {
        if (isFloat32(plan, name)) node.input[slot] = versions.get(name, wantedWidth(plan, node, slot));
      });
    }
    if (scope === main) continue;
    for (const o of scope.graph.output) {
      if (!isFloat32(plan, o.name)) continue;
      o.name = versions.get(o.name, 16);
      setTypeElement(o.type, DT.FLOAT16);
    }
  }

  // Weights: initializers and Constant values whose name now carries float16.
  let clamped = 0;
  const work: { scope: Scope; index: number; constant?: NodeProto }[] = [];
  for (const scope of plan.scopes) {
    scope.graph.initializer.forEach((t, index) => {
      if (t.dataType === DT.FLOAT && canonicalWidth(plan, t.name) === 16) work.push({ scope, index });
    });
    scope.graph.node.forEach((node, index) => {
      if (isConstantNode(node) && isFloat32(plan, node.output[0]) && canonicalWidth(plan, node.output[0]) === 16)
        work.push({ scope, index, constant: node });
    });
  }
  let done = 0;
  for (const item of work) {
    checkAborted(ctx);
    const g = item.scope.graph;
    ctx.onProgress?.({
      done: done++,
      total: work.length,
      tensor: item.constant ? item.constant.output[0] : g.initializer[item.index].name,
    });
    if (item.constant) {
      clamped += await convertConstant(ctx, item.constant, item.index);
    } else {
      const converted = await halfTensor(ctx, g.initializer[item.index]);
      g.initializer[item.index] = converted.tensor;
      clamped += converted.clamped;
    }
    ctx.weightCount++;
  }

  // Converted nodes: float32-making attributes, and the record evaluation reads.
  for (const scope of plan.scopes) {
    for (const [index, node] of scope.graph.node.entries()) {
      if (plan.modes.get(node) !== "convert") continue;
      clamped += await convertAttributes(ctx, plan, node, index);
      const original = firstOutputs.get(node) ?? "";
      if (isFloat32(plan, original))
        ctx.quantized.push({ node: nodeName(node, index), opType: node.opType, output: original });
    }
  }

  // Declared types: value_info, subgraph inputs and outputs, and the main graph's unless they stay float32.
  for (const scope of plan.scopes) {
    const g = scope.graph;
    for (const v of g.valueInfo)
      if (isFloat32(plan, v.name) && canonicalWidth(plan, v.name) === 16) setTypeElement(v.type, DT.FLOAT16);
    for (const v of g.input)
      if (isFloat32(plan, v.name) && canonicalWidth(plan, v.name) === 16) setTypeElement(v.type, DT.FLOAT16);
    if (scope === main)
      for (const v of g.output)
        if (isFloat32(plan, v.name) && canonicalWidth(plan, v.name) === 16) setTypeElement(v.type, DT.FLOAT16);
  }
  for (const scope of plan.scopes) inserts.apply(scope);
  if (clamped > 0)
    ctx.warnings.push(
      `${clamped} float32 value${clamped === 1 ? "" : "s"} beyond float16's range were clamped to ±65504`,
    );
}

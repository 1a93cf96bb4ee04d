// The fp16 method's plan, made before anything changes: which nodes run in float16 ("convert"), which stay float32
// ("block": the block list, schema limits, exclude lists, unknown input types), where every float32 tensor is
// defined, which type each use of it wants, and so the type each tensor name carries after conversion.
import { type NodeProto, TensorProto_DataType as DT } from "onnx-buf";
import { isConstantNode } from "../../onnx/walk";
import { nodeName, type QuantizeContext, selected } from "../graph/context";
import { inferElementTypes, type ElementTypes } from "./dtypes";
import {
  blockedByDefault,
  controlFlowOps,
  defaultFp16BlockOps,
  fixedFloatInputs,
  fixedFloatOutputs,
  schemaBlocks,
} from "./ops";
import { defaultOpset, type Scope, scopes } from "../graph/edit";

export type Mode = "convert" | "block";
export type Width = 16 | 32;

export interface Definition {
  scope: Scope;
  kind: "input" | "initializer" | "constant" | "node";
  /** The node (for constant and node), its index in the scope, and the output slot. */
  node?: NodeProto;
  index: number;
  slot: number;
}

export interface Fp16Plan {
  types: ElementTypes;
  opset: number;
  keepIo: boolean;
  scopes: Scope[];
  modes: Map<NodeProto, Mode>;
  defs: Map<string, Definition>;
  /** Names of float32 tensors some use wants in float16 / in float32. */
  wants16: Set<string>;
  wants32: Set<string>;
  /** Main graph inputs and outputs (inputs that are also initializers excluded). */
  mainIo: Set<string>;
}

export function isFloat32(plan: Fp16Plan, name: string): boolean {
  return name !== "" && plan.types.get(name) === DT.FLOAT;
}

function isDefaultDomain(node: NodeProto): boolean {
  return node.domain === "" || node.domain === "ai.onnx";
}

/** Why a node that touches float32 tensors must stay float32, or undefined when it can run in float16. */
function blockReason(
  ctx: QuantizeContext,
  plan: Fp16Plan,
  blockOps: Set<string>,
  node: NodeProto,
  index: number,
): string | undefined {
  if (!selected(ctx, node, index)) return "excluded by the include/exclude lists";
  if (blockOps.has(node.opType)) return `${node.opType} is in the fp16 block list`;
  const reduction = node.attribute.find((a) => a.name === "reduction");
  if (
    isDefaultDomain(node) &&
    blockedByDefault(node.opType, reduction ? new TextDecoder().decode(reduction.s) : undefined)
  ) {
    return `${node.opType} with a reduction has no float16 kernel on onnxruntime's CPU provider`;
  }
  if (isDefaultDomain(node) && schemaBlocks(node.opType, plan.opset))
    return `the ONNX schema of ${node.opType} at opset ${plan.opset} takes no float16`;
  if (!isDefaultDomain(node)) return `operator of domain "${node.domain}": its float16 support is unknown`;
  const unknown = node.input.find((name) => name && !plan.types.get(name));
  if (unknown) return `the element type of its input "${unknown}" is unknown`;
  return undefined;
}

/** The type a node's input slot wants after conversion, for a float32 tensor. */
export function wantedWidth(plan: Fp16Plan, node: NodeProto, slot: number): Width {
  if (plan.modes.get(node) !== "convert") return 32;
  return fixedFloatInputs(node.opType, plan.opset).includes(slot) ? 32 : 16;
}

/** The type a definition produces after conversion, before any Cast. */
export function nativeWidth(plan: Fp16Plan, name: string): Width {
  const def = plan.defs.get(name);
  if (!def) return 32;
  switch (def.kind) {
    case "input":
      return plan.mainIo.has(name) && plan.keepIo ? 32 : 16;
    case "initializer":
    case "constant":
      return canonicalWidth(plan, name);
    case "node":
      if (plan.modes.get(def.node!) !== "convert") return 32;
      return fixedFloatOutputs(def.node!.opType).includes(def.slot) ? 32 : 16;
  }
}

/** The type the tensor's own name carries after conversion (other types get Cast copies under fresh names). */
export function canonicalWidth(plan: Fp16Plan, name: string): Width {
  if (plan.mainIo.has(name)) return plan.keepIo ? 32 : 16;
  const def = plan.defs.get(name);
  if (!def) return 32;
  if (def.kind === "initializer" || def.kind === "constant")
    return plan.wants16.has(name) || !plan.wants32.has(name) ? 16 : 32;
  if (def.kind === "node" && nativeWidth(plan, name) === 32 && !plan.wants16.has(name)) return 32;
  return 16;
}

export function makePlan(ctx: QuantizeContext): Fp16Plan {
  const proto = ctx.model.proto;
  const plan: Fp16Plan = {
    types: inferElementTypes(proto),
    opset: defaultOpset(proto),
    keepIo: ctx.options.keepIoTypes ?? true,
    scopes: [...scopes(proto)],
    modes: new Map(),
    defs: new Map(),
    wants16: new Set(),
    wants32: new Set(),
    mainIo: new Set(),
  };
  const blockOps = new Set([...defaultFp16BlockOps, ...(ctx.options.fp16BlockOps ?? [])]);
  const main = plan.scopes[0];
  if (main) {
    const inits = new Set(main.graph.initializer.map((t) => t.name));
    for (const v of [...main.graph.input, ...main.graph.output])
      if (!inits.has(v.name) && isFloat32(plan, v.name)) plan.mainIo.add(v.name);
  }
  for (const scope of plan.scopes) {
    const g = scope.graph;
    for (const v of g.input) plan.defs.set(v.name, { scope, kind: "input", index: -1, slot: 0 });
    for (const t of g.initializer) plan.defs.set(t.name, { scope, kind: "initializer", index: -1, slot: 0 });
    g.node.forEach((node, index) => {
      const constant = isConstantNode(node);
      node.output.forEach((name, slot) => {
        if (name) plan.defs.set(name, { scope, kind: constant ? "constant" : "node", node, index, slot });
      });
      if (constant || ![...node.input, ...node.output].some((name) => isFloat32(plan, name))) return;
      let reason = blockReason(ctx, plan, blockOps, node, index);
      if (reason && controlFlowOps.has(node.opType)) {
        ctx.warnings.push(
          `${nodeName(node, index)} (${node.opType}) cannot stay float32 (${reason}); its body is converted scope by scope instead`,
        );
        reason = undefined;
      }
      plan.modes.set(node, reason ? "block" : "convert");
      if (reason) ctx.skipped.push({ node: nodeName(node, index), opType: node.opType, reason });
    });
  }
  for (const scope of plan.scopes) {
    for (const node of scope.graph.node) {
      if (!plan.modes.has(node)) continue;
      node.input.forEach((name, slot) => {
        if (isFloat32(plan, name)) (wantedWidth(plan, node, slot) === 16 ? plan.wants16 : plan.wants32).add(name);
      });
    }
    const isMain = scope === main;
    for (const o of scope.graph.output) {
      if (isFloat32(plan, o.name)) (isMain && plan.keepIo ? plan.wants32 : plan.wants16).add(o.name);
    }
  }
  return plan;
}

// What every quantization method works with: the source model (read-only on disk, its proto edited in memory),
// the options, the output's tensor store, fresh names, node selection by the include/exclude lists, a cache so a
// weight shared by several nodes is quantized once, and the result being assembled.
import type { NodeProto, TensorProto } from "onnx-buf";
import { EdgeError } from "../../errors";
import type { OnnxModel } from "../../onnx/read-model";
import { nodeLabel } from "../../onnx/walk";
import { type ConstantRef, NameSource, type Scope } from "./edit";
import type { TensorStore } from "./tensor-store";
import type { QuantizeOptions, QuantizeProgress, QuantizedNode, SkippedNode } from "../types";

export interface QuantizeContext {
  model: OnnxModel;
  options: QuantizeOptions;
  store: TensorStore;
  names: NameSource;
  /** The source model's path as the user gave it, for error locations. */
  file: string;
  quantized: QuantizedNode[];
  skipped: SkippedNode[];
  warnings: string[];
  /** Original weight names that may now be unused (pruned at the end). */
  replaced: Set<string>;
  /** Quantized forms of weights already made, by a key of weight name and parameters → new tensor names. */
  weightCache: Map<string, string[]>;
  /** Number of distinct weights quantized. */
  weightCount: number;
  /** The kernels' output arrays, by use, reused weight after weight (kernelOutput). */
  kernelOutputs: Map<string, Int8Array | Uint8Array | Float32Array>;
  onProgress?: (progress: QuantizeProgress) => void;
  signal?: AbortSignal;
}

type OutputArray = Int8Array | Uint8Array | Float32Array;

/**
 * An array of at least `length` elements for a kernel to write a weight's results into (quantizeInt8's and
 * quantizeInt4's `into`), one per `use` ("int8", "int4-packed", …): grown when a weight needs more, and reused by the
 * next weight once the store has taken this one's bytes, so the kernels write into pages already mapped.
 */
export function kernelOutput<T extends OutputArray>(
  ctx: QuantizeContext,
  use: string,
  type: { new (length: number): T },
  length: number,
): T {
  const held = ctx.kernelOutputs.get(use);
  if (held instanceof type && held.length >= length) return held;
  const grown = new type(length);
  ctx.kernelOutputs.set(use, grown);
  return grown;
}

export function newContext(
  model: OnnxModel,
  options: QuantizeOptions,
  store: TensorStore,
  file: string,
): QuantizeContext {
  return {
    model,
    options,
    store,
    names: new NameSource(model.proto),
    file,
    quantized: [],
    skipped: [],
    warnings: [],
    replaced: new Set(),
    weightCache: new Map(),
    weightCount: 0,
    kernelOutputs: new Map(),
  };
}

/** A node's name for users and for matching `exclude.nodes` (its name, else `OpType#index`). */
export function nodeName(node: NodeProto, index: number): string {
  return node.name || `${node.opType}#${index}`;
}

/**
 * Whether the user's lists let the method touch this node: `include` (when given) must name its op or node,
 * and `exclude` must not. The method still decides whether it can.
 */
export function selected(ctx: QuantizeContext, node: NodeProto, index: number): boolean {
  const name = nodeName(node, index);
  const { include, exclude } = ctx.options;
  if (exclude?.ops?.includes(node.opType) || exclude?.nodes?.includes(name)) return false;
  if (include && (include.ops || include.nodes))
    return Boolean(include.ops?.includes(node.opType) || include.nodes?.includes(name));
  return true;
}

/** Adds a tensor as an initializer of the scope that held the original weight (visible to its subgraphs too). */
export function addInitializer(ref: ConstantRef, tensor: TensorProto): void {
  ref.scope.graph.initializer.push(tensor);
}

export function checkAborted(ctx: QuantizeContext): void {
  if (ctx.signal?.aborted)
    throw new EdgeError("run/failed", "quantization stopped before it finished; nothing was written", {
      file: ctx.file,
    });
}

/** The error for a node a method was asked to handle and cannot: names the node and why. */
export function nodeError(
  ctx: QuantizeContext,
  node: NodeProto,
  index: number,
  message: string,
  hint?: string,
): EdgeError {
  return new EdgeError(
    "model/unsupported",
    `${nodeLabel(node, index)} (${node.opType}): ${message}`,
    { file: ctx.file, node: nodeName(node, index) },
    hint,
  );
}

export type { Scope };

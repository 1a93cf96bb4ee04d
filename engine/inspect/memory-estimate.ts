// Peak activation memory from a liveness walk over the nodes in topological order. Each value is allocated when
// its node runs and freed after its last reader (graph outputs live to the end; the graph's inputs are live from
// the start). View ops share their input's buffer. A node holding subgraphs (If, Loop, Scan) or calling a model
// function adds its body's own peak while it runs. The peak is the largest sum of live bytes at any node. A value
// whose size cannot be counted exactly (a dim past 2^53, bytes past 2^53) makes the peak inexact (`exact: false`):
// it is then left out of the sum rather than counted as a rounded or zero number that would look like an answer.
import { nodeLabel } from "../onnx/walk";
import type { BodyShapes } from "../onnx/shape-propagation";
import { dtypeBits } from "../onnx/dtypes";
import { infoBytes, type TensorInfo } from "../onnx/tensor-info";
import { MAX_EXACT } from "./tensor-checks";

/** Ops whose output is a view of their first input in common runtimes (no copy). */
const viewOps = new Set(["Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"]);

export interface ActivationPeak {
  peakBytes: number;
  /** The node running when the peak is reached (the deepest one, for peaks inside subgraphs). */
  at?: { scope: string; node: string; opType: string };
  /** Bytes of the body's inputs (counted as live from the start). */
  inputBytes: number;
  /** False when a value's size or the sum could not be counted exactly (see the file's header). */
  exact: boolean;
  /** The values whose size could not be counted (the first few). */
  uncounted: string[];
}

/** Bytes of a value; undefined when its shape is unknown; "overflow" when its size cannot be counted exactly. */
export function valueBytes(info: TensorInfo | undefined): number | undefined | "overflow" {
  if (!info?.shape) return undefined;
  let elements = 1n;
  for (const d of info.shape) {
    // NaN, negative or fractional: shape propagation does not know this size (counted as 0, as before).
    if (Number.isNaN(d) || d < 0 || (Number.isFinite(d) && !Number.isInteger(d))) return undefined;
    if (!Number.isSafeInteger(d)) return "overflow";
    elements *= BigInt(d);
  }
  const bits = BigInt(dtypeBits(info.dtype) || 32);
  if ((elements * bits + 7n) / 8n > MAX_EXACT) return "overflow";
  return infoBytes(info);
}

export const MEMORY_METHOD = [
  "estimate = weights + peak activations.",
  "weights: every initializer and Constant-node tensor (subgraphs included; external data counted by its length).",
  "activations: a liveness walk over the nodes in topological order; each value is allocated when its node runs and freed after its last reader; graph inputs are live from the start and graph outputs to the end; Reshape/Flatten/Squeeze/Unsqueeze/Identity outputs share their input's buffer; a node with subgraphs (If, Loop, Scan) or a call to a model function adds its body's own peak while it runs.",
  "shapes: symbolic dims bound from the given input shapes (unbound ones default to 1); each value's shape comes from value_info when fully known, else from a shape rule for common ops (elementwise/broadcast, MatMul, Gemm, Conv, pooling, Reshape, Transpose, Concat, Softmax, Gather, Slice, Split, reductions, Resize, RNNs, …), else from value_info with unbound dims as 1; otherwise it is ASSUMED to have the shape of the node's first input (or of its largest known input). Data-dependent sizes (NonZero) take their upper bound.",
  "not included: the runtime itself, allocator rounding and arenas, per-kernel scratch space, and the model file held while loading.",
];

/** The peak of live activation bytes in one analysed body. */
export function activationPeak(shapes: BodyShapes): ActivationPeak {
  const { body, order, info, weights, reads } = shapes;
  const lastUse = new Map<string, number>();
  order.forEach((nodeIndex, p) => {
    for (const name of reads[nodeIndex]) lastUse.set(name, p);
  });
  for (const name of body.outputs) lastUse.set(name, Number.POSITIVE_INFINITY);

  // Buffers: a value owns one, or shares its input's buffer (view ops). A buffer is freed after its last reader.
  const bufferOf = new Map<string, number>();
  const bufferBytes: number[] = [];
  const bufferLast: number[] = [];
  const freed: boolean[] = [];
  let live = 0;
  const uncounted: string[] = [];
  const allocate = (name: string, created: number) => {
    const size = valueBytes(info.get(name));
    if (size === "overflow" && uncounted.length < 10) uncounted.push(name);
    const bytes = typeof size === "number" ? size : 0;
    bufferOf.set(name, bufferBytes.length);
    bufferBytes.push(bytes);
    bufferLast.push(lastUse.get(name) ?? created);
    freed.push(false);
    live += bytes;
  };
  const release = (name: string, p: number) => {
    const b = bufferOf.get(name);
    if (b === undefined || freed[b] || bufferLast[b] > p) return;
    freed[b] = true;
    live -= bufferBytes[b];
  };

  for (const input of body.inputs) if (!weights.has(input.name)) allocate(input.name, -1);
  const inputBytes = live;
  let peak = { peakBytes: live, inputBytes, at: undefined as ActivationPeak["at"] };
  let innerExact = true;

  order.forEach((nodeIndex, p) => {
    const node = body.nodes[nodeIndex];
    for (const name of node.output) {
      if (!name || weights.has(name)) continue;
      const source = node.input[0] ? bufferOf.get(node.input[0]) : undefined;
      if (viewOps.has(node.opType) && source !== undefined && !freed[source]) {
        bufferOf.set(name, source);
        bufferLast[source] = Math.max(bufferLast[source], lastUse.get(name) ?? p);
      } else {
        allocate(name, p);
      }
    }
    let transient = 0;
    let innerAt: ActivationPeak["at"];
    for (const inner of shapes.inner.get(nodeIndex) ?? []) {
      const innerPeak = activationPeak(inner);
      innerExact &&= innerPeak.exact;
      uncounted.push(...innerPeak.uncounted.slice(0, Math.max(0, 10 - uncounted.length)));
      if (innerPeak.peakBytes > transient) [transient, innerAt] = [innerPeak.peakBytes, innerPeak.at];
    }
    if (live + transient > peak.peakBytes) {
      peak = {
        peakBytes: live + transient,
        inputBytes,
        at: innerAt ?? { scope: body.path, node: nodeLabel(node, nodeIndex), opType: node.opType },
      };
    }
    for (const name of reads[nodeIndex]) release(name, p);
    for (const name of node.output) if (name) release(name, p);
  });
  const exact = innerExact && uncounted.length === 0 && Number.isSafeInteger(peak.peakBytes);
  return { peakBytes: peak.peakBytes, inputBytes, ...(peak.at ? { at: peak.at } : {}), exact, uncounted };
}

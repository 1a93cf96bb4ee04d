// What the fusion matchers ask of a graph: who produces a tensor, who reads it (node inputs, graph outputs and the
// names subgraphs read from outside themselves), the values of small constants (initializers and Constant nodes),
// and the rank of a tensor where shape propagation is sure of it. Built once per pass over the main graph; the
// passes record their edits in a `GraphEdit` and apply them together, so the index stays true while matching.
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto } from "onnx-buf";
import { SymbolTable } from "../../onnx/dim-bindings";
import { analyseModel, boundInputInfos, freeNames } from "../../onnx/shape-propagation";
import { smallTensorValues } from "../../onnx/tensor-proto";
import { dimExpression } from "../../run/decoder-feeds";
import { makeNode } from "../../onnx/node-build";
import { isConstantNode, nodeSubgraphs } from "../../onnx/walk";

/** Sizes given to symbolic dims while propagating shapes: distinct, so ranks are known and dims not confused. */
const PROBE_SIZES = [2, 3, 5, 7, 11, 13, 17, 19];

export class GraphIndex {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  /** Graph outputs and names read from inside subgraphs: tensors whose consumers a matcher cannot see. */
  readonly externalReads = new Set<string>();
  readonly constants = new Map<string, TensorProto>();
  private readonly ranks = new Map<string, number>();
  private readonly names = new Set<string>();

  constructor(
    readonly model: ModelProto,
    readonly graph: GraphProto,
  ) {
    for (const t of graph.initializer) {
      this.constants.set(t.name, t);
      this.names.add(t.name);
    }
    for (const i of graph.input) this.names.add(i.name);
    for (const o of graph.output) {
      this.externalReads.add(o.name);
      this.names.add(o.name);
    }
    for (const node of graph.node) {
      if (node.name) this.names.add(node.name);
      for (const o of node.output) {
        if (!o) continue;
        this.producer.set(o, node);
        this.names.add(o);
      }
      if (isConstantNode(node)) {
        const value = node.attribute.find((a) => a.name === "value" && a.t)?.t;
        if (value && node.output[0]) this.constants.set(node.output[0], value);
      }
      for (const i of node.input) if (i) this.consumers.set(i, [...(this.consumers.get(i) ?? []), node]);
      for (const sub of nodeSubgraphs(node)) for (const name of freeNames(sub.graph)) this.externalReads.add(name);
    }
    // A graph input that shadows an initializer is not a constant.
    for (const i of graph.input) if (!graph.initializer.some((t) => t.name === i.name)) this.constants.delete(i.name);
    this.propagateRanks();
  }

  private propagateRanks(): void {
    try {
      // Plain names first, then sums of them ("past_sequence_length + sequence_length") as their sums, so the
      // mask's dims agree with the cache's and broadcasting works out as at run time.
      const symbols = new Map<string, number>();
      const params = new Set<string>();
      for (const input of this.graph.input)
        if (input.type?.value.case === "tensorType")
          for (const d of input.type.value.value.shape?.dim ?? [])
            if (d.value.case === "dimParam" && d.value.value) params.add(d.value.value);
      let next = 0;
      for (const p of params) if (!p.includes("+")) symbols.set(p, PROBE_SIZES[next++ % PROBE_SIZES.length]);
      for (const p of params) {
        if (!p.includes("+")) continue;
        const sum = dimExpression(p, Object.fromEntries(symbols));
        symbols.set(p, sum ?? PROBE_SIZES[next++ % PROBE_SIZES.length]);
      }
      const infos = boundInputInfos(this.graph, (param) => (param === undefined ? 1 : (symbols.get(param) ?? 1)));
      const shapes = analyseModel(this.model, new SymbolTable(new Map(symbols)), infos);
      for (const [name, info] of shapes.info) {
        const source = shapes.source.get(name);
        if (info.shape && source !== "assumed" && source !== "unknown") this.ranks.set(name, info.shape.length);
      }
    } catch {
      // Ranks are a help for the matchers, never required: without them a pass checks less and verification decides.
    }
  }

  /** The rank shape propagation is sure of, or undefined. */
  rank(name: string): number | undefined {
    return this.ranks.get(name);
  }

  /** The node producing `name` when it is of `opType` in the default domain. */
  producedBy(name: string, opType: string): NodeProto | undefined {
    const node = this.producer.get(name);
    return node && node.opType === opType && (node.domain === "" || node.domain === "ai.onnx") ? node : undefined;
  }

  /** Every reader of `name` (nodes only; see `externalReads` for the rest). */
  readers(name: string): NodeProto[] {
    return this.consumers.get(name) ?? [];
  }

  /** The values of a small constant (≤ 64 elements), or undefined for computed tensors and graph inputs. */
  constantValues(name: string): number[] | undefined {
    const t = this.constants.get(name);
    return t ? smallTensorValues(t) : undefined;
  }

  /** A constant's dims, or undefined for computed tensors. */
  constantDims(name: string): number[] | undefined {
    return this.constants.get(name)?.dims.map(Number);
  }

  /** The single value of a one-element constant. */
  scalar(name: string): number | undefined {
    const v = this.constantValues(name);
    return v && v.length === 1 ? v[0] : undefined;
  }

  /** A node or tensor name no part of the graph uses yet. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }
}

/** A com.microsoft node (makeNode drops trailing absent optional inputs and outputs). */
export function contribNode(
  opType: string,
  name: string,
  inputs: string[],
  outputs: string[],
  attrs: AttributeProto[],
): NodeProto {
  return makeNode(opType, inputs, outputs, name, attrs, "com.microsoft");
}

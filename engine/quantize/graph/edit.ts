// Editing an ONNX graph in place for the quantizers: constants by name (initializers and Constant nodes, looked up
// through enclosing scopes), fresh names, the uses of every tensor across all scopes, topological sorting that
// names the node on a cycle, and pruning of constants nothing reads any more.
import { create } from "@bufbuild/protobuf";
import { type GraphProto, type ModelProto, type NodeProto, OperatorSetIdProtoSchema, type TensorProto } from "onnx-buf";
import { EdgeError } from "../../errors";
import { isConstantNode, nodeLabel, nodeSubgraphs } from "../../onnx/walk";

/** A graph and the scopes around it (innermost first after itself), for looking names up. */
export interface Scope {
  graph: GraphProto;
  parent?: Scope;
  /** How errors name it: "main graph" or `node "If_3" attribute then_branch`. */
  label: string;
}

export interface ConstantRef {
  tensor: TensorProto;
  /** Where it is defined. */
  scope: Scope;
  /** The Constant node holding it, when it is not an initializer. */
  node?: NodeProto;
}

/** The constant a name refers to in `scope` or an enclosing scope; undefined for computed tensors and graph inputs that override. */
export function findConstant(scope: Scope | undefined, name: string): ConstantRef | undefined {
  for (let s = scope; s; s = s.parent) {
    const init = s.graph.initializer.find((t) => t.name === name);
    if (init) return { tensor: init, scope: s };
    for (const node of s.graph.node) {
      if (isConstantNode(node) && node.output[0] === name) {
        const value = node.attribute.find((a) => a.name === "value" && a.t);
        return value?.t ? { tensor: value.t, scope: s, node } : undefined;
      }
      if (node.output.includes(name)) return undefined;
    }
    if (s.graph.input.some((i) => i.name === name)) return undefined;
  }
  return undefined;
}

/** Every scope of the model's main graph, outer before inner. */
export function* scopes(model: ModelProto): Generator<Scope> {
  if (!model.graph) return;
  function* visit(scope: Scope): Generator<Scope> {
    yield scope;
    for (const node of scope.graph.node) {
      for (const sub of nodeSubgraphs(node))
        yield* visit({
          graph: sub.graph,
          parent: scope,
          label: `node "${node.name || node.opType}" attribute ${sub.label}`,
        });
    }
  }
  yield* visit({ graph: model.graph, label: "main graph" });
}

/** How many times each tensor name is read: node inputs in any scope, and graph outputs. */
export function countUses(model: ModelProto): Map<string, number> {
  const uses = new Map<string, number>();
  const add = (name: string) => {
    if (name) uses.set(name, (uses.get(name) ?? 0) + 1);
  };
  for (const scope of scopes(model)) {
    for (const node of scope.graph.node) for (const input of node.input) add(input);
    for (const output of scope.graph.output) add(output.name);
  }
  return uses;
}

/** Fresh tensor and node names that collide with nothing in the model. */
export class NameSource {
  private readonly taken = new Set<string>();
  constructor(model: ModelProto) {
    for (const scope of scopes(model)) {
      const g = scope.graph;
      for (const t of g.initializer) this.taken.add(t.name);
      for (const v of [...g.input, ...g.output, ...g.valueInfo]) this.taken.add(v.name);
      for (const n of g.node) {
        if (n.name) this.taken.add(n.name);
        for (const o of n.output) this.taken.add(o);
      }
    }
  }
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }
}

// Node and attribute makers live in engine/onnx (compile's fusions use them too).
export { attr, makeNode } from "../../onnx/node-build";

export function intAttr(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a ? Number(a.i) : fallback;
}

/** Names a subgraph reads from outside itself (its free variables), recursively. */
function outerReads(graph: GraphProto, into: Set<string>): void {
  const defined = new Set<string>([...graph.input.map((i) => i.name), ...graph.initializer.map((t) => t.name)]);
  for (const node of graph.node) for (const o of node.output) defined.add(o);
  for (const node of graph.node) {
    for (const i of node.input) if (i && !defined.has(i)) into.add(i);
    for (const sub of nodeSubgraphs(node)) {
      const inner = new Set<string>();
      outerReads(sub.graph, inner);
      for (const i of inner) if (!defined.has(i)) into.add(i);
    }
  }
  for (const o of graph.output) if (!defined.has(o.name)) into.add(o.name);
}

/**
 * Sorts a graph's nodes so every node follows the producers of what it reads (including what its subgraphs read),
 * keeping the original order among independent nodes. Returns whether the order changed. A cycle is a
 * `model/invalid` error naming a node on it.
 */
export function topoSort(graph: GraphProto, file?: string): boolean {
  const producer = new Map<string, number>();
  graph.node.forEach((node, i) => {
    for (const o of node.output) if (o) producer.set(o, i);
  });
  const deps: number[][] = graph.node.map((node) => {
    const names = new Set(node.input);
    for (const sub of nodeSubgraphs(node)) outerReads(sub.graph, names);
    const d = new Set<number>();
    for (const n of names) {
      const p = producer.get(n);
      if (p !== undefined) d.add(p);
    }
    return [...d];
  });
  const pending = deps.map((d) => d.length);
  const dependents: number[][] = graph.node.map(() => []);
  deps.forEach((d, i) => {
    for (const p of d) dependents[p].push(i);
  });
  // Ready nodes are taken in original order (a min-heap would be exact; a sorted insert is enough for graph sizes here).
  const ready: number[] = [];
  pending.forEach((count, i) => {
    if (count === 0) ready.push(i);
  });
  const order: number[] = [];
  while (ready.length > 0) {
    const i = ready.shift()!;
    order.push(i);
    for (const j of dependents[i]) {
      if (--pending[j] === 0) {
        let at = ready.length;
        while (at > 0 && ready[at - 1] > j) at--;
        ready.splice(at, 0, j);
      }
    }
  }
  if (order.length < graph.node.length) {
    const stuck = pending.findIndex((count) => count > 0);
    const node = graph.node[stuck];
    throw new EdgeError(
      "model/invalid",
      `the graph has a cycle through node ${nodeLabel(node, stuck)} (${node.opType}): its inputs depend on its own outputs`,
      { file, node: node.name || `${node.opType}#${stuck}` },
      "re-export the model; an ONNX graph must be acyclic",
    );
  }
  const changed = order.some((index, position) => index !== position);
  if (changed) graph.node = order.map((i) => graph.node[i]);
  return changed;
}

/** Removes initializers and Constant nodes among `candidates` that nothing reads any more (and their graph inputs). */
export function pruneUnused(model: ModelProto, candidates: Iterable<string>): number {
  const uses = countUses(model);
  const dead = new Set([...candidates].filter((name) => !uses.get(name)));
  if (dead.size === 0) return 0;
  let removed = 0;
  for (const scope of scopes(model)) {
    const g = scope.graph;
    const before = g.initializer.length + g.node.length;
    g.initializer = g.initializer.filter((t) => !dead.has(t.name));
    g.node = g.node.filter((n) => !(isConstantNode(n) && dead.has(n.output[0])));
    g.input = g.input.filter((i) => !dead.has(i.name));
    removed += before - (g.initializer.length + g.node.length);
  }
  return removed;
}

/** Default-domain opset of the model (0 when it imports none). */
export function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => o.domain === "" || o.domain === "ai.onnx");
  return entry ? Number(entry.version) : 0;
}

/** Adds (or raises) an opset import, e.g. com.microsoft 1 for contrib operators. */
export function requireOpset(model: ModelProto, domain: string, version: number): void {
  const entry = model.opsetImport.find((o) => o.domain === domain);
  if (entry) {
    if (Number(entry.version) < version) entry.version = BigInt(version);
  } else {
    model.opsetImport.push(create(OperatorSetIdProtoSchema, { domain, version: BigInt(version) }));
  }
}

// The problems of a model that `edge inspect` reports instead of passing over them: tensors whose data does not
// match dims × dtype, negative dims, counts past 2^53 (tensor-checks.ts), and in every graph scope (the main graph,
// subgraphs with the names of their enclosing graphs in sight, function bodies): cycles, node inputs that nothing
// produces, values produced twice, graph outputs that nothing produces. A model with any of them does not load in
// a runtime, so its estimate is not trusted either. Each problem names its scope and its node or tensor.
import type { GraphProto, ModelProto, NodeProto, ValueInfoProto } from "onnx-buf";
import { freeNames } from "../onnx/shape-propagation";
import { nodeLabel, nodeSubgraphs, walkTensors } from "../onnx/walk";
import {
  dimsText,
  exactElementCount,
  groupDigits,
  MAX_EXACT,
  type TensorIssueCode,
  tensorIssue,
} from "./tensor-checks";

export type ModelProblemCode =
  TensorIssueCode | "graph/cycle" | "graph/dangling-input" | "graph/duplicate-output" | "graph/missing-output";

export interface ModelProblem {
  code: ModelProblemCode;
  message: string;
  /** The graph scope: `main`, `main/If_0:then_branch`, `function:custom.Gelu`. */
  scope: string;
  /** The node it is about (its name, or `OpType#index`). */
  node?: string;
  /** The tensor or value it is about. */
  tensor?: string;
}

/** At most this many problems of one kind are listed; a last one says how many more there are. */
const MAX_PER_CODE = 20;

interface Scope {
  path: string;
  nodes: NodeProto[];
  /** Names the scope defines before any node runs: graph inputs and initializers, or function inputs. */
  defined: string[];
  /** Graph outputs, or function outputs. */
  outputs: string[];
  /** Names of the enclosing scopes (for subgraphs). */
  outer: ReadonlySet<string>;
  /** Declared types to check: graph inputs, outputs and value_info. */
  declared: { what: string; info: ValueInfoProto }[];
}

function graphScope(graph: GraphProto, path: string, outer: ReadonlySet<string>): Scope {
  return {
    path,
    nodes: graph.node,
    defined: [
      ...graph.input.map((i) => i.name),
      ...graph.initializer.map((t) => t.name),
      ...graph.sparseInitializer.map((s) => s.values?.name ?? "").filter(Boolean),
    ],
    outputs: graph.output.map((o) => o.name),
    outer,
    declared: [
      ...graph.input.map((info) => ({ what: "input", info })),
      ...graph.output.map((info) => ({ what: "output", info })),
      ...graph.valueInfo.map((info) => ({ what: "value", info })),
    ],
  };
}

/** Every scope, each subgraph with the names visible from where it sits. */
function* scopes(model: ModelProto): Generator<Scope> {
  function* withSubgraphs(scope: Scope): Generator<Scope> {
    yield scope;
    const visible = new Set([...scope.outer, ...scope.defined, ...scope.nodes.flatMap((n) => n.output)]);
    for (let i = 0; i < scope.nodes.length; i++) {
      for (const sub of nodeSubgraphs(scope.nodes[i]))
        yield* withSubgraphs(
          graphScope(sub.graph, `${scope.path}/${nodeLabel(scope.nodes[i], i)}:${sub.label}`, visible),
        );
    }
  }
  if (model.graph) yield* withSubgraphs(graphScope(model.graph, "main", new Set()));
  for (const fn of model.functions) {
    yield* withSubgraphs({
      path: `function:${fn.domain ? `${fn.domain}.` : ""}${fn.name}`,
      nodes: fn.node,
      defined: [...fn.input],
      outputs: [...fn.output],
      outer: new Set(),
      declared: [],
    });
  }
}

function checkDeclared(scope: Scope, add: (p: ModelProblem) => void): void {
  for (const { what, info } of scope.declared) {
    if (info.type?.value.case !== "tensorType" || !info.type.value.value.shape) continue;
    const dims = info.type.value.value.shape.dim.map((d) =>
      d.value.case === "dimValue" ? d.value.value : d.value.case === "dimParam" ? d.value.value : null,
    );
    const negative = dims.findIndex((d) => typeof d === "bigint" && d < 0n);
    if (negative >= 0) {
      add({
        code: "tensor/negative-dim",
        message: `${what} "${info.name}" declares dim ${negative} as ${dims[negative]} in ${dimsText(dims)}; dims cannot be negative`,
        scope: scope.path,
        tensor: info.name,
      });
      continue;
    }
    const count = exactElementCount(dims.filter((d): d is bigint => typeof d === "bigint"));
    if (count !== undefined && count > MAX_EXACT)
      add({
        code: "tensor/too-large",
        message: `${what} "${info.name}" declares ${groupDigits(count)} elements or more (${dimsText(dims)}): more than 2^53, which no device holds`,
        scope: scope.path,
        tensor: info.name,
      });
  }
}

/** One cycle among `stuck` nodes (those a topological sort could not place), as node indexes. */
function findCycle(stuck: Set<number>, producers: (i: number) => number[]): number[] {
  const start = stuck.values().next().value as number;
  const seen = new Map<number, number>();
  const path: number[] = [];
  let at = start;
  // Walk back along producers that are stuck too: every stuck node has one, so the walk comes back to a node seen.
  while (!seen.has(at)) {
    seen.set(at, path.length);
    path.push(at);
    const next = producers(at).find((p) => stuck.has(p));
    if (next === undefined) return [];
    at = next;
  }
  return path.slice(seen.get(at)).reverse();
}

function checkGraph(scope: Scope, add: (p: ModelProblem) => void): void {
  const { nodes, path } = scope;
  const label = (i: number) => nodeLabel(nodes[i], i);
  const producer = new Map<string, number>();
  const defined = new Set(scope.defined);
  nodes.forEach((node, i) => {
    for (const name of node.output) {
      if (!name) continue;
      const first = producer.get(name);
      if (first !== undefined || defined.has(name))
        add({
          code: "graph/duplicate-output",
          message: `node "${label(i)}" writes "${name}", which ${first !== undefined ? `node "${label(first)}" also writes` : "is already a graph input or initializer"}: a value has one producer`,
          scope: path,
          node: label(i),
          tensor: name,
        });
      else producer.set(name, i);
    }
  });

  const reads = nodes.map((node) => [
    ...node.input.filter(Boolean),
    ...[...nodeSubgraphs(node)].flatMap((sub) => [...freeNames(sub.graph)]),
  ]);
  nodes.forEach((node, i) => {
    for (const name of node.input) {
      if (!name || producer.has(name) || defined.has(name) || scope.outer.has(name)) continue;
      add({
        code: "graph/dangling-input",
        message: `node "${label(i)}" reads "${name}", which no initializer, graph input or node output produces`,
        scope: path,
        node: label(i),
        tensor: name,
      });
    }
  });
  for (const name of scope.outputs) {
    if (!name || producer.has(name) || defined.has(name) || scope.outer.has(name)) continue;
    add({
      code: "graph/missing-output",
      message: `output "${name}" is produced by no node, input or initializer`,
      scope: path,
      tensor: name,
    });
  }

  // Kahn's algorithm over the scope's own producers; what it cannot place waits on a cycle.
  const producersOf = (i: number) =>
    [...new Set(reads[i].map((name) => producer.get(name)))].filter((p): p is number => p !== undefined);
  const indegree = nodes.map((_, i) => producersOf(i).filter((p) => p !== i).length);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((_, i) => producersOf(i).forEach((p) => p !== i && dependents[p].push(i)));
  const queue = indegree.flatMap((d, i) => (d === 0 && !producersOf(i).includes(i) ? [i] : []));
  for (let q = 0; q < queue.length; q++)
    for (const j of dependents[queue[q]]) if (--indegree[j] === 0 && !producersOf(j).includes(j)) queue.push(j);
  if (queue.length === nodes.length) return;
  const placed = new Set(queue);
  const stuck = new Set(nodes.map((_, i) => i).filter((i) => !placed.has(i)));
  const cycle = findCycle(stuck, producersOf);
  const names = cycle.map(label);
  add({
    code: "graph/cycle",
    message:
      cycle.length === 1
        ? `node "${names[0]}" reads its own output: a cycle`
        : `nodes ${names.map((n) => `"${n}"`).join(" → ")} → "${names[0]}" form a cycle${stuck.size > cycle.length ? ` (${stuck.size} nodes wait on cycles)` : ""}`,
    scope: path,
    node: names[0],
  });
}

/** Every problem of the model, in scope order; tensors first. */
export function modelProblems(model: ModelProto): ModelProblem[] {
  const problems: ModelProblem[] = [];
  const perCode = new Map<string, number>();
  const add = (p: ModelProblem) => {
    const n = (perCode.get(p.code) ?? 0) + 1;
    perCode.set(p.code, n);
    if (n <= MAX_PER_CODE) problems.push(p);
  };
  for (const entry of walkTensors(model)) {
    const issue = tensorIssue(entry.tensor);
    if (!issue) continue;
    const node = entry.node ? nodeLabel(entry.node, entry.scope.nodes.indexOf(entry.node)) : undefined;
    const name = entry.tensor.name || (node ? `${node}.${entry.attribute}` : "(unnamed)");
    add({
      code: issue.code,
      message: `tensor "${name}" ${issue.detail}`,
      scope: entry.scope.path,
      ...(node ? { node } : {}),
      tensor: name,
    });
  }
  for (const scope of scopes(model)) {
    checkDeclared(scope, add);
    checkGraph(scope, add);
  }
  for (const [code, n] of perCode)
    if (n > MAX_PER_CODE)
      problems.push({
        code: code as ModelProblemCode,
        message: `… and ${n - MAX_PER_CODE} more ${code} problems`,
        scope: "",
      });
  return problems;
}

// Shapes the model does not declare, inferred with the engine's shape propagation (onnx/shape-propagation.ts, the
// one `edge inspect` uses) and given back with their symbols: the propagation works on numbers, so every symbolic
// dim ("batch") and every unnamed unknown dim is bound to a sentinel number, in two passes with different sentinels.
// A dim equal in both passes is a real number; a dim that is symbol k's sentinel in both passes is that symbol; any
// other dim depends on symbols in a way a name cannot say (batch·seq) and is null. Only the op's shape rules count
// as inference here (never the propagation's "assumed like the first input").
import type { FunctionProto, GraphProto, ModelProto, TypeProto } from "onnx-buf";
import type { GraphDim } from "../../common/graph/model-graph";
import { SymbolTable } from "../onnx/dim-bindings";
import { analyseModel, type BodyShapes, boundInputInfos } from "../onnx/shape-propagation";
import { nodeSubgraphs } from "../onnx/walk";

/** What the propagation found for one graph body: dtype and dims per tensor name, and the bodies of its nodes. */
export interface InferredScope {
  tensors: Map<string, { dtype: number; shape?: GraphDim[] }>;
  /** Per node index, the inferred scopes of its subgraphs in nodeSubgraphs order (absent when not analysed). */
  inner: Map<number, (InferredScope | undefined)[]>;
}

const SENTINEL_BASE = [1_000_003, 3_000_017];
const SENTINEL_STEP = [97, 101];

function collectSymbols(graph: GraphProto, into: Set<string>, functions: readonly FunctionProto[]): void {
  const pending: GraphProto[] = [graph];
  const visit = (type: TypeProto | undefined) => {
    if (type?.value.case !== "tensorType") return;
    for (const d of type.value.value.shape?.dim ?? [])
      if (d.value.case === "dimParam" && d.value.value !== "") into.add(d.value.value);
  };
  while (pending.length > 0) {
    const g = pending.pop()!;
    for (const vi of [...g.input, ...g.output, ...g.valueInfo]) visit(vi.type);
    for (const n of g.node) for (const sub of nodeSubgraphs(n)) pending.push(sub.graph);
  }
  for (const fn of functions) for (const vi of fn.valueInfo) visit(vi.type);
}

/** One propagation pass with the symbols bound to the `pass`-th set of sentinels. */
function propagate(
  model: ModelProto,
  symbols: string[],
  pass: number,
): { shapes: BodyShapes; sentinels: Map<number, string | null> } {
  const sentinels = new Map<number, string | null>();
  const bound = new Map<string, number>();
  symbols.forEach((name, k) => {
    const value = SENTINEL_BASE[pass] + SENTINEL_STEP[pass] * k;
    bound.set(name, value);
    sentinels.set(value, name);
  });
  let unnamed = symbols.length;
  const table = new SymbolTable(bound);
  const inputInfos = boundInputInfos(model.graph!, (param) => {
    if (param !== undefined) return bound.get(param)!;
    const value = SENTINEL_BASE[pass] + SENTINEL_STEP[pass] * unnamed++;
    sentinels.set(value, null);
    return value;
  });
  const shapes = analyseModel(model, table, inputInfos);
  return { shapes, sentinels };
}

function mergeScopes(
  a: BodyShapes,
  b: BodyShapes | undefined,
  sentinelsA: Map<number, string | null>,
  sentinelsB: Map<number, string | null>,
  symbolic: boolean,
): InferredScope {
  const tensors: InferredScope["tensors"] = new Map();
  for (const [name, infoA] of a.info) {
    if (a.source.get(name) !== "rule") continue;
    const infoB = b?.info.get(name);
    let shape: GraphDim[] | undefined;
    if (infoA.shape) {
      if (!symbolic) shape = [...infoA.shape];
      else if (infoB?.shape && infoB.shape.length === infoA.shape.length && b?.source.get(name) === "rule") {
        shape = infoA.shape.map((d, i) => {
          const e = infoB.shape![i];
          const symbol = sentinelsA.get(d);
          if (symbol !== undefined && sentinelsB.get(e) === symbol) return symbol;
          return d === e && symbol === undefined ? d : null;
        });
      }
    }
    tensors.set(name, { dtype: infoA.dtype, shape });
  }
  const inner: InferredScope["inner"] = new Map();
  for (const [node, bodiesA] of a.inner) {
    const bodiesB = b?.inner.get(node);
    const subs = [...nodeSubgraphs(a.body.nodes[node])];
    // Bodies are analysed per subgraph in nodeSubgraphs order, except an If with a known condition (one branch).
    inner.set(
      node,
      subs.map((sub) => {
        const k = bodiesA.findIndex((s) => s.body.nodes === sub.graph.node);
        if (k < 0) return undefined;
        const kb = bodiesB?.findIndex((s) => s.body.nodes === sub.graph.node) ?? -1;
        return mergeScopes(bodiesA[k], kb >= 0 ? bodiesB![kb] : undefined, sentinelsA, sentinelsB, symbolic);
      }),
    );
  }
  return { tensors, inner };
}

/**
 * Infers the shapes of the model's values (main graph and nested bodies; function bodies are not part of the graph
 * viewer's graph). Never throws for a model that reads: a propagation failure gives no inferred shapes.
 */
export function inferShapes(model: ModelProto): InferredScope | undefined {
  if (!model.graph) return undefined;
  try {
    const names = new Set<string>();
    collectSymbols(model.graph, names, model.functions);
    const symbols = [...names];
    const hasUnnamed = model.graph.input.some(
      (vi) =>
        vi.type?.value.case === "tensorType" &&
        vi.type.value.value.shape?.dim.some((d) => d.value.case === undefined || d.value.value === ""),
    );
    const symbolic = symbols.length > 0 || hasUnnamed;
    const first = propagate(model, symbols, 0);
    const second = symbolic ? propagate(model, symbols, 1) : undefined;
    return mergeScopes(first.shapes, second?.shapes, first.sentinels, second?.sentinels ?? new Map(), symbolic);
  } catch {
    return undefined;
  }
}

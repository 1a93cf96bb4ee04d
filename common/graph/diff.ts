// The difference between two models' graphs (common/graph/diff-types.ts): a float model against its quantized or
// compiled form. Nodes are matched in passes, each only among nodes still unmatched:
//   1. by name (names unique in both graphs);
//   2. by the name of their first output tensor (quantizers keep output names when they replace or rename a node:
//      Conv → QLinearConv, MatMul → MatMulNBits);
//   3. by structure: same op and the same matched neighbours upstream, looking through unmatched nodes (inserted
//      QuantizeLinear/DequantizeLinear pairs) a few steps up, repeated while it finds new matches;
//   4. by position: the k-th unmatched node of an op in one graph with the k-th in the other, when both have as many.
// Matched nodes are compared on op, attributes (by digest), and the dtypes and shapes of their outputs (and inputs,
// when the op and input count are the same). Pure and iterative: linear passes with maps, no recursion.
import type { GraphDiff, NodeChange } from "./diff-types";
import { type GraphDim, type GraphTensor, type ModelGraph, nodeLabel, qualifiedOp } from "./model-graph";

/** How far up a structural match looks through unmatched nodes. */
const LOOK_THROUGH = 3;
const STRUCTURE_PASSES = 4;

function uniqueIndex(keys: (string | undefined)[]): Map<string, number> {
  const index = new Map<string, number>();
  const repeated = new Set<string>();
  keys.forEach((key, i) => {
    if (!key) return;
    if (index.has(key)) repeated.add(key);
    else index.set(key, i);
  });
  for (const key of repeated) index.delete(key);
  return index;
}

function producers(graph: ModelGraph): number[][] {
  return graph.nodes.map((n) => {
    const out: number[] = [];
    for (const t of n.inputs) if (t >= 0 && graph.tensors[t].producer >= 0) out.push(graph.tensors[t].producer);
    return out;
  });
}

/**
 * The structural key of each unmatched node: its op and the matched nodes (as before-graph indices) found upstream,
 * looking through at most LOOK_THROUGH unmatched nodes; graph inputs and weights count by name.
 */
function structuralKeys(
  graph: ModelGraph,
  preds: number[][],
  matchedAs: Int32Array,
  isAfter: boolean,
): (string | undefined)[] {
  return graph.nodes.map((node, i) => {
    if (matchedAs[i] >= 0) return undefined;
    const anchors: string[] = [];
    let frontier = [i];
    const seen = new Set<number>([i]);
    for (let depth = 0; depth < LOOK_THROUGH && frontier.length > 0; depth++) {
      const next: number[] = [];
      for (const f of frontier) {
        for (const t of graph.nodes[f].inputs) {
          if (t < 0) continue;
          const tensor = graph.tensors[t];
          if (tensor.producer < 0) {
            if (tensor.kind === "input") anchors.push(`i:${tensor.name}`);
          }
        }
        for (const p of preds[f]) {
          if (seen.has(p)) continue;
          seen.add(p);
          if (matchedAs[p] >= 0) anchors.push(`n:${isAfter ? matchedAs[p] : p}`);
          else next.push(p);
        }
      }
      frontier = next;
    }
    if (anchors.length === 0) return undefined;
    return `${opFamily(node.op)}|${[...new Set(anchors)].sort().join(",")}`;
  });
}

/** Ops a quantizer or compiler turns into one another count as one family for structural matching. */
function opFamily(op: string): string {
  if (op === "QLinearConv" || op === "ConvInteger") return "Conv";
  if (op === "QLinearMatMul" || op === "MatMulInteger" || op === "MatMulNBits" || op === "DynamicQuantizeMatMul")
    return "MatMul";
  if (op.startsWith("QLinear")) return op.slice("QLinear".length);
  return op;
}

const dimsText = (shape: GraphDim[] | undefined) => (shape ? `[${shape.map((d) => d ?? "?").join(", ")}]` : "?");

function tensorChanges(what: string, a: GraphTensor | undefined, b: GraphTensor | undefined, out: string[]): void {
  if (!a || !b) return;
  const name = a.name === b.name ? a.name : `${a.name} → ${b.name}`;
  if (a.dtype && b.dtype && a.dtype !== b.dtype) out.push(`${what} ${name}: ${a.dtype} → ${b.dtype}`);
  if (a.shape && b.shape && dimsText(a.shape) !== dimsText(b.shape))
    out.push(`${what} ${name}: ${dimsText(a.shape)} → ${dimsText(b.shape)}`);
}

function compare(before: ModelGraph, after: ModelGraph, b: number, a: number): string[] {
  const x = before.nodes[b];
  const y = after.nodes[a];
  const details: string[] = [];
  const opX = qualifiedOp(x);
  const opY = qualifiedOp(y);
  if (opX !== opY) details.push(`op ${opX} → ${opY}`);
  else if ((x.attributesDigest ?? "") !== (y.attributesDigest ?? "")) details.push("attributes");
  if (x.name !== y.name) details.push(`name ${nodeLabel(before, b)} → ${nodeLabel(after, a)}`);
  const outputs = Math.min(x.outputs.length, y.outputs.length);
  for (let k = 0; k < outputs; k++)
    tensorChanges("output", before.tensors[x.outputs[k]], after.tensors[y.outputs[k]], details);
  if (opX === opY && x.inputs.length === y.inputs.length)
    for (let k = 0; k < x.inputs.length; k++)
      if (x.inputs[k] >= 0 && y.inputs[k] >= 0)
        tensorChanges("input", before.tensors[x.inputs[k]], after.tensors[y.inputs[k]], details);
  return details;
}

export function diffModelGraphs(before: ModelGraph, after: ModelGraph): GraphDiff {
  const afterOf = new Int32Array(before.nodes.length).fill(-1);
  const beforeOf = new Int32Array(after.nodes.length).fill(-1);
  const pair = (b: number, a: number) => {
    afterOf[b] = a;
    beforeOf[a] = b;
  };
  const matchBy = (keyB: (string | undefined)[], keyA: (string | undefined)[]): number => {
    const index = uniqueIndex(keyA);
    const own = uniqueIndex(keyB);
    let found = 0;
    keyB.forEach((key, b) => {
      if (!key || afterOf[b] >= 0 || own.get(key) !== b) return;
      const a = index.get(key);
      if (a === undefined || beforeOf[a] >= 0) return;
      pair(b, a);
      found++;
    });
    return found;
  };

  // 1. names; 2. first output names.
  matchBy(
    before.nodes.map((n) => n.name || undefined),
    after.nodes.map((n) => n.name || undefined),
  );
  const firstOutput = (g: ModelGraph, matched: Int32Array) =>
    g.nodes.map((n, i) => (matched[i] < 0 && n.outputs.length > 0 ? g.tensors[n.outputs[0]].name : undefined));
  matchBy(firstOutput(before, afterOf), firstOutput(after, beforeOf));

  // 3. structure, until it finds nothing new.
  const predsB = producers(before);
  const predsA = producers(after);
  for (let pass = 0; pass < STRUCTURE_PASSES; pass++) {
    const found = matchBy(
      structuralKeys(before, predsB, afterOf, false),
      structuralKeys(after, predsA, beforeOf, true),
    );
    if (found === 0) break;
  }

  // 4. position within each op, when both sides have as many unmatched nodes of it.
  const unmatchedByOp = (g: ModelGraph, matched: Int32Array) => {
    const byOp = new Map<string, number[]>();
    g.nodes.forEach((n, i) => {
      if (matched[i] >= 0) return;
      const key = qualifiedOp(n);
      let list = byOp.get(key);
      if (!list) byOp.set(key, (list = []));
      list.push(i);
    });
    return byOp;
  };
  const restA = unmatchedByOp(after, beforeOf);
  for (const [op, listB] of unmatchedByOp(before, afterOf)) {
    const listA = restA.get(op);
    if (listA && listA.length === listB.length) listB.forEach((b, k) => pair(b, listA[k]));
  }

  // Changes in the after graph's order; removed nodes after the match of their nearest matched predecessor in file order.
  const removedAfter = new Map<number, number[]>();
  let anchor = -1;
  for (let b = 0; b < before.nodes.length; b++) {
    if (afterOf[b] >= 0) {
      anchor = afterOf[b];
      continue;
    }
    let list = removedAfter.get(anchor);
    if (!list) removedAfter.set(anchor, (list = []));
    list.push(b);
  }
  const changes: NodeChange[] = [];
  const removed = (at: number) => {
    for (const b of removedAfter.get(at) ?? [])
      changes.push({
        kind: "removed",
        before: b,
        details: [`${qualifiedOp(before.nodes[b])} ${nodeLabel(before, b)}`],
      });
  };
  removed(-1);
  let matched = 0;
  let unchanged = 0;
  for (let a = 0; a < after.nodes.length; a++) {
    const b = beforeOf[a];
    if (b < 0)
      changes.push({ kind: "added", after: a, details: [`${qualifiedOp(after.nodes[a])} ${nodeLabel(after, a)}`] });
    else {
      matched++;
      const details = compare(before, after, b, a);
      if (details.length === 0) unchanged++;
      else changes.push({ kind: "changed", before: b, after: a, details });
    }
    removed(a);
  }
  return { matched, unchanged, changes, afterOf: [...afterOf], beforeOf: [...beforeOf] };
}

// The view graph of a model (used by model-layout.ts): which groups are open (a group the user closed stays closed),
// the visible entities (model nodes, closed groups' boxes, graph inputs and outputs), the unit each is drawn in (0 the
// top level, g + 1 the interior of open group g; absorbInterleaved may move entities deeper later, see
// view-units.ts), and the scene edges: the (from, to) pairs of visible entities that produce and consume a tensor,
// merged per pair, `implicit` while every tensor they stand for is read by an If/Loop/Scan body alone.
import type { ModelGraph } from "../model-graph";
import type { GroupTree, LayoutGroup } from "./group-tree";
import type { LayoutOptions } from "./layout-options";
import { PairIndex } from "./pair-index";

/**
 * Entities are numbered: nodes [0, nodeCount), groups [nodeCount, inputBase), inputs [inputBase, outputBase),
 * outputs [outputBase, entCount).
 */
export interface ViewGraph {
  graph: ModelGraph;
  tree: GroupTree;
  groups: LayoutGroup[];
  nodeCount: number;
  groupCount: number;
  inputBase: number;
  outputBase: number;
  entCount: number;
  /** 1 for an open group (its ancestors open too). */
  open: Uint8Array;
  /** The entity that shows model node n: itself, or the outermost closed group above it. */
  visible: (n: number) => number;
  /** Where an input sits among its unit's items: just before its first consumer. */
  inputKey: Float64Array;
  /** The unit tree; absorbedInto, unitParentOf and depthOf change when open groups take in interleaved entities. */
  absorbedInto: Int32Array;
  unitParentOf: Int32Array;
  depthOf: Int32Array;
  unitOfEnt: (e: number) => number;
  unitParent: (u: number) => number;
  unitDepth: (u: number) => number;
  /** Scene edges, merged: entities, the first tensor, how many tensors, 1 while implicit. */
  eFrom: number[];
  eTo: number[];
  eTensor: number[];
  eCount: number[];
  eImplicit: number[];
}

export function buildViewGraph(graph: ModelGraph, tree: GroupTree, options: LayoutOptions): ViewGraph {
  const nodeCount = graph.nodes.length;
  const groups = tree.groups;
  const groupCount = groups.length;

  // Which groups are open (all their ancestors open too), and the outermost closed group above each group.
  // A scope the user closed stays closed, even one opened by default or by "all".
  const expanded = options.expanded;
  const collapsed = options.collapsed;
  const auto = new Set(tree.autoExpanded);
  const open = new Uint8Array(groupCount);
  const visGroup = new Int32Array(groupCount).fill(-1);
  for (let g = 0; g < groupCount; g++) {
    const p = groups[g].parent;
    const scope = groups[g].scope;
    const wanted =
      !(collapsed !== undefined && collapsed.has(scope)) &&
      (expanded === "all" || auto.has(scope) || (expanded !== undefined && expanded.has(scope)));
    open[g] = wanted && (p < 0 || open[p]) ? 1 : 0;
    visGroup[g] = p >= 0 && visGroup[p] >= 0 ? visGroup[p] : open[g] ? -1 : g;
  }

  // Entities: nodes, groups, inputs, outputs; then ports (made while routing).
  const inputBase = nodeCount + groupCount;
  const outputBase = inputBase + graph.inputs.length;
  const entCount = outputBase + graph.outputs.length;
  const inputEnt = new Map<number, number>();
  graph.inputs.forEach((t, k) => inputEnt.set(t, inputBase + k));
  const visible = (n: number) => {
    const g = tree.nodeGroup[n];
    return g >= 0 && visGroup[g] >= 0 ? nodeCount + visGroup[g] : n;
  };
  // The unit an entity is drawn in: 0 is the top level, g + 1 the interior of open group g. A graph input is drawn
  // in the innermost unit holding all its consumers (a layer's past key/value beside that layer), an output in its
  // producer's unit.
  // An open group may also take in entities of its parent's unit that lie on a path leaving it and coming back
  // (`absorbedInto`, see absorbInterleaved): then its frame holds them, and the unit tree changes with it.
  const ioUnit = new Int32Array(entCount - inputBase);
  const absorbedInto = new Int32Array(entCount).fill(-1);
  const unitParentOf = Int32Array.from({ length: groupCount + 1 }, (_, u) => (u === 0 ? -1 : groups[u - 1].parent + 1));
  const depthOf = Int32Array.from({ length: groupCount + 1 }, (_, u) => (u === 0 ? 0 : groups[u - 1].depth + 1));
  const unitOfEnt = (e: number) => {
    if (absorbedInto[e] >= 0) return absorbedInto[e];
    if (e < nodeCount) return tree.nodeGroup[e] + 1;
    if (e < inputBase) return groups[e - nodeCount].parent + 1;
    return ioUnit[e - inputBase];
  };
  const unitParent = (u: number) => unitParentOf[u];
  const unitDepth = (u: number) => depthOf[u];
  const commonUnit = (a: number, b: number) => {
    while (a !== b) {
      if (unitDepth(a) >= unitDepth(b)) a = unitParent(a);
      else b = unitParent(b);
    }
    return a;
  };

  // Scene edges: (from, to) visible entities, merged; tensors in index order. A node's captures (tensors only its
  // If/Loop/Scan bodies read) count as consumers too, marked implicit.
  const consumerStart = new Int32Array(graph.tensors.length + 1);
  for (const node of graph.nodes) {
    for (const t of node.inputs) if (t >= 0) consumerStart[t + 1]++;
    for (const t of node.captures ?? []) consumerStart[t + 1]++;
  }
  for (let t = 0; t < graph.tensors.length; t++) consumerStart[t + 1] += consumerStart[t];
  const consumers = new Int32Array(consumerStart[graph.tensors.length]);
  const implicitUse = new Uint8Array(consumers.length);
  {
    const fill = consumerStart.slice(0, graph.tensors.length);
    graph.nodes.forEach((node, n) => {
      for (const t of node.inputs) if (t >= 0) consumers[fill[t]++] = n;
      for (const t of node.captures ?? []) {
        implicitUse[fill[t]] = 1;
        consumers[fill[t]++] = n;
      }
    });
  }
  const outputEnts = new Map<number, number[]>();
  graph.outputs.forEach((t, k) => {
    const list = outputEnts.get(t) ?? [];
    list.push(outputBase + k);
    outputEnts.set(t, list);
  });
  const edgeIndex = new PairIndex(consumers.length);
  const eFrom: number[] = [];
  const eTo: number[] = [];
  const eTensor: number[] = [];
  const eCount: number[] = [];
  const eLastTensor: number[] = [];
  const eImplicit: number[] = [];
  const addEdge = (from: number, to: number, t: number, implicit = 0) => {
    // Inside a closed group: no edge. A node that reads its own output keeps its loop (a back edge).
    if (from === to && from >= nodeCount) return;
    const e = edgeIndex.add(from, to);
    if (e === eFrom.length) {
      eFrom.push(from);
      eTo.push(to);
      eTensor.push(t);
      eCount.push(0);
      eLastTensor.push(-1);
      eImplicit.push(1);
    }
    // Implicit only while every tensor it stands for is read by a body alone.
    if (!implicit) eImplicit[e] = 0;
    if (eLastTensor[e] !== t) {
      eLastTensor[e] = t;
      eCount[e]++;
    }
  };
  const inputKey = new Float64Array(graph.inputs.length).fill(-0.5);
  for (let t = 0; t < graph.tensors.length; t++) {
    const tensor = graph.tensors[t];
    const fromInput = inputEnt.get(t);
    const from = tensor.producer >= 0 ? visible(tensor.producer) : fromInput;
    if (from === undefined) continue;
    for (let k = consumerStart[t]; k < consumerStart[t + 1]; k++)
      addEdge(from, visible(consumers[k]), t, implicitUse[k]);
    if (fromInput !== undefined && consumerStart[t + 1] > consumerStart[t]) {
      let first = nodeCount;
      let unit = -1;
      for (let k = consumerStart[t]; k < consumerStart[t + 1]; k++) {
        first = Math.min(first, consumers[k]);
        const u = unitOfEnt(visible(consumers[k]));
        unit = unit < 0 ? u : commonUnit(unit, u);
      }
      inputKey[fromInput - inputBase] = first - 0.5;
      if (!outputEnts.has(t)) ioUnit[fromInput - inputBase] = unit;
    }
    if (tensor.producer >= 0) for (const o of outputEnts.get(t) ?? []) ioUnit[o - inputBase] = unitOfEnt(from);
    for (const o of outputEnts.get(t) ?? []) addEdge(from, o, t);
  }

  return {
    graph,
    tree,
    groups,
    nodeCount,
    groupCount,
    inputBase,
    outputBase,
    entCount,
    open,
    visible,
    inputKey,
    absorbedInto,
    unitParentOf,
    depthOf,
    unitOfEnt,
    unitParent,
    unitDepth,
    eFrom,
    eTo,
    eTensor,
    eCount,
    eImplicit,
  };
}

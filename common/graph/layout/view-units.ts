// The units' items (used by model-layout.ts): each unit (the top level, or an open group's interior) is a flat graph
// of items (visible entities, open groups' frames, and boundary ports standing for what crosses a frame), joined by
// unit edges merged per pair of items; a scene edge is the chain of its pieces (unit edges) through the units it
// crosses. Where an open group's scope is interleaved with others, it takes in what lies on a cycle through it
// (absorbInterleaved) and the pieces are made again. Then every unit's items in a canonical order, with local indices.
import { absorbInterleaved } from "./interleaved-scopes";
import { PairIndex } from "./pair-index";
import type { ViewGraph } from "./view-graph";

/** What an item is. */
export const KIND_NODE = 0;
export const KIND_GROUP = 1;
export const KIND_INPUT = 2;
export const KIND_OUTPUT = 3;
export const KIND_IN_PORT = 4;
export const KIND_OUT_PORT = 5;

export interface UnitItems {
  /** Per item: its unit, kind, what it refers to (node, group, tensor, or the entity a port carries), order key. */
  itemUnit: number[];
  itemKind: number[];
  itemRef: number[];
  itemKey: number[];
  /** The item of each visible entity, -1 for none. */
  entItem: Int32Array;
  /** Unit edges: item → item, within one unit. */
  ueFrom: number[];
  ueTo: number[];
  /** Scene edge e's pieces are pieces[pieceStart[e] … pieceStart[e + 1]), unit edges from source to target. */
  pieceStart: number[];
  pieces: number[];
  unitCount: number;
  /** Each unit's items in canonical order (by key, then creation), and each item's index there. */
  unitItems: number[][];
  local: Int32Array;
  /** Each unit's edges, and each unit edge's index there. */
  unitEdges: number[][];
  localEdge: Int32Array;
}

export function buildUnitItems(view: ViewGraph): UnitItems {
  const { graph, groups, nodeCount, groupCount, inputBase, outputBase, entCount, open, visible, inputKey } = view;
  const { absorbedInto, unitParentOf, depthOf, unitOfEnt, unitParent, unitDepth, eFrom, eTo } = view;

  // Items of the units: visible entities, open groups, and boundary ports.
  const itemUnit: number[] = [];
  const itemKind: number[] = [];
  const itemRef: number[] = [];
  const itemKey: number[] = [];
  const entItem = new Int32Array(entCount).fill(-1);
  const addItem = (unit: number, kind: number, ref: number, key: number) => {
    itemUnit.push(unit);
    itemKind.push(kind);
    itemRef.push(ref);
    itemKey.push(key);
    return itemUnit.length - 1;
  };
  for (let n = 0; n < nodeCount; n++) if (visible(n) === n) entItem[n] = addItem(unitOfEnt(n), KIND_NODE, n, n);
  for (let g = 0; g < groupCount; g++) {
    const p = groups[g].parent;
    const shown = p < 0 || open[p];
    if (shown) entItem[nodeCount + g] = addItem(unitOfEnt(nodeCount + g), KIND_GROUP, g, groups[g].firstNode);
  }
  graph.inputs.forEach(
    (t, k) => (entItem[inputBase + k] = addItem(unitOfEnt(inputBase + k), KIND_INPUT, t, inputKey[k])),
  );
  graph.outputs.forEach((t, k) => {
    const producer = graph.tensors[t].producer;
    const key = producer >= 0 ? producer + 0.5 : nodeCount;
    entItem[outputBase + k] = addItem(unitOfEnt(outputBase + k), KIND_OUTPUT, t, key);
  });
  const entityItems = itemUnit.length;
  let ports = new PairIndex();
  const portItem: number[] = [];
  const port = (unit: number, kind: number, from: number) => {
    const p = ports.add(unit * 2 + (kind === KIND_IN_PORT ? 0 : 1), from);
    if (p === portItem.length) portItem.push(addItem(unit, kind, from, kind === KIND_IN_PORT ? -1 : nodeCount + 1));
    return portItem[p];
  };

  // Unit edges (merged per pair of items) and each scene edge's pieces; made again after open groups take in
  // interleaved entities (the ports and pieces depend on the unit tree).
  let unitEdgeIndex = new PairIndex(eFrom.length);
  const ueFrom: number[] = [];
  const ueTo: number[] = [];
  const unitEdge = (a: number, b: number) => {
    const e = unitEdgeIndex.add(a, b);
    if (e === ueFrom.length) {
      ueFrom.push(a);
      ueTo.push(b);
    }
    return e;
  };
  const pieceStart: number[] = [0];
  const pieces: number[] = [];
  const targetSide: number[] = [];
  const makePieces = () => {
    for (const list of [itemUnit, itemKind, itemRef, itemKey]) list.length = entityItems;
    for (let e = 0; e < entCount; e++) if (entItem[e] >= 0) itemUnit[entItem[e]] = unitOfEnt(e);
    ports = new PairIndex();
    portItem.length = 0;
    unitEdgeIndex = new PairIndex(eFrom.length);
    ueFrom.length = ueTo.length = pieces.length = 0;
    pieceStart.length = 1;
    for (let e = 0; e < eFrom.length; e++) {
      const f = eFrom[e];
      const t = eTo[e];
      let sItem = entItem[f];
      let tItem = entItem[t];
      let su = unitOfEnt(f);
      let tu = unitOfEnt(t);
      targetSide.length = 0;
      while (su !== tu) {
        if (unitDepth(su) >= unitDepth(tu)) {
          pieces.push(unitEdge(sItem, port(su, KIND_OUT_PORT, f)));
          sItem = entItem[nodeCount + su - 1];
          su = unitParent(su);
        } else {
          targetSide.push(unitEdge(port(tu, KIND_IN_PORT, f), tItem));
          tItem = entItem[nodeCount + tu - 1];
          tu = unitParent(tu);
        }
      }
      pieces.push(unitEdge(sItem, tItem));
      for (let i = targetSide.length - 1; i >= 0; i--) pieces.push(targetSide[i]);
      pieceStart.push(pieces.length);
    }
  };
  makePieces();
  // Interleaved scopes: while some unit's edges make a cycle through an open group that the model's nodes do not
  // make, that group takes in what lies on the cycle; each round moves entities deeper, so this ends.
  const entOfItem = new Int32Array(entityItems);
  for (let e = 0; e < entCount; e++) if (entItem[e] >= 0) entOfItem[entItem[e]] = e;
  for (let round = 0; round <= groupCount; round++) {
    const moves = absorbInterleaved(itemUnit, ueFrom, ueTo, groupCount + 1, (item) =>
      itemKind[item] === KIND_GROUP && open[itemRef[item]] ? itemRef[item] + 1 : -1,
    );
    if (moves.length === 0) break;
    for (let k = 0; k < moves.length; k += 2) {
      const ent = entOfItem[moves[k]];
      const into = moves[k + 1];
      absorbedInto[ent] = into;
      if (ent >= nodeCount && ent < inputBase) unitParentOf[ent - nodeCount + 1] = into;
    }
    for (let u = 1; u <= groupCount; u++) {
      let d = 0;
      for (let a = u; a !== 0; a = unitParentOf[a]) d++;
      depthOf[u] = d;
    }
    makePieces();
  }

  // Items per unit in a canonical order (by key, then creation), with their local indices.
  const unitCount = groupCount + 1;
  const unitItems: number[][] = Array.from({ length: unitCount }, () => []);
  for (let i = 0; i < itemUnit.length; i++) unitItems[itemUnit[i]].push(i);
  const local = new Int32Array(itemUnit.length);
  for (const list of unitItems) {
    list.sort((a, b) => itemKey[a] - itemKey[b] || a - b);
    list.forEach((item, k) => (local[item] = k));
  }
  const unitEdges: number[][] = Array.from({ length: unitCount }, () => []);
  for (let e = 0; e < ueFrom.length; e++) unitEdges[itemUnit[ueFrom[e]]].push(e);
  const localEdge = new Int32Array(ueFrom.length);
  for (const list of unitEdges) list.forEach((e, k) => (localEdge[e] = k));

  return {
    itemUnit,
    itemKind,
    itemRef,
    itemKey,
    entItem,
    ueFrom,
    ueTo,
    pieceStart,
    pieces,
    unitCount,
    unitItems,
    local,
    unitEdges,
    localEdge,
  };
}

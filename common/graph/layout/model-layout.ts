// The layout of a model graph as the viewer shows it: `layoutModelGraph` turns a ModelGraph and the set of open
// groups into a GraphScene. What is shown: model nodes (`n<i>`), graph inputs and outputs (`i<t>`, `o<t>`), closed
// groups as single boxes and open groups as frames around their members (`g<scope>`); initializers are not boxes.
// Edges join the visible boxes that produce and consume a tensor (into a closed group: the group's box), merged when
// they join the same two boxes; a tensor only an If/Loop/Scan body reads (GraphNode.captures) makes an `implicit` edge
// into the node. Each open group is a *unit* laid out on its own by the layered core (children
// first, so a parent knows the size of an open child's frame), with boundary ports standing for what crosses its
// frame; an edge's route is the chain of its pieces through the units it crosses. A group interior is looked up in
// the cache by its signature before it is laid out (repeated blocks are laid out once). An open group whose nodes are
// interleaved with others of its parent unit takes those in (absorbInterleaved), so its frame closes no false cycle.
import type { ModelGraph } from "../model-graph";
import type { GraphScene, LayoutDirection, SceneEdge, SceneNode } from "../scene";
import { buildGroupTree, type GroupTree } from "./group-tree";
import { layoutLayered, type LayeredLayout } from "./layered";
import { absorbInterleaved } from "./interleaved-scopes";
import { asLayoutCache, createLayoutCache } from "./layout-cache";
import type { LayoutOptions, MeasureText } from "./layout-options";
import { PairIndex } from "./pair-index";

/** Box sizes and frame paddings, in layout units. */
export const NODE_HEIGHT = 32;
export const NODE_MIN_WIDTH = 72;
export const GROUP_HEIGHT = 48;
export const GROUP_MIN_WIDTH = 96;
export const TENSOR_HEIGHT = 28;
export const FRAME_PAD = 16;
export const FRAME_HEADER = 28;

/** The default text measure: a character-count estimate (12 px label font, 10 px sublabel font). */
export const estimateText: MeasureText = (text, font) => text.length * (font === "label" ? 7 : 6);

const KIND_NODE = 0;
const KIND_GROUP = 1;
const KIND_INPUT = 2;
const KIND_OUTPUT = 3;
const KIND_IN_PORT = 4;
const KIND_OUT_PORT = 5;

export function layoutModelGraph(graph: ModelGraph, options: LayoutOptions = {}): GraphScene {
  const direction: LayoutDirection = options.direction ?? "TB";
  const measure = options.measureText ?? estimateText;
  const cache = asLayoutCache(options.cache) ?? createLayoutCache();
  const nodeCount = graph.nodes.length;
  const tree: GroupTree =
    options.grouping === false
      ? {
          groups: [],
          byScope: new Map(),
          nodeGroup: new Int32Array(nodeCount).fill(-1),
          topGroups: [],
          topNodes: [],
          autoExpanded: [],
        }
      : buildGroupTree(graph);
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

  // Sizes of items that do not depend on layout; open groups get theirs when their interior is done.
  const itemW = new Float64Array(itemUnit.length);
  const itemH = new Float64Array(itemUnit.length);
  const itemLabel: string[] = new Array(itemUnit.length);
  const itemSublabel: (string | undefined)[] = new Array(itemUnit.length);
  for (let i = 0; i < itemUnit.length; i++) {
    const ref = itemRef[i];
    switch (itemKind[i]) {
      case KIND_NODE: {
        const node = graph.nodes[ref];
        itemLabel[i] = node.op;
        itemSublabel[i] = node.name !== "" ? node.name : `${node.op}#${ref}`;
        itemW[i] = Math.max(NODE_MIN_WIDTH, Math.ceil(measure(node.op, "label")) + 24);
        itemH[i] = NODE_HEIGHT;
        break;
      }
      case KIND_GROUP: {
        const g = groups[ref];
        itemLabel[i] = g.label;
        itemSublabel[i] = `${g.memberCount} nodes`;
        const text = Math.max(measure(g.label, "label"), measure(itemSublabel[i] as string, "sublabel"));
        itemW[i] = Math.max(GROUP_MIN_WIDTH, Math.ceil(text) + 32);
        itemH[i] = GROUP_HEIGHT;
        break;
      }
      case KIND_INPUT:
      case KIND_OUTPUT: {
        const name = graph.tensors[ref].name;
        itemLabel[i] = name;
        itemW[i] = Math.min(240, Math.max(64, Math.ceil(measure(name, "label")) + 24));
        itemH[i] = TENSOR_HEIGHT;
        break;
      }
      default:
        itemLabel[i] = "";
    }
  }

  // Lay the units out, deepest first.
  const unitLayout: (LayeredLayout | undefined)[] = new Array(unitCount);
  const openUnits: number[] = [];
  for (let g = 0; g < groupCount; g++) if (open[g]) openUnits.push(g + 1);
  openUnits.sort((a, b) => unitDepth(b) - unitDepth(a) || a - b);
  let groupsLaidOut = 0;
  let groupsReused = 0;
  const layUnit = (u: number, cached: boolean) => {
    const items = unitItems[u];
    const edges = unitEdges[u];
    const widths = new Float64Array(items.length);
    const heights = new Float64Array(items.length);
    const pin = new Int8Array(items.length);
    items.forEach((item, k) => {
      widths[k] = itemW[item];
      heights[k] = itemH[item];
      pin[k] = itemKind[item] === KIND_IN_PORT ? -1 : itemKind[item] === KIND_OUT_PORT ? 1 : 0;
    });
    const edgeFrom = new Int32Array(edges.length);
    const edgeTo = new Int32Array(edges.length);
    edges.forEach((e, k) => {
      edgeFrom[k] = local[ueFrom[e]];
      edgeTo[k] = local[ueTo[e]];
    });
    let signature = "";
    if (cached) {
      signature = signatureOf(direction, widths, heights, pin, edgeFrom, edgeTo);
      const hit = cache.get(signature);
      if (hit) {
        groupsReused++;
        return hit;
      }
    }
    const result = layoutLayered({ widths, heights, pin, edgeFrom, edgeTo, direction });
    if (cached) {
      groupsLaidOut++;
      cache.set(signature, result);
    }
    return result;
  };
  for (const u of openUnits) {
    const layout = layUnit(u, true);
    unitLayout[u] = layout;
    const item = entItem[nodeCount + u - 1];
    itemW[item] = layout.width + 2 * FRAME_PAD;
    itemH[item] = layout.height + FRAME_PAD + FRAME_HEADER;
  }
  const top = layUnit(0, false);
  unitLayout[0] = top;

  // Absolute positions, parents first.
  const originX = new Float64Array(unitCount);
  const originY = new Float64Array(unitCount);
  const absX = new Float64Array(itemUnit.length);
  const absY = new Float64Array(itemUnit.length);
  const nodes: SceneNode[] = [];
  const unitsInOrder = [0, ...openUnits.slice().sort((a, b) => unitDepth(a) - unitDepth(b) || a - b)];
  const memberLists = groupMembers(tree, nodeCount);
  for (const u of unitsInOrder) {
    const layout = unitLayout[u] as LayeredLayout;
    const parentId = u === 0 ? undefined : `g${groups[u - 1].scope}`;
    for (const item of unitItems[u]) {
      const k = local[item];
      absX[item] = originX[u] + layout.x[k];
      absY[item] = originY[u] + layout.y[k];
      const kind = itemKind[item];
      if (kind === KIND_IN_PORT || kind === KIND_OUT_PORT) continue;
      const ref = itemRef[item];
      const node: SceneNode = {
        id: "",
        kind: "node",
        index: ref,
        x: absX[item],
        y: absY[item],
        width: itemW[item],
        height: itemH[item],
        label: itemLabel[item],
      };
      if (kind === KIND_NODE) node.id = `n${ref}`;
      else if (kind === KIND_GROUP) {
        node.id = `g${groups[ref].scope}`;
        node.kind = "group";
        node.index = -1;
        node.expanded = open[ref] === 1;
        node.members = memberLists[ref];
        if (open[ref]) {
          originX[ref + 1] = absX[item] + FRAME_PAD;
          originY[ref + 1] = absY[item] + FRAME_HEADER;
        }
      } else {
        node.kind = kind === KIND_INPUT ? "input" : "output";
        node.id = `${kind === KIND_INPUT ? "i" : "o"}${ref}`;
      }
      const sub = itemSublabel[item];
      if (sub !== undefined) node.sublabel = sub;
      if (parentId !== undefined) node.parent = parentId;
      nodes.push(node);
    }
  }

  // Routes: each scene edge's pieces, joined.
  const edges: SceneEdge[] = [];
  let backEdges = 0;
  const ids: (string | undefined)[] = new Array(entCount);
  const idOf = (ent: number) =>
    (ids[ent] ??=
      ent < nodeCount
        ? `n${ent}`
        : ent < inputBase
          ? `g${groups[ent - nodeCount].scope}`
          : ent < outputBase
            ? `i${graph.inputs[ent - inputBase]}`
            : `o${graph.outputs[ent - outputBase]}`);
  const cross = direction === "LR" ? 1 : 0;
  for (let e = 0; e < eFrom.length; e++) {
    const points: number[] = [];
    let back = false;
    for (let k = pieceStart[e]; k < pieceStart[e + 1]; k++) {
      const ue = pieces[k];
      const u = itemUnit[ueFrom[ue]];
      const layout = unitLayout[u] as LayeredLayout;
      const le = localEdge[ue];
      if (layout.back[le]) back = true;
      const first = layout.routeStart[le];
      let m = points.length;
      // Where a piece meets a frame, the edge crosses the frame's border in line with the boundary port.
      const fromPort = itemKind[ueFrom[ue]] === KIND_IN_PORT;
      const afterPort = k > pieceStart[e] && itemKind[ueTo[pieces[k - 1]]] === KIND_OUT_PORT;
      if (m >= 2 && fromPort) {
        points[m - 2 + cross] = (cross ? originY[u] : originX[u]) + layout.routePoints[first + cross];
      }
      for (let i = first; i < layout.routeStart[le + 1]; i += 2) {
        let px = originX[u] + layout.routePoints[i];
        let py = originY[u] + layout.routePoints[i + 1];
        if (i === first && afterPort && m >= 2) {
          if (cross) py = points[m - 1];
          else px = points[m - 2];
        }
        if (m >= 2 && points[m - 2] === px && points[m - 1] === py) continue;
        points.push(px, py);
        m += 2;
      }
    }
    if (points.length < 4) points.push(points[0], points[1]);
    const edge: SceneEdge = {
      from: idOf(eFrom[e]),
      to: idOf(eTo[e]),
      tensor: eTensor[e],
      tensorCount: eCount[e],
      points,
    };
    if (back) {
      edge.back = true;
      backEdges++;
    }
    if (eImplicit[e]) edge.implicit = true;
    edges.push(edge);
  }

  let dummyNodes = 0;
  let crossings = 0;
  for (const u of unitsInOrder) {
    dummyNodes += (unitLayout[u] as LayeredLayout).dummyNodes;
    crossings += (unitLayout[u] as LayeredLayout).crossings;
  }
  return {
    direction,
    nodes,
    edges,
    width: top.width,
    height: top.height,
    stats: { layers: top.layerCount, backEdges, dummyNodes, groupsLaidOut, groupsReused, crossings },
  };
}

/** Every group's model nodes at every depth (index order). */
function groupMembers(tree: GroupTree, nodeCount: number): number[][] {
  const lists: number[][] = tree.groups.map(() => []);
  for (let n = 0; n < nodeCount; n++) {
    for (let g = tree.nodeGroup[n]; g >= 0; g = tree.groups[g].parent) lists[g].push(n);
  }
  return lists;
}

/** What the layered core sees of a unit, as a string: equal strings give equal layouts. */
function signatureOf(
  direction: LayoutDirection,
  widths: Float64Array,
  heights: Float64Array,
  pin: Int8Array,
  edgeFrom: Int32Array,
  edgeTo: Int32Array,
): string {
  const parts: string[] = [direction, String(widths.length)];
  for (let i = 0; i < widths.length; i++) parts.push(`${widths[i]}x${heights[i]}${pin[i] ? `p${pin[i]}` : ""}`);
  parts.push("|");
  for (let e = 0; e < edgeFrom.length; e++) parts.push(`${edgeFrom[e]}>${edgeTo[e]}`);
  return parts.join(",");
}

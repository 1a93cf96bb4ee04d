// Assembling the scene (used by model-layout.ts): the units' flat layouts placed inside their frames (parents first,
// an open group's interior at its frame's origin plus FRAME_PAD, FRAME_HEADER), the scene's boxes with their ids
// (`n<i>`, `g<scope>`, `i<t>`, `o<t>`), each scene edge's route joined from its pieces (in line with the boundary
// port where it crosses a frame), and the figures summed over the units.
import type { GraphScene, LayoutDirection, SceneEdge, SceneNode } from "../scene";
import { FRAME_HEADER, FRAME_PAD, type ItemBoxes } from "./box-sizes";
import type { GroupTree } from "./group-tree";
import type { LayeredLayout } from "./layered";
import type { UnitLayouts } from "./unit-layouts";
import type { ViewGraph } from "./view-graph";
import { KIND_GROUP, KIND_IN_PORT, KIND_INPUT, KIND_NODE, KIND_OUT_PORT, type UnitItems } from "./view-units";

export function assembleScene(
  view: ViewGraph,
  units: UnitItems,
  boxes: ItemBoxes,
  laid: UnitLayouts,
  direction: LayoutDirection,
): GraphScene {
  const { graph, tree, groups, nodeCount, inputBase, outputBase, entCount, open, unitDepth } = view;
  const { eFrom, eTo, eTensor, eCount, eImplicit } = view;
  const { itemUnit, itemKind, itemRef, ueFrom, ueTo, pieceStart, pieces, unitCount, unitItems, local, localEdge } =
    units;
  const { itemW, itemH, itemLabel, itemSublabel } = boxes;
  const { unitLayout, openUnits, top, groupsLaidOut, groupsReused } = laid;

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

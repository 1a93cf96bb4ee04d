// The flat core of the graph layout: a layered (Sugiyama-style) layout of boxes and edges given as typed arrays.
// `layoutLayered` runs the phases in turn: cycle breaking and layer assignment (layered-ranks.ts), virtual points for
// edges spanning several layers, trunks and lanes (layered-trunks.ts), crossing reduction and the crossings left
// (layered-order.ts), coordinates along the layers (layered-coordinates.ts) and across them (here: the layers' bands),
// and edge routes from border to border (layered-routes.ts). Everything is iterative (no recursion grows with the
// graph) and held in typed arrays.
import type { LayoutDirection } from "../scene";
import { assignU } from "./layered-coordinates";
import { countCrossings, orderLayers } from "./layered-order";
import { assignLayers, breakCycles, csr } from "./layered-ranks";
import { routeEdges } from "./layered-routes";
import { buildTrunks, properGraph } from "./layered-trunks";

export interface LayeredInput {
  /** Box sizes in layout space (x to the right, y down), one per node. */
  widths: Float64Array;
  heights: Float64Array;
  /** Edges: edgeFrom[i] → edgeTo[i], node indices. Self loops and repeated pairs are allowed. */
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  /** Per node: -1 keeps it on the first layer (alone with other -1 nodes), 1 on the last layer, 0 free. */
  pin?: Int8Array;
  /** Default "TB". */
  direction?: LayoutDirection;
  /** Space between boxes of one layer (default 24) and between layers (default 40). */
  nodeGap?: number;
  layerGap?: number;
  /**
   * A source whose edges span more than this many layers gets a lane instead of a trunk of virtual points: a straight
   * line beside the layout that its edges leave at the layer before their target (default 48).
   */
  laneSpan?: number;
  /** Crossing-reduction sweeps (down and up count one each; default 8) and coordinate sweeps (default 8). */
  orderSweeps?: number;
  coordinateSweeps?: number;
}

export interface LayeredLayout {
  /** Top-left corners of the boxes. */
  x: Float64Array;
  y: Float64Array;
  /** The bounding box from (0, 0). */
  width: number;
  height: number;
  /** The layer of each node, and how many there are. */
  layer: Int32Array;
  layerCount: number;
  /** Edge i's route is routePoints[routeStart[i] … routeStart[i + 1]) as x0, y0, x1, y1, … (at least 2 points). */
  routeStart: Int32Array;
  routePoints: Float64Array;
  /** 1 where the edge runs against the direction (it closes a cycle, or is a self loop). */
  back: Uint8Array;
  backEdges: number;
  dummyNodes: number;
  /** Sources routed through a lane beside the layout (see LayeredInput.laneSpan). */
  lanes: number;
  /**
   * Edge crossings between adjacent layers after the ordering (virtual points included; routes along lanes and self
   * loops are not counted).
   */
  crossings: number;
}

/** Lays out the graph; deterministic for the same input. */
export function layoutLayered(input: LayeredInput): LayeredLayout {
  const n = input.widths.length;
  const edgeCount = input.edgeFrom.length;
  const lr = input.direction === "LR";
  const nodeGap = input.nodeGap ?? 24;
  const layerGap = input.layerGap ?? 40;
  // u: the axis along a layer, v: the layer axis.
  const sizeU = lr ? input.heights : input.widths;
  const sizeV = lr ? input.widths : input.heights;
  const pin = input.pin ?? new Int8Array(n);

  // 1. Cycle breaking.
  const { back, backEdges, dagFrom, dagTo } = breakCycles(n, input.edgeFrom, input.edgeTo);
  const selfLoop = (e: number) => dagFrom[e] === dagTo[e];
  const onLane = (e: number) => lane[dagFrom[e]] >= 0 && layer[dagTo[e]] - layer[dagFrom[e]] > 1;

  // 2. Layers.
  const outs = csr(n, dagFrom, dagTo, selfLoop);
  const ins = csr(n, dagTo, dagFrom, selfLoop);
  const layer = assignLayers(n, outs, ins, pin);
  let layerCount = 0;
  for (let v = 0; v < n; v++) if (layer[v] + 1 > layerCount) layerCount = layer[v] + 1;

  // 3. Trunks of virtual points, lanes, and the proper graph (every edge joins neighbouring layers).
  const trunks = buildTrunks(n, outs, layer, input.laneSpan ?? 48);
  const { trunkStart, lane, lanes, dummyNodes, nodeLayer } = trunks;
  const total = n + dummyNodes;
  const { down, up } = properGraph(n, trunks, layer, dagFrom, dagTo, (e) => selfLoop(e) || onLane(e));

  // 4. Order within layers.
  const { layerStart, order, pos } = orderLayers(layerCount, nodeLayer, down, up, input.orderSweeps ?? 8);
  const crossings = countCrossings(layerCount, layerStart, order, pos, nodeLayer, down);

  // 5. Coordinates: u along the layers, v across them.
  const sizeUAll = new Float64Array(total);
  sizeUAll.set(sizeU.subarray(0, n));
  const u = assignU(layerCount, layerStart, order, sizeUAll, down, up, n, nodeGap, input.coordinateSweeps ?? 8);
  let minU = Infinity;
  let maxU = -Infinity;
  for (let v = 0; v < total; v++) {
    const half = sizeUAll[v] / 2;
    if (u[v] - half < minU) minU = u[v] - half;
    if (u[v] + half > maxU) maxU = u[v] + half;
  }
  if (total === 0) minU = maxU = 0;
  // A self loop is drawn beside its box.
  for (let e = 0; e < edgeCount; e++) {
    if (selfLoop(e)) maxU = Math.max(maxU, u[dagFrom[e]] + sizeU[dagFrom[e]] / 2 + nodeGap / 2);
  }
  for (let v = 0; v < total; v++) u[v] -= minU;
  const laneBase = maxU - minU + nodeGap;
  const laneU = (s: number) => laneBase + lane[s] * (nodeGap / 2);
  if (lanes > 0) maxU += nodeGap + (lanes - 1) * (nodeGap / 2);
  const layerTop = new Float64Array(layerCount + 1);
  const layerThick = new Float64Array(layerCount);
  for (let v = 0; v < n; v++) if (sizeV[v] > layerThick[layer[v]]) layerThick[layer[v]] = sizeV[v];
  for (let l = 0; l < layerCount; l++)
    layerTop[l + 1] = layerTop[l] + layerThick[l] + (l + 1 < layerCount ? layerGap : 0);
  const bandEnd = (l: number) => layerTop[l] + layerThick[l];
  // A box shorter than its layer's band sits in the middle of it, except a source (it only feeds the next layers:
  // at the band's end) and a sink (at the band's start), so that they stay next to what they are joined to.
  const vCentre = (v: number) => {
    const l = nodeLayer[v];
    const slack = layerThick[l] - sizeV[v];
    const hasIn = ins.start[v + 1] > ins.start[v];
    const hasOut = outs.start[v + 1] > outs.start[v];
    const lead = !hasIn && hasOut ? slack : hasIn && !hasOut ? 0 : slack / 2;
    return layerTop[l] + lead + sizeV[v] / 2;
  };

  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    const cu = u[v] - sizeU[v] / 2;
    const cv = vCentre(v) - sizeV[v] / 2;
    x[v] = lr ? cv : cu;
    y[v] = lr ? cu : cv;
  }

  // 6. Routes (in u, v, then mapped to x, y).
  const { routeStart, routePoints } = routeEdges({
    lr,
    dagFrom,
    dagTo,
    back,
    onLane,
    layer,
    nodeLayer,
    trunkStart,
    u,
    sizeU,
    sizeV,
    vCentre,
    layerTop,
    bandEnd,
    laneU,
    nodeGap,
    layerGap,
  });
  const width = maxU - minU;
  const height = layerTop[layerCount];
  return {
    x,
    y,
    width: lr ? height : width,
    height: lr ? width : height,
    layer,
    layerCount,
    routeStart,
    routePoints,
    back,
    backEdges,
    dummyNodes,
    lanes,
    crossings,
  };
}

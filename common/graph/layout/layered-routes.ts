// Edge routes of the layered core (used by layered.ts), from border to border, computed along the layers (u) and
// across them (v), then mapped to x, y. A self loop goes round the right of its box; an edge along a lane leaves its
// source into the gap below, runs along the lane and enters its target from the gap above; any other edge crosses
// each layer's band straight (through its virtual points), so a slanted stretch is only ever in a gap between layers,
// where no box is. A back edge's route is reversed to run from its real source. Straight runs keep only their ends.

/** What the routes are drawn from: the reversed edges, layers, trunks, u per node and the bands of the layers. */
export interface RouteInput {
  lr: boolean;
  dagFrom: Int32Array;
  dagTo: Int32Array;
  back: Uint8Array;
  /** Edges routed through their source's lane. */
  onLane: (e: number) => boolean;
  layer: Int32Array;
  nodeLayer: Int32Array;
  trunkStart: Int32Array;
  /** Centres along the layers (dummies included), box sizes along and across them. */
  u: Float64Array;
  sizeU: Float64Array;
  sizeV: Float64Array;
  /** Where the box's centre is across the layers. */
  vCentre: (v: number) => number;
  layerTop: Float64Array;
  bandEnd: (l: number) => number;
  laneU: (s: number) => number;
  nodeGap: number;
  layerGap: number;
}

/** Edge i's route is routePoints[routeStart[i] … routeStart[i + 1]) as x0, y0, x1, y1, …. */
export function routeEdges(input: RouteInput): { routeStart: Int32Array; routePoints: Float64Array } {
  const { lr, dagFrom, dagTo, back, onLane, layer, nodeLayer, trunkStart, u, sizeU, sizeV, vCentre } = input;
  const { layerTop, bandEnd, laneU, nodeGap, layerGap } = input;
  const edgeCount = dagFrom.length;
  const selfLoop = (e: number) => dagFrom[e] === dagTo[e];
  const routeStart = new Int32Array(edgeCount + 1);
  let points = 0;
  for (let e = 0; e < edgeCount; e++) {
    if (selfLoop(e)) points += 8;
    else if (onLane(e)) points += 12;
    else points += 8 + 4 * Math.max(0, layer[dagTo[e]] - layer[dagFrom[e]] - 1);
  }
  const routePoints = new Float64Array(points);
  let w = 0;
  const put = (pu: number, pv: number) => {
    const had = w - routeStart[currentEdge];
    if (had >= 2 && routePoints[w - 2] === pu && routePoints[w - 1] === pv) return;
    // Drop a point that continues a straight run along v.
    if (had >= 4 && routePoints[w - 2] === pu && routePoints[w - 4] === pu) {
      routePoints[w - 1] = pv;
      return;
    }
    routePoints[w++] = pu;
    routePoints[w++] = pv;
  };
  let currentEdge = 0;
  for (let e = 0; e < edgeCount; e++) {
    currentEdge = e;
    routeStart[e] = w;
    const s = dagFrom[e];
    const t = dagTo[e];
    if (s === t) {
      const right = u[s] + sizeU[s] / 2;
      const c = vCentre(s);
      const q = sizeV[s] / 4;
      put(right, c - q);
      put(right + nodeGap / 2, c - q);
      put(right + nodeGap / 2, c + q);
      put(right, c + q);
    } else if (onLane(e)) {
      // Out of the source into its lane in the gap below it, along the lane, into the target from the gap above.
      put(u[s], vCentre(s) + sizeV[s] / 2);
      put(u[s], bandEnd(layer[s]));
      put(laneU(s), bandEnd(layer[s]) + layerGap / 2);
      put(laneU(s), layerTop[layer[t]] - layerGap / 2);
      put(u[t], layerTop[layer[t]]);
      put(u[t], vCentre(t) - sizeV[t] / 2);
      if (back[e]) reversePairs(routePoints, routeStart[e], w);
    } else {
      // Boxes shorter than their layer's band leave and enter it straight; a virtual point crosses its layer's
      // band straight, so a slanted stretch is only ever in the gap between two layers, where no box is.
      put(u[s], vCentre(s) + sizeV[s] / 2);
      put(u[s], bandEnd(layer[s]));
      const span = layer[t] - layer[s] - 1;
      for (let i = 0; i < span; i++) {
        const d = trunkStart[s] + i;
        put(u[d], layerTop[nodeLayer[d]]);
        put(u[d], bandEnd(nodeLayer[d]));
      }
      put(u[t], layerTop[layer[t]]);
      put(u[t], vCentre(t) - sizeV[t] / 2);
      if (back[e]) reversePairs(routePoints, routeStart[e], w);
    }
    if (lr) {
      for (let i = routeStart[e]; i < w; i += 2) {
        const a = routePoints[i];
        routePoints[i] = routePoints[i + 1];
        routePoints[i + 1] = a;
      }
    }
  }
  routeStart[edgeCount] = w;
  return { routeStart, routePoints: w === points ? routePoints : routePoints.slice(0, w) };
}

function reversePairs(points: Float64Array, from: number, to: number): void {
  for (let i = from, j = to - 2; i < j; i += 2, j -= 2) {
    const px = points[i];
    const py = points[i + 1];
    points[i] = points[j];
    points[i + 1] = points[j + 1];
    points[j] = px;
    points[j + 1] = py;
  }
}

// The flat core of the graph layout: a layered (Sugiyama-style) layout of boxes and edges given as typed arrays.
// Steps: cycle breaking (back edges of an iterative depth-first search are reversed), layer assignment (longest path,
// then nodes that feed more than they read are pulled down next to their consumers, so a mask or position input sits
// beside its first user), virtual points for edges spanning several layers (one shared chain, a "trunk", per source:
// a tensor feeding every decoder layer costs one dummy per layer, not one per layer per consumer), crossing reduction
// (barycentre sweeps, a bounded number), coordinates (least-squares pulls towards neighbours under the order and
// no-overlap constraints, solved exactly per layer by pooling adjacent violators), edge routes from border to
// border, and the crossings left between adjacent layers (counted with a Fenwick tree per layer pair). Everything is iterative (no recursion grows with the graph) and held in typed arrays.
import type { LayoutDirection } from "../scene";

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

const DUMMY_WEIGHT = 8;
const MIXED_WEIGHT = 2;

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
  const back = findBackEdges(n, input.edgeFrom, input.edgeTo);
  const dagFrom = new Int32Array(edgeCount);
  const dagTo = new Int32Array(edgeCount);
  let backEdges = 0;
  for (let e = 0; e < edgeCount; e++) {
    if (back[e]) {
      backEdges++;
      dagFrom[e] = input.edgeTo[e];
      dagTo[e] = input.edgeFrom[e];
    } else {
      dagFrom[e] = input.edgeFrom[e];
      dagTo[e] = input.edgeTo[e];
    }
  }
  const selfLoop = (e: number) => dagFrom[e] === dagTo[e];
  const onLane = (e: number) => lane[dagFrom[e]] >= 0 && layer[dagTo[e]] - layer[dagFrom[e]] > 1;

  // 2. Layers.
  const outs = csr(n, dagFrom, dagTo, selfLoop);
  const ins = csr(n, dagTo, dagFrom, selfLoop);
  const layer = assignLayers(n, outs, ins, pin);
  let layerCount = 0;
  for (let v = 0; v < n; v++) if (layer[v] + 1 > layerCount) layerCount = layer[v] + 1;

  // 3. Trunks of virtual points: node s gets dummies on layers layer[s]+1 … layer[s]+span[s]; a longer trunk than
  // laneSpan becomes a lane (no dummies: lane[s] ≥ 0 numbers it).
  const laneSpan = input.laneSpan ?? 48;
  const trunkStart = new Int32Array(n);
  const trunkSpan = new Int32Array(n);
  const lane = new Int32Array(n).fill(-1);
  let lanes = 0;
  let dummyNodes = 0;
  for (let s = 0; s < n; s++) {
    let span = 0;
    for (let k = outs.start[s]; k < outs.start[s + 1]; k++) {
      const d = layer[outs.target[k]] - layer[s] - 1;
      if (d > span) span = d;
    }
    trunkStart[s] = n + dummyNodes;
    if (span > laneSpan) {
      lane[s] = lanes++;
      continue;
    }
    trunkSpan[s] = span;
    dummyNodes += span;
  }
  const total = n + dummyNodes;
  const nodeLayer = new Int32Array(total);
  nodeLayer.set(layer);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < trunkSpan[s]; i++) {
      nodeLayer[trunkStart[s] + i] = layer[s] + 1 + i;
    }
  }
  // The proper graph: every edge joins neighbouring layers.
  const properCount = dummyNodes + countDagEdges(edgeCount, (e) => selfLoop(e) || onLane(e));
  const pFrom = new Int32Array(properCount);
  const pTo = new Int32Array(properCount);
  let p = 0;
  for (let s = 0; s < n; s++) {
    let prev = s;
    for (let i = 0; i < trunkSpan[s]; i++) {
      pFrom[p] = prev;
      pTo[p++] = trunkStart[s] + i;
      prev = trunkStart[s] + i;
    }
  }
  for (let e = 0; e < edgeCount; e++) {
    if (selfLoop(e) || onLane(e)) continue;
    const s = dagFrom[e];
    const t = dagTo[e];
    const span = layer[t] - layer[s] - 1;
    pFrom[p] = span > 0 ? trunkStart[s] + span - 1 : s;
    pTo[p++] = t;
  }
  const down = csr(total, pFrom, pTo, () => false);
  const up = csr(total, pTo, pFrom, () => false);

  // 4. Order within layers.
  const layerStart = new Int32Array(layerCount + 1);
  for (let v = 0; v < total; v++) layerStart[nodeLayer[v] + 1]++;
  for (let l = 0; l < layerCount; l++) layerStart[l + 1] += layerStart[l];
  const order = new Int32Array(total);
  const fill = layerStart.slice(0, layerCount);
  for (let v = 0; v < total; v++) order[fill[nodeLayer[v]]++] = v;
  const pos = new Int32Array(total);
  for (let l = 0; l < layerCount; l++) {
    for (let i = layerStart[l]; i < layerStart[l + 1]; i++) pos[order[i]] = i - layerStart[l];
  }
  reduceCrossings(layerCount, layerStart, order, pos, down, up, input.orderSweeps ?? 8);
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
    routePoints: w === points ? routePoints : routePoints.slice(0, w),
    back,
    backEdges,
    dummyNodes,
    lanes,
    crossings,
  };
}

interface Csr {
  start: Int32Array;
  target: Int32Array;
}

function csr(n: number, from: Int32Array, to: Int32Array, skip: (e: number) => boolean): Csr {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < from.length; e++) if (!skip(e)) start[from[e] + 1]++;
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const fill = start.slice(0, n);
  const target = new Int32Array(start[n]);
  for (let e = 0; e < from.length; e++) if (!skip(e)) target[fill[from[e]]++] = to[e];
  return { start, target };
}

function countDagEdges(edgeCount: number, selfLoop: (e: number) => boolean): number {
  let c = 0;
  for (let e = 0; e < edgeCount; e++) if (!selfLoop(e)) c++;
  return c;
}

/** Back edges of a depth-first search from the nodes in index order (only edges that close a cycle), self loops. */
function findBackEdges(n: number, from: Int32Array, to: Int32Array): Uint8Array {
  const edgeCount = from.length;
  const back = new Uint8Array(edgeCount);
  const start = new Int32Array(n + 1);
  for (let e = 0; e < edgeCount; e++) start[from[e] + 1]++;
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const fill = start.slice(0, n);
  const edgeOf = new Int32Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) edgeOf[fill[from[e]]++] = e;
  const state = new Uint8Array(n); // 0 new, 1 on the stack, 2 done
  const stack = new Int32Array(n);
  const next = new Int32Array(n);
  for (let root = 0; root < n; root++) {
    if (state[root]) continue;
    let top = 0;
    stack[0] = root;
    state[root] = 1;
    next[root] = start[root];
    while (top >= 0) {
      const v = stack[top];
      if (next[v] < start[v + 1]) {
        const e = edgeOf[next[v]++];
        const t = to[e];
        if (state[t] === 1) back[e] = 1;
        else if (state[t] === 0) {
          state[t] = 1;
          next[t] = start[t];
          stack[++top] = t;
        }
      } else {
        state[v] = 2;
        top--;
      }
    }
  }
  return back;
}

/** Longest path from the sources, then nodes that feed at least as much as they read move down to their consumers. */
function assignLayers(n: number, outs: Csr, ins: Csr, pin: Int8Array): Int32Array {
  const indeg = new Int32Array(n);
  for (let v = 0; v < n; v++) indeg[v] = ins.start[v + 1] - ins.start[v];
  let hasTopPins = false;
  for (let v = 0; v < n; v++) if (pin[v] < 0) hasTopPins = true;
  const layer = new Int32Array(n);
  if (hasTopPins) for (let v = 0; v < n; v++) layer[v] = pin[v] < 0 ? 0 : 1;
  // Kahn's order (a FIFO in index order), longest path on the way.
  const topo = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let v = 0; v < n; v++) if (indeg[v] === 0) topo[tail++] = v;
  while (head < tail) {
    const v = topo[head++];
    for (let k = outs.start[v]; k < outs.start[v + 1]; k++) {
      const t = outs.target[k];
      if (layer[v] + 1 > layer[t]) layer[t] = layer[v] + 1;
      if (--indeg[t] === 0) topo[tail++] = t;
    }
  }
  // Bottom pins go below everything else.
  let maxLayer = 0;
  let hasBottomPins = false;
  for (let v = 0; v < n; v++) {
    if (pin[v] > 0) hasBottomPins = true;
    else if (layer[v] > maxLayer) maxLayer = layer[v];
  }
  if (hasBottomPins) for (let v = 0; v < n; v++) if (pin[v] > 0) layer[v] = Math.max(layer[v], maxLayer + 1);
  // Pull down (successors first: reverse topological order).
  for (let i = tail - 1; i >= 0; i--) {
    const v = topo[i];
    if (pin[v] !== 0) continue;
    const outDeg = outs.start[v + 1] - outs.start[v];
    const inDeg = ins.start[v + 1] - ins.start[v];
    if (outDeg === 0 || outDeg < inDeg) continue;
    let min = Infinity;
    for (let k = outs.start[v]; k < outs.start[v + 1]; k++) min = Math.min(min, layer[outs.target[k]]);
    if (min - 1 > layer[v]) layer[v] = min - 1;
  }
  return layer;
}

const KEY_SCALE = 2 ** 30;
const POS_SCALE = 2 ** 22;

/** Barycentre sweeps, alternately down (by predecessors) and up (by successors). */
function reduceCrossings(
  layerCount: number,
  layerStart: Int32Array,
  order: Int32Array,
  pos: Int32Array,
  down: Csr,
  up: Csr,
  sweeps: number,
): void {
  let maxLayer = 0;
  for (let l = 0; l < layerCount; l++) maxLayer = Math.max(maxLayer, layerStart[l + 1] - layerStart[l]);
  const keys = new Float64Array(maxLayer);
  const tmp = new Int32Array(maxLayer);
  // A node's normalized position: (pos + 0.5) / size of its layer.
  const layerOfPos = new Int32Array(order.length);
  for (let l = 0; l < layerCount; l++) for (let i = layerStart[l]; i < layerStart[l + 1]; i++) layerOfPos[order[i]] = l;
  const norm = (v: number) => {
    const l = layerOfPos[v];
    return (pos[v] + 0.5) / (layerStart[l + 1] - layerStart[l]);
  };
  for (let sweep = 0; sweep < sweeps; sweep++) {
    const downward = sweep % 2 === 0;
    const adj = downward ? up : down; // neighbours on the layer already placed
    for (let step = 1; step < layerCount; step++) {
      const l = downward ? step : layerCount - 1 - step;
      const a = layerStart[l];
      const size = layerStart[l + 1] - a;
      if (size < 2) continue;
      for (let i = 0; i < size; i++) {
        const v = order[a + i];
        let sum = 0;
        let count = 0;
        for (let k = adj.start[v]; k < adj.start[v + 1]; k++) {
          sum += norm(adj.target[k]);
          count++;
        }
        const key = count > 0 ? sum / count : (i + 0.5) / size;
        keys[i] = Math.floor(key * KEY_SCALE) * POS_SCALE + i;
      }
      const sorted = keys.subarray(0, size).sort();
      for (let i = 0; i < size; i++) tmp[i] = order[a + (sorted[i] % POS_SCALE)];
      for (let i = 0; i < size; i++) {
        order[a + i] = tmp[i];
        pos[tmp[i]] = i;
      }
    }
  }
}

/** Positions along the layers: each sweep pulls nodes towards the mean of their neighbours, order and gaps kept. */
function assignU(
  layerCount: number,
  layerStart: Int32Array,
  order: Int32Array,
  size: Float64Array,
  down: Csr,
  up: Csr,
  realCount: number,
  gap: number,
  sweeps: number,
): Float64Array {
  const total = order.length;
  const u = new Float64Array(total);
  for (let l = 0; l < layerCount; l++) {
    let at = 0;
    for (let i = layerStart[l]; i < layerStart[l + 1]; i++) {
      const v = order[i];
      u[v] = at + size[v] / 2;
      at += size[v] + gap;
    }
    const shift = (at - gap) / 2;
    for (let i = layerStart[l]; i < layerStart[l + 1]; i++) u[order[i]] -= shift;
  }
  let maxLayer = 0;
  for (let l = 0; l < layerCount; l++) maxLayer = Math.max(maxLayer, layerStart[l + 1] - layerStart[l]);
  const target = new Float64Array(maxLayer);
  const weight = new Float64Array(maxLayer);
  const offset = new Float64Array(maxLayer);
  const blockW = new Float64Array(maxLayer);
  const blockWT = new Float64Array(maxLayer);
  const blockStart = new Int32Array(maxLayer);
  const edgeWeight = (a: number, b: number) => {
    const da = a >= realCount;
    const db = b >= realCount;
    return da && db ? DUMMY_WEIGHT : da || db ? MIXED_WEIGHT : 1;
  };
  for (let sweep = 0; sweep < sweeps; sweep++) {
    const downward = sweep % 2 === 0;
    for (let step = 0; step < layerCount; step++) {
      const l = downward ? step : layerCount - 1 - step;
      const a = layerStart[l];
      const count = layerStart[l + 1] - a;
      for (let i = 0; i < count; i++) {
        const v = order[a + i];
        let sw = 0;
        let swu = 0;
        for (let k = up.start[v]; k < up.start[v + 1]; k++) {
          const w = edgeWeight(v, up.target[k]);
          sw += w;
          swu += w * u[up.target[k]];
        }
        for (let k = down.start[v]; k < down.start[v + 1]; k++) {
          const w = edgeWeight(v, down.target[k]);
          sw += w;
          swu += w * u[down.target[k]];
        }
        if (sw === 0) {
          target[i] = u[v];
          weight[i] = 0.01;
        } else {
          target[i] = swu / sw;
          weight[i] = sw;
        }
        offset[i] = i === 0 ? 0 : offset[i - 1] + (size[order[a + i - 1]] + size[v]) / 2 + gap;
      }
      // Pool adjacent violators: y_i = u_i - offset_i must not decrease.
      let blocks = 0;
      for (let i = 0; i < count; i++) {
        let bw = weight[i];
        let bwt = weight[i] * (target[i] - offset[i]);
        let bs = i;
        while (blocks > 0 && blockWT[blocks - 1] / blockW[blocks - 1] >= bwt / bw) {
          blocks--;
          bw += blockW[blocks];
          bwt += blockWT[blocks];
          bs = blockStart[blocks];
        }
        blockW[blocks] = bw;
        blockWT[blocks] = bwt;
        blockStart[blocks] = bs;
        blocks++;
      }
      for (let b = 0; b < blocks; b++) {
        const end = b + 1 < blocks ? blockStart[b + 1] : count;
        const mean = blockWT[b] / blockW[b];
        for (let i = blockStart[b]; i < end; i++) u[order[a + i]] = mean + offset[i];
      }
    }
  }
  return u;
}

/**
 * Crossings between each pair of adjacent layers: with the edges taken in the order of their source (then target),
 * an edge crosses each earlier one whose target lies strictly further along; a Fenwick tree over the lower layer's
 * positions counts those in O(E log V).
 */
function countCrossings(
  layerCount: number,
  layerStart: Int32Array,
  order: Int32Array,
  pos: Int32Array,
  nodeLayer: Int32Array,
  down: Csr,
): number {
  let maxLayer = 0;
  for (let l = 0; l < layerCount; l++) maxLayer = Math.max(maxLayer, layerStart[l + 1] - layerStart[l]);
  const tree = new Int32Array(maxLayer + 1);
  let targets: Int32Array = new Int32Array(16);
  let crossings = 0;
  for (let l = 0; l + 1 < layerCount; l++) {
    const size = layerStart[l + 2] - layerStart[l + 1];
    tree.fill(0, 0, size + 1);
    let inserted = 0;
    for (let i = layerStart[l]; i < layerStart[l + 1]; i++) {
      const v = order[i];
      let count = 0;
      for (let k = down.start[v]; k < down.start[v + 1]; k++) {
        const t = down.target[k];
        if (nodeLayer[t] !== l + 1) continue;
        if (count === targets.length) targets = growInt32(targets);
        targets[count++] = pos[t];
      }
      const sorted = targets.subarray(0, count).sort();
      for (let k = 0; k < count; k++) {
        const q = sorted[k] + 1;
        let atMost = 0;
        for (let j = q; j > 0; j -= j & -j) atMost += tree[j];
        crossings += inserted - atMost;
        for (let j = q; j <= size; j += j & -j) tree[j]++;
        inserted++;
      }
    }
  }
  return crossings;
}

function growInt32(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
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

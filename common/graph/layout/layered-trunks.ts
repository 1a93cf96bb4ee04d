// Virtual points of the layered core (used by layered.ts): an edge spanning several layers passes through virtual
// points, one per layer it crosses, shared by all the edges of its source (a *trunk*: a tensor feeding every decoder
// layer costs one dummy per layer, not one per layer per consumer). A source whose edges span more than `laneSpan`
// layers gets a *lane* instead (no dummies; its edges run along a straight line beside the layout). Then the proper
// graph: every edge joins neighbouring layers, as adjacency both ways.
import { csr, type Csr } from "./layered-ranks";

export interface Trunks {
  /** Node s has dummies trunkStart[s] … trunkStart[s] + trunkSpan[s] - 1, on layers layer[s] + 1 … layer[s] + span. */
  trunkStart: Int32Array;
  trunkSpan: Int32Array;
  /** The lane of a source, -1 for none. */
  lane: Int32Array;
  lanes: number;
  dummyNodes: number;
  /** The layer of every node, dummies included (n + dummyNodes of them). */
  nodeLayer: Int32Array;
}

/**
 * Node s gets dummies on layers layer[s]+1 … layer[s]+span[s]; a longer trunk than laneSpan becomes a lane (no
 * dummies: lane[s] ≥ 0 numbers it).
 */
export function buildTrunks(n: number, outs: Csr, layer: Int32Array, laneSpan: number): Trunks {
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
  return { trunkStart, trunkSpan, lane, lanes, dummyNodes, nodeLayer };
}

/**
 * The proper graph: the trunks' links, then each edge from its source's last dummy before the target's layer (or the
 * source) to the target; `skip` leaves out self loops and edges along lanes.
 */
export function properGraph(
  n: number,
  trunks: Trunks,
  layer: Int32Array,
  dagFrom: Int32Array,
  dagTo: Int32Array,
  skip: (e: number) => boolean,
): { down: Csr; up: Csr } {
  const { trunkStart, trunkSpan, dummyNodes } = trunks;
  const edgeCount = dagFrom.length;
  const total = n + dummyNodes;
  const properCount = dummyNodes + countDagEdges(edgeCount, skip);
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
    if (skip(e)) continue;
    const s = dagFrom[e];
    const t = dagTo[e];
    const span = layer[t] - layer[s] - 1;
    pFrom[p] = span > 0 ? trunkStart[s] + span - 1 : s;
    pTo[p++] = t;
  }
  const down = csr(total, pFrom, pTo, () => false);
  const up = csr(total, pTo, pFrom, () => false);
  return { down, up };
}

function countDagEdges(edgeCount: number, skip: (e: number) => boolean): number {
  let c = 0;
  for (let e = 0; e < edgeCount; e++) if (!skip(e)) c++;
  return c;
}

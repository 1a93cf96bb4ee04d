// The order within layers in the layered core (used by layered.ts): an initial order by node index, crossing
// reduction by barycentre sweeps (a bounded number, alternately down and up), and the crossings left between adjacent
// layers, counted with a Fenwick tree per layer pair.
import type { Csr } from "./layered-ranks";

/** The nodes of layer l are order[layerStart[l] … layerStart[l + 1]); pos[v] is v's place in its layer. */
export interface LayerOrder {
  layerStart: Int32Array;
  order: Int32Array;
  pos: Int32Array;
}

/** Nodes by layer in index order, then `sweeps` barycentre sweeps. */
export function orderLayers(layerCount: number, nodeLayer: Int32Array, down: Csr, up: Csr, sweeps: number): LayerOrder {
  const total = nodeLayer.length;
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
  reduceCrossings(layerCount, layerStart, order, pos, down, up, sweeps);
  return { layerStart, order, pos };
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

/**
 * Crossings between each pair of adjacent layers: with the edges taken in the order of their source (then target),
 * an edge crosses each earlier one whose target lies strictly further along; a Fenwick tree over the lower layer's
 * positions counts those in O(E log V).
 */
export function countCrossings(
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

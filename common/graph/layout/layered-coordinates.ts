// Coordinates along the layers in the layered core (used by layered.ts): boxes start packed and centred per layer,
// then each sweep pulls every node towards the weighted mean of its neighbours (links between virtual points weigh
// most, so long edges run straight) under the order and no-overlap constraints, solved exactly per layer by pooling
// adjacent violators.
import type { Csr } from "./layered-ranks";

const DUMMY_WEIGHT = 8;
const MIXED_WEIGHT = 2;

/** Positions along the layers: each sweep pulls nodes towards the mean of their neighbours, order and gaps kept. */
export function assignU(
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

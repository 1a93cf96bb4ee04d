// Interleaved scopes in the graph layout (used by view-units.ts): a group's nodes may sit on both sides of a node of
// its parent scope (`/m/a/X → /m/Y → /m/a/Z`, as exporters make them), so its frame would be both above and below
// `/m/Y`: an edge against the direction that is no cycle of the model. Per unit (the top level or an open group's
// interior), the boxes on a cycle through an open group move into it. Pure, iterative, on item numbers.

/**
 * Interleaved scopes: in a unit whose items' edges make a cycle, an open group `g` on it takes in the items that lie
 * on a path leaving `g` and coming back (its strongly connected component): then the frame holds what was between
 * its nodes and the unit's edges no longer run against the direction for it. Acyclic units cost one pass (Kahn);
 * others one more (Tarjan's, iterative).
 * `openGroupUnit(item)`: the unit of an open group's interior, -1 for other items. Returns [item, unit it moves into, …].
 */
export function absorbInterleaved(
  itemUnit: number[],
  ueFrom: number[],
  ueTo: number[],
  unitCount: number,
  openGroupUnit: (item: number) => number,
): number[] {
  const moves: number[] = [];
  // Items and edges per unit, on local numbers.
  const local = new Int32Array(itemUnit.length);
  const unitSize = new Int32Array(unitCount);
  for (let i = 0; i < itemUnit.length; i++) local[i] = unitSize[itemUnit[i]]++;
  const edgesOf: number[][] = Array.from({ length: unitCount }, () => []);
  for (let e = 0; e < ueFrom.length; e++) {
    if (ueFrom[e] !== ueTo[e] && itemUnit[ueFrom[e]] === itemUnit[ueTo[e]]) edgesOf[itemUnit[ueFrom[e]]].push(e);
  }
  const itemsOf: number[][] = Array.from({ length: unitCount }, () => []);
  for (let i = 0; i < itemUnit.length; i++) itemsOf[itemUnit[i]].push(i);
  for (let u = 0; u < unitCount; u++) {
    const n = unitSize[u];
    const es = edgesOf[u];
    if (n < 2 || es.length === 0) continue;
    const from = Int32Array.from(es, (e) => local[ueFrom[e]]);
    const to = Int32Array.from(es, (e) => local[ueTo[e]]);
    const outs = adjacency(n, from, to);
    if (isAcyclic(n, outs)) continue;
    // What lies on a path out of g and back is g's strongly connected component: the first open group of each
    // component takes in the rest of it.
    const comp = components(n, outs);
    const taker = new Int32Array(n).fill(-1);
    for (const item of itemsOf[u]) {
      const c = comp[local[item]];
      if (taker[c] < 0 && openGroupUnit(item) >= 0) taker[c] = item;
    }
    for (const item of itemsOf[u]) {
      const g = taker[comp[local[item]]];
      if (g >= 0 && g !== item) moves.push(item, openGroupUnit(g));
    }
  }
  return moves;
}

interface Csr {
  start: Int32Array;
  target: Int32Array;
}

function adjacency(n: number, from: Int32Array, to: Int32Array): Csr {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < from.length; e++) start[from[e] + 1]++;
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const fill = start.slice(0, n);
  const target = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) target[fill[from[e]]++] = to[e];
  return { start, target };
}

/** Strongly connected components (Tarjan's, iterative): a component number per vertex. */
function components(n: number, outs: Csr): Int32Array {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  const call = new Int32Array(n);
  const next = new Int32Array(n);
  let sp = 0;
  let counter = 0;
  let comps = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0) continue;
    let top = 0;
    call[0] = root;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    next[root] = outs.start[root];
    while (top >= 0) {
      const v = call[top];
      if (next[v] < outs.start[v + 1]) {
        const w = outs.target[next[v]++];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          next[w] = outs.start[w];
          call[++top] = w;
        } else if (comp[w] < 0 && index[w] < low[v]) low[v] = index[w];
      } else {
        if (low[v] === index[v]) {
          let w: number;
          do {
            w = stack[--sp];
            comp[w] = comps;
          } while (w !== v);
          comps++;
        }
        top--;
        if (top >= 0 && low[v] < low[call[top]]) low[call[top]] = low[v];
      }
    }
  }
  return comp;
}

function isAcyclic(n: number, outs: Csr): boolean {
  const indeg = new Int32Array(n);
  for (const t of outs.target) indeg[t]++;
  const queue: number[] = [];
  for (let v = 0; v < n; v++) if (indeg[v] === 0) queue.push(v);
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q];
    for (let k = outs.start[v]; k < outs.start[v + 1]; k++)
      if (--indeg[outs.target[k]] === 0) queue.push(outs.target[k]);
  }
  return queue.length === n;
}

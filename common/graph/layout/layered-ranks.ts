// The first phases of the layered core (used by layered.ts): adjacency lists on typed arrays (CSR), cycle breaking
// (the back edges of an iterative depth-first search are reversed, so only edges that close a real cycle turn) and
// layer assignment (longest path from the sources, then nodes that feed at least as much as they read are pulled down
// next to their consumers, so a mask or position input sits beside its first user; pinned nodes go first or last).

/** Adjacency on typed arrays: v's neighbours are target[start[v] … start[v + 1]). */
export interface Csr {
  start: Int32Array;
  target: Int32Array;
}

export function csr(n: number, from: Int32Array, to: Int32Array, skip: (e: number) => boolean): Csr {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < from.length; e++) if (!skip(e)) start[from[e] + 1]++;
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const fill = start.slice(0, n);
  const target = new Int32Array(start[n]);
  for (let e = 0; e < from.length; e++) if (!skip(e)) target[fill[from[e]]++] = to[e];
  return { start, target };
}

/** The input's edges with the back edges reversed. */
export interface Dag {
  back: Uint8Array;
  backEdges: number;
  dagFrom: Int32Array;
  dagTo: Int32Array;
}

/** Cycle breaking: the back edges found by findBackEdges are reversed. */
export function breakCycles(n: number, edgeFrom: Int32Array, edgeTo: Int32Array): Dag {
  const edgeCount = edgeFrom.length;
  const back = findBackEdges(n, edgeFrom, edgeTo);
  const dagFrom = new Int32Array(edgeCount);
  const dagTo = new Int32Array(edgeCount);
  let backEdges = 0;
  for (let e = 0; e < edgeCount; e++) {
    if (back[e]) {
      backEdges++;
      dagFrom[e] = edgeTo[e];
      dagTo[e] = edgeFrom[e];
    } else {
      dagFrom[e] = edgeFrom[e];
      dagTo[e] = edgeTo[e];
    }
  }
  return { back, backEdges, dagFrom, dagTo };
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
export function assignLayers(n: number, outs: Csr, ins: Csr, pin: Int8Array): Int32Array {
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

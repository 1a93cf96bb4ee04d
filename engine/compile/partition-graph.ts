// Partitioning as ONNX Runtime's capability code does it (CreateSupportedPartitionNodeGroups in
// onnxruntime/core/providers/partitioning_utils.cc): a variant of Kahn's topological sort in "waves". Each wave
// takes every ready supported node into the current group, and every ready unsupported node that does not consume
// the group's outputs; the unsupported nodes on the group's border wait for the next wave. One wave, one group.

export interface PartitionInput {
  /** Node count; nodes are 0..n-1. */
  count: number;
  /** Producers of each node's inputs (distinct node indices). */
  producers: number[][];
  supported: boolean[];
}

/** The supported groups, each a list of node indices in the order they were taken (a topological order). */
export function partitionNodes(input: PartitionInput): number[][] {
  const { count, producers, supported } = input;
  const consumers: number[][] = Array.from({ length: count }, () => []);
  const inDegree = new Array<number>(count).fill(0);
  producers.forEach((ps, c) => {
    for (const p of new Set(ps)) {
      if (p === c) continue;
      consumers[p].push(c);
      inDegree[c]++;
    }
  });
  let ready: number[] = [];
  for (let i = 0; i < count; i++) if (inDegree[i] === 0) ready.push(i);
  let nextWave: number[] = [];
  const groups: number[][] = [];
  let group: number[] = [];
  let border = new Set<number>();
  const close = () => {
    if (group.length > 0) groups.push(group);
    group = [];
    border = new Set();
  };
  let processed = 0;
  while (ready.length > 0 || nextWave.length > 0) {
    if (ready.length === 0) {
      close();
      ready = nextWave;
      nextWave = [];
      continue;
    }
    const node = ready.shift()!;
    const ok = supported[node];
    if (!ok && border.has(node)) {
      nextWave.push(node);
      continue;
    }
    if (ok) {
      group.push(node);
      border.delete(node);
    }
    for (const c of consumers[node]) {
      if (ok) border.add(c);
      if (--inDegree[c] === 0) ready.push(c);
    }
    processed++;
  }
  close();
  // processed < count only for a cycle (an invalid graph): the nodes never reached stay unassigned.
  void processed;
  return groups;
}

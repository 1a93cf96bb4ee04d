// INTERIM stand-in for common/graph/layout's `layoutModelGraph`, used only until the layout module lands on main
// (worker/layout-source.ts switches between them). Deliberately simple: groups from the scopes in node names (a
// scope with the same members as its parent is skipped), longest-path layers, one barycentre ordering pass, straight
// edges, expanded groups framed around their members. Iterative throughout (no recursion that grows with the graph).
import type { ModelGraph } from "../../../common/graph/model-graph";
import type { LayoutOptions } from "../../../common/graph/layout/layout-options";
import type { GraphScene, SceneEdge, SceneNode } from "../../../common/graph/scene";

const NODE_HEIGHT = 36;
const GROUP_HEIGHT = 44;
const GAP_ALONG = 48;
const GAP_ACROSS = 24;
const FRAME_PAD = 12;
const FRAME_TITLE = 20;

export function createLayoutCache(): { readonly size: number; clear(): void } {
  return { size: 0, clear() {} };
}

function scopesOf(name: string): string[] {
  const parts = name.split("/").filter((p) => p !== "");
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push("/" + parts.slice(0, i).join("/"));
  return out;
}

export function layoutModelGraph(graph: ModelGraph, options: LayoutOptions = {}): GraphScene {
  const direction = options.direction ?? "TB";
  const measure = options.measureText ?? ((text: string) => text.length * 7);
  const expandedAll = options.expanded === "all";
  const expanded = options.expanded instanceof Set ? options.expanded : new Set<string>();
  const nodeScopes = graph.nodes.map((n) => scopesOf(n.name));
  const count = new Map<string, number>();
  for (const scopes of nodeScopes) for (const s of scopes) count.set(s, (count.get(s) ?? 0) + 1);
  // Each node's visible unit, and the chain of open groups it is drawn in.
  const unitOf: string[] = [];
  const openChain: string[][] = [];
  const groupMembers = new Map<string, number[]>();
  nodeScopes.forEach((scopes, i) => {
    const chain: string[] = [];
    let unit = `n${i}`;
    let parentCount = graph.nodes.length;
    for (const s of scopes) {
      const c = count.get(s)!;
      if (c < 2 || c === parentCount) continue;
      parentCount = c;
      const members = groupMembers.get(s) ?? [];
      members.push(i);
      groupMembers.set(s, members);
      if (expandedAll || expanded.has(s)) {
        chain.push(s);
        continue;
      }
      unit = `g${s}`;
      break;
    }
    unitOf.push(unit);
    openChain.push(chain);
  });
  // Units in first-seen order.
  const units: SceneNode[] = [];
  const unitIndex = new Map<string, number>();
  const parentOf = new Map<string, string>();
  const addUnit = (n: SceneNode) => {
    unitIndex.set(n.id, units.length);
    units.push(n);
  };
  for (const t of graph.inputs)
    addUnit(box(`i${t}`, "input", t, graph.tensors[t]?.name ?? `input ${t}`, undefined, measure));
  graph.nodes.forEach((node, i) => {
    const id = unitOf[i];
    const chain = openChain[i];
    if (chain.length > 0) parentOf.set(id, `g${chain[chain.length - 1]}`);
    if (unitIndex.has(id)) return;
    if (id.startsWith("g")) {
      const scope = id.slice(1);
      const members = groupMembers.get(scope)!;
      const n = box(id, "group", -1, scope.split("/").pop()!, `${members.length} nodes`, measure);
      n.expanded = false;
      n.members = members;
      addUnit(n);
    } else addUnit(box(id, "node", i, node.op, node.name || undefined, measure));
  });
  for (const t of graph.outputs)
    addUnit(box(`o${t}`, "output", t, graph.tensors[t]?.name ?? `output ${t}`, undefined, measure));
  // Edges between units, merged per pair.
  const edgeByPair = new Map<string, SceneEdge>();
  const link = (from: string, to: string, tensor: number) => {
    if (from === to) return;
    const key = `${from}>${to}`;
    const e = edgeByPair.get(key);
    if (e) e.tensorCount++;
    else edgeByPair.set(key, { from, to, tensor, tensorCount: 1, points: [] });
  };
  const isInput = new Set(graph.inputs);
  graph.nodes.forEach((node, i) => {
    for (const t of node.inputs) {
      if (t < 0) continue;
      const p = graph.tensors[t]?.producer ?? -1;
      if (p >= 0) link(unitOf[p], unitOf[i], t);
      else if (isInput.has(t)) link(`i${t}`, unitOf[i], t);
    }
  });
  for (const t of graph.outputs) {
    const p = graph.tensors[t]?.producer ?? -1;
    if (p >= 0) link(unitOf[p], `o${t}`, t);
    else if (isInput.has(t)) link(`i${t}`, `o${t}`, t);
  }
  const edges = [...edgeByPair.values()];
  // Longest-path layers (Kahn; a cycle is broken at the remaining unit that comes first).
  const n = units.length;
  const indeg = new Int32Array(n);
  const succ: number[][] = units.map(() => []);
  const pred: number[][] = units.map(() => []);
  for (const e of edges) {
    const a = unitIndex.get(e.from)!;
    const b = unitIndex.get(e.to)!;
    succ[a].push(b);
    pred[b].push(a);
    indeg[b]++;
  }
  const layer = new Int32Array(n);
  const done = new Uint8Array(n);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i);
  let processed = 0;
  let head = 0;
  let scan = 0;
  while (processed < n) {
    if (head >= queue.length) {
      while (done[scan]) scan++;
      queue.push(scan);
      indeg[scan] = 0;
    }
    const u = queue[head++];
    if (done[u]) continue;
    done[u] = 1;
    processed++;
    for (const v of succ[u]) {
      if (done[v]) continue;
      layer[v] = Math.max(layer[v], layer[u] + 1);
      if (--indeg[v] === 0) queue.push(v);
    }
  }
  const layers: number[][] = [];
  for (let i = 0; i < n; i++) (layers[layer[i]] ??= []).push(i);
  // One barycentre pass, then place.
  const pos = new Float64Array(n);
  const vertical = direction === "TB";
  const across = (u: SceneNode) => (vertical ? u.width : u.height);
  const alongSize = (u: SceneNode) => (vertical ? u.height : u.width);
  let offset = 0;
  let widest = 0;
  const layerExtent: number[] = [];
  for (const ids of layers) {
    if (!ids) continue;
    const key = (i: number) => (pred[i].length ? pred[i].reduce((s, p) => s + pos[p], 0) / pred[i].length : pos[i]);
    ids.sort((a, b) => key(a) - key(b));
    let x = 0;
    let depth = 0;
    for (const i of ids) {
      pos[i] = x + across(units[i]) / 2;
      x += across(units[i]) + GAP_ACROSS;
      depth = Math.max(depth, alongSize(units[i]));
    }
    layerExtent.push(x);
    widest = Math.max(widest, x);
    for (const i of ids) {
      const u = units[i];
      const a = pos[i] - across(u) / 2;
      if (vertical) [u.x, u.y] = [a, offset];
      else [u.x, u.y] = [offset, a];
    }
    offset += depth + GAP_ALONG;
  }
  for (const e of edges) {
    const a = units[unitIndex.get(e.from)!];
    const b = units[unitIndex.get(e.to)!];
    e.back = layer[unitIndex.get(e.from)!] >= layer[unitIndex.get(e.to)!] || undefined;
    e.points = vertical
      ? [a.x + a.width / 2, a.y + a.height, b.x + b.width / 2, b.y]
      : [a.x + a.width, a.y + a.height / 2, b.x, b.y + b.height / 2];
  }
  // Frames of open groups around their visible descendants, outer scopes first.
  const frames: SceneNode[] = [];
  const openScopes = [...new Set(openChain.flat())].sort((a, b) => a.length - b.length);
  const frameOf = new Map<string, SceneNode>();
  for (const s of openScopes) {
    const f = box(`g${s}`, "group", -1, s.split("/").pop()!, `${groupMembers.get(s)!.length} nodes`, measure);
    f.expanded = true;
    f.members = groupMembers.get(s);
    const chainParent = openScopes.filter((o) => o !== s && s.startsWith(o + "/")).pop();
    if (chainParent) f.parent = `g${chainParent}`;
    Object.assign(f, { x: Infinity, y: Infinity, width: -Infinity, height: -Infinity });
    frameOf.set(s, f);
    frames.push(f);
  }
  units.forEach((u) => {
    const p = parentOf.get(u.id);
    if (p) u.parent = p;
  });
  graph.nodes.forEach((_, i) => {
    const u = units[unitIndex.get(unitOf[i])!];
    for (const s of openChain[i]) {
      const f = frameOf.get(s)!;
      f.x = Math.min(f.x, u.x - FRAME_PAD);
      f.y = Math.min(f.y, u.y - FRAME_PAD - FRAME_TITLE);
      f.width = Math.max(f.width, u.x + u.width + FRAME_PAD);
      f.height = Math.max(f.height, u.y + u.height + FRAME_PAD);
    }
  });
  for (const f of frames) [f.width, f.height] = [f.width - f.x, f.height - f.y];
  const all = [...frames, ...units];
  let maxX = 0;
  let maxY = 0;
  let minX = 0;
  let minY = 0;
  for (const u of all) {
    minX = Math.min(minX, u.x);
    minY = Math.min(minY, u.y);
  }
  for (const u of all) {
    u.x -= minX;
    u.y -= minY;
    maxX = Math.max(maxX, u.x + u.width);
    maxY = Math.max(maxY, u.y + u.height);
  }
  for (const e of edges)
    for (let i = 0; i < e.points.length; i += 2)
      [e.points[i], e.points[i + 1]] = [e.points[i] - minX, e.points[i + 1] - minY];
  return {
    direction,
    nodes: all,
    edges,
    width: maxX,
    height: maxY,
    stats: {
      layers: layers.length,
      backEdges: edges.filter((e) => e.back).length,
      dummyNodes: 0,
      groupsLaidOut: 0,
      groupsReused: 0,
    },
  };
}

function box(
  id: string,
  kind: SceneNode["kind"],
  index: number,
  label: string,
  sublabel: string | undefined,
  measure: (text: string, font: "label" | "sublabel") => number,
): SceneNode {
  const width = Math.max(80, measure(label, "label") + 24, sublabel ? measure(sublabel, "sublabel") + 24 : 0);
  const node: SceneNode = {
    id,
    kind,
    index,
    x: 0,
    y: 0,
    width: Math.min(width, 320),
    height: kind === "group" ? GROUP_HEIGHT : NODE_HEIGHT,
    label,
  };
  if (sublabel) node.sublabel = sublabel;
  return node;
}

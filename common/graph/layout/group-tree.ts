// Groups of the graph layout: the name scopes of node names (`/model/layers.0/attn/MatMul` is in the scopes
// `/model`, `/model/layers.0` and `/model/layers.0/attn`), made into a tree of groups the viewer opens and closes.
// Rules: a scope holding a single node is not a group; a scope holding exactly what one of its child scopes holds is
// not a group either (the child is); a node belongs to its innermost group. The groups opened by default: while the largest
// group of a level holds at least half of that level's nodes, it is opened (so a model whose nodes sit under
// `/model` first shows its blocks).
import type { ModelGraph } from "../model-graph";

export interface LayoutGroup {
  /** The scope, as in node names: "/model/layers.0". */
  scope: string;
  /** The last segment of the scope: "layers.0". */
  label: string;
  /** The enclosing group's index, -1 at the top level. */
  parent: number;
  /** Child groups (indices), in order of their first node. */
  children: number[];
  /** Model nodes directly inside (not inside a child group), in index order. */
  nodes: number[];
  /** Model nodes at every depth. */
  memberCount: number;
  /** The smallest member node index (orders groups among nodes). */
  firstNode: number;
  /** Nesting depth: 0 for top-level groups. */
  depth: number;
}

export interface GroupTree {
  /** Parents before children. */
  groups: LayoutGroup[];
  byScope: Map<string, number>;
  /** The innermost group of each node, -1 for nodes at the top level. */
  nodeGroup: Int32Array;
  /** Top-level groups and nodes. */
  topGroups: number[];
  topNodes: number[];
  /** Scopes opened when the caller opens nothing (see the header). */
  autoExpanded: string[];
}

/** The scopes a node name is in, outermost first ("a/b/c" → "a", "a/b"). */
export function nameScopes(name: string): string[] {
  const scopes: string[] = [];
  for (let i = name.indexOf("/", 1); i > 0; i = name.indexOf("/", i + 1)) scopes.push(name.slice(0, i));
  return scopes;
}

interface Scope {
  scope: string;
  parent: number;
  count: number;
  children: number;
  onlyChild: number;
}

export function buildGroupTree(graph: ModelGraph): GroupTree {
  const nodeCount = graph.nodes.length;
  const scopes: Scope[] = [];
  const scopeIndex = new Map<string, number>();
  const nodeScope = new Int32Array(nodeCount).fill(-1);
  let lastPath = "";
  let lastScope = -1;
  for (let n = 0; n < nodeCount; n++) {
    // Neighbouring nodes mostly share their innermost scope: then only the counts change.
    const name = graph.nodes[n].name;
    const cut = name.lastIndexOf("/");
    if (
      cut > 0 &&
      lastScope >= 0 &&
      name.length > lastPath.length &&
      name.startsWith(lastPath) &&
      cut === lastPath.length
    ) {
      for (let i = lastScope; i >= 0; i = scopes[i].parent) scopes[i].count++;
      nodeScope[n] = lastScope;
      continue;
    }
    let parent = -1;
    for (const s of nameScopes(name)) {
      let i = scopeIndex.get(s);
      if (i === undefined) {
        i = scopes.length;
        scopes.push({ scope: s, parent, count: 0, children: 0, onlyChild: -1 });
        scopeIndex.set(s, i);
        if (parent >= 0) {
          scopes[parent].children++;
          scopes[parent].onlyChild = i;
        }
      }
      scopes[i].count++;
      parent = i;
    }
    nodeScope[n] = parent;
    lastScope = parent;
    lastPath = parent >= 0 ? scopes[parent].scope : "";
  }
  // Which scopes are groups (parents are made before children, so a reverse pass sees children first).
  const isGroup = new Uint8Array(scopes.length);
  const direct = new Int32Array(scopes.length);
  for (let n = 0; n < nodeCount; n++) if (nodeScope[n] >= 0) direct[nodeScope[n]]++;
  for (let i = 0; i < scopes.length; i++) {
    const s = scopes[i];
    const sameAsChild = s.children === 1 && direct[i] === 0 && scopes[s.onlyChild].count === s.count;
    isGroup[i] = s.count >= 2 && !sameAsChild ? 1 : 0;
  }
  // The nearest group at or above each scope.
  const groupOfScope = new Int32Array(scopes.length).fill(-1);
  const groups: LayoutGroup[] = [];
  const byScope = new Map<string, number>();
  for (let i = 0; i < scopes.length; i++) {
    const s = scopes[i];
    const up = s.parent >= 0 ? groupOfScope[s.parent] : -1;
    if (isGroup[i]) {
      const g = groups.length;
      const depth = up >= 0 ? groups[up].depth + 1 : 0;
      groups.push({
        scope: s.scope,
        label: s.scope.slice(s.scope.lastIndexOf("/") + 1),
        parent: up,
        children: [],
        nodes: [],
        memberCount: 0,
        firstNode: -1,
        depth,
      });
      byScope.set(s.scope, g);
      if (up >= 0) groups[up].children.push(g);
      groupOfScope[i] = g;
    } else groupOfScope[i] = up;
  }
  const nodeGroup = new Int32Array(nodeCount).fill(-1);
  const topGroups: number[] = [];
  const topNodes: number[] = [];
  for (let n = 0; n < nodeCount; n++) {
    const g = nodeScope[n] >= 0 ? groupOfScope[nodeScope[n]] : -1;
    nodeGroup[n] = g;
    if (g < 0) topNodes.push(n);
    else groups[g].nodes.push(n);
    for (let a = g; a >= 0; a = groups[a].parent) {
      groups[a].memberCount++;
      if (groups[a].firstNode < 0) groups[a].firstNode = n;
    }
  }
  for (let g = 0; g < groups.length; g++) if (groups[g].parent < 0) topGroups.push(g);
  const byFirst = (a: number, b: number) => groups[a].firstNode - groups[b].firstNode;
  topGroups.sort(byFirst);
  for (const g of groups) g.children.sort(byFirst);
  return { groups, byScope, nodeGroup, topGroups, topNodes, autoExpanded: autoExpanded(groups, topGroups, topNodes) };
}

function autoExpanded(groups: LayoutGroup[], topGroups: number[], topNodes: number[]): string[] {
  const opened: string[] = [];
  let levelGroups = topGroups;
  let levelNodes = topNodes.length;
  while (levelGroups.length > 0) {
    let largest = levelGroups[0];
    let levelTotal = levelNodes;
    for (const g of levelGroups) {
      levelTotal += groups[g].memberCount;
      if (groups[g].memberCount > groups[largest].memberCount) largest = g;
    }
    if (groups[largest].memberCount * 2 < levelTotal) break;
    opened.push(groups[largest].scope);
    levelGroups = groups[largest].children;
    levelNodes = groups[largest].nodes.length;
  }
  return opened;
}

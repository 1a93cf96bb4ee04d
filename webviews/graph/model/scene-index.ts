// What the viewer needs to know about a laid-out scene (pure): boxes by id, which box shows a model node (its own, or
// the closed group holding it), which closed group to open to reveal a node, the scene's edges by box, and keyboard
// navigation (to a producer, a consumer, or a sibling in the same layer).
import type { GraphScene, SceneEdge, SceneNode } from "../../../common/graph/scene";

export type NavDirection = "producer" | "consumer" | "previous" | "next";

export class SceneIndex {
  readonly byId = new Map<string, number>();
  /** Model node index → the scene box that shows it (itself or the innermost closed group). */
  private readonly shownBy = new Map<number, number>();
  private readonly incoming = new Map<string, SceneEdge[]>();
  private readonly outgoing = new Map<string, SceneEdge[]>();

  constructor(readonly scene: GraphScene) {
    scene.nodes.forEach((n, i) => {
      this.byId.set(n.id, i);
      if (n.kind === "node") this.shownBy.set(n.index, i);
    });
    scene.nodes.forEach((n, i) => {
      if (n.kind !== "group" || n.expanded) return;
      for (const m of n.members ?? []) if (!this.shownBy.has(m)) this.shownBy.set(m, i);
    });
    for (const e of scene.edges) {
      push(this.outgoing, e.from, e);
      push(this.incoming, e.to, e);
    }
  }

  node(id: string): SceneNode | undefined {
    const i = this.byId.get(id);
    return i === undefined ? undefined : this.scene.nodes[i];
  }

  /** The box showing model node `index`, if any. */
  boxOf(index: number): SceneNode | undefined {
    const i = this.shownBy.get(index);
    return i === undefined ? undefined : this.scene.nodes[i];
  }

  /** The closed group to open so that model node `index` gets a box of its own (undefined: it has one, or none). */
  groupToOpen(index: number): SceneNode | undefined {
    const box = this.boxOf(index);
    return box && box.kind === "group" ? box : undefined;
  }

  edgesInto(id: string): readonly SceneEdge[] {
    return this.incoming.get(id) ?? [];
  }

  edgesOutOf(id: string): readonly SceneEdge[] {
    return this.outgoing.get(id) ?? [];
  }

  /** The box to move to from `id` with an arrow key. */
  navigate(id: string, direction: NavDirection): string | undefined {
    const from = this.node(id);
    if (!from) return undefined;
    if (direction === "producer")
      return nearest(
        from,
        this.edgesInto(id).map((e) => this.node(e.from)),
      );
    if (direction === "consumer")
      return nearest(
        from,
        this.edgesOutOf(id).map((e) => this.node(e.to)),
      );
    // Siblings: boxes with the same parent whose centre is in the same band across the layout direction.
    const vertical = this.scene.direction === "TB";
    const centre = (n: SceneNode) => (vertical ? n.y + n.height / 2 : n.x + n.width / 2);
    const along = (n: SceneNode) => (vertical ? n.x : n.y);
    const band = vertical ? from.height : from.width;
    let best: SceneNode | undefined;
    for (const n of this.scene.nodes) {
      if (n === from || n.parent !== from.parent || Math.abs(centre(n) - centre(from)) > band / 2) continue;
      const d = along(n) - along(from);
      if (direction === "next" ? d <= 0 : d >= 0) continue;
      if (!best || Math.abs(d) < Math.abs(along(best) - along(from))) best = n;
    }
    return best?.id;
  }
}

function push(map: Map<string, SceneEdge[]>, key: string, edge: SceneEdge): void {
  const list = map.get(key);
  if (list) list.push(edge);
  else map.set(key, [edge]);
}

function nearest(from: SceneNode, candidates: (SceneNode | undefined)[]): string | undefined {
  let best: SceneNode | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (!c) continue;
    const d = Math.hypot(c.x - from.x, c.y - from.y);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best?.id;
}

/** The scope of a group box (`g/model/layers.0` → `/model/layers.0`). */
export function groupScope(node: SceneNode): string {
  return node.id.startsWith("g") ? node.id.slice(1) : node.id;
}

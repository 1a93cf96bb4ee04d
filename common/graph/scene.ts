// A laid-out graph (a *scene*): boxes and edge routes in layout space, which the graph viewer's renderer draws and
// `edge graph` writes as SVG/PNG. The layout (common/graph/layout/) makes it from a ModelGraph and the set of open
// groups. Layout space: x to the right, y down, units are CSS pixels at zoom 1; boxes are given by their top-left
// corner. Plain JSON (it crosses from the layout worker to the webview).

export type LayoutDirection = "TB" | "LR";

export type SceneNodeKind =
  /** A model node. */
  | "node"
  /** A group of nodes sharing a name scope (`/model/layers.0/attn`): a box of its own when collapsed, a frame
   * around its laid-out members when expanded. */
  | "group"
  /** A graph input (a tensor a caller feeds). */
  | "input"
  /** A graph output. */
  | "output";

export interface SceneNode {
  /**
   * Unique in the scene: `n<index>` for model node `index`, `g<scope>` for a group (its scope, e.g.
   * `g/model/layers.0/attn`), `i<tensor>` / `o<tensor>` for a graph input / output tensor.
   */
  id: string;
  kind: SceneNodeKind;
  /** The model node index (kind "node"), the tensor index (kinds "input", "output"), -1 for groups. */
  index: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The main text: the op type for nodes, the last scope segment for groups, the tensor name for inputs/outputs. */
  label: string;
  /** Smaller text shown when zoomed in: the node name, or "12 nodes" for a collapsed group. */
  sublabel?: string;
  /** Groups: open (members drawn inside) or closed. */
  expanded?: boolean;
  /** The id of the expanded group this box is drawn inside; absent at the top level. */
  parent?: string;
  /** Groups: the model node indices it holds, at every depth (for overlay totals and search reveal). */
  members?: number[];
}

export interface SceneEdge {
  /** Scene node ids; an edge into or out of a closed group ends on the group. */
  from: string;
  to: string;
  /** The tensor it carries (the first one when several tensors join the same two boxes). */
  tensor: number;
  /** How many tensors this edge stands for (> 1 when edges between the same two boxes were merged). */
  tensorCount: number;
  /** The route: x0, y0, x1, y1, … from the source box's border to the target box's border (at least 2 points). */
  points: number[];
  /** Runs against the layout direction because it closes a cycle (a real back edge of the graph). */
  back?: boolean;
  /** Only If/Loop/Scan bodies read the tensors (GraphNode.captures): no explicit input joins the two boxes. */
  implicit?: true;
}

export interface SceneStats {
  /** Layers of the top-level arrangement. */
  layers: number;
  /** Edges that run against the layout direction (cycles). */
  backEdges: number;
  /** Virtual points added to route edges that span several layers. */
  dummyNodes: number;
  /** Group interiors laid out in this call, and reused from an earlier call or an identical group. */
  groupsLaidOut: number;
  groupsReused: number;
  /**
   * Edge crossings between adjacent layers, summed over the flat layouts the scene is made of (the top level and each
   * open group's interior; routes along lanes not counted).
   */
  crossings?: number;
}

export interface GraphScene {
  direction: LayoutDirection;
  /** Parents before children: drawing in order puts members over their group's frame. */
  nodes: SceneNode[];
  edges: SceneEdge[];
  /** The bounding box of everything, from (0, 0). */
  width: number;
  height: number;
  stats: SceneStats;
}

// Spatial grids over a scene's boxes and edges (pure), built once per scene: the renderer queries them for the
// visible rectangle and the pointer for what is under it. Edges are filed by the cells their segments cross.
import type { GraphScene } from "../../../common/graph/scene";
import { SpatialGrid } from "./spatial-index";

export interface SceneGrids {
  nodes: SpatialGrid;
  edges: SpatialGrid;
}

/** Cells about four default boxes wide: few items per cell at every size of graph. */
export const GRID_CELL = 320;

export function buildGrids(scene: GraphScene): SceneGrids {
  const nodes = new SpatialGrid(GRID_CELL);
  scene.nodes.forEach((n, i) => nodes.insert(i, n.x, n.y, n.width, n.height));
  const edges = new SpatialGrid(GRID_CELL);
  scene.edges.forEach((e, i) => edges.insertPolyline(i, e.points));
  return { nodes, edges };
}

/** The topmost box under a layout-space point (an expanded group's frame only where none of its members is). */
export function boxAt(scene: GraphScene, grids: SceneGrids, x: number, y: number): number | undefined {
  const hits = grids.nodes.at(x, y);
  return hits.length > 0 ? hits[0] : undefined;
}

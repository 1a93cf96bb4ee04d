// Level of detail (pure): what the renderer draws at a zoom. Far out only boxes; labels, edges, their routes, arrow
// heads, sublabels and ports appear as the user zooms in. Thresholds are in screen px of a 12 px label, so they read
// as "is the text big enough to read".

export interface LevelOfDetail {
  /** Main labels (op type, group name). */
  labels: boolean;
  /** Node names, member counts, overlay times. */
  sublabels: boolean;
  /** "none" (boxes only), "straight" (end to end), "routes" (the layout's bends). */
  edges: "none" | "straight" | "routes";
  arrows: boolean;
  /** Input/output ports on node borders. */
  ports: boolean;
  /** Box borders (a default box is then at least LOD_BORDERS_ZOOM × 36 ≈ 5 px tall). */
  borders: boolean;
}

export const LOD_LABELS_ZOOM = 0.45;
export const LOD_SUBLABELS_ZOOM = 0.8;
export const LOD_EDGES_ZOOM = 0.06;
export const LOD_ROUTES_ZOOM = 0.3;
export const LOD_PORTS_ZOOM = 1.2;
export const LOD_BORDERS_ZOOM = 0.15;

/**
 * The detail at `zoom`. `visibleEdges` thins edges out when very many are in view (straight lines instead of routes),
 * which keeps a frame cheap on a fully expanded large graph.
 */
export function levelOfDetail(zoom: number, visibleEdges = 0): LevelOfDetail {
  let edges: LevelOfDetail["edges"] = zoom < LOD_EDGES_ZOOM ? "none" : zoom < LOD_ROUTES_ZOOM ? "straight" : "routes";
  if (edges === "routes" && visibleEdges > 4000) edges = "straight";
  return {
    labels: zoom >= LOD_LABELS_ZOOM,
    sublabels: zoom >= LOD_SUBLABELS_ZOOM,
    edges,
    arrows: zoom >= LOD_ROUTES_ZOOM,
    ports: zoom >= LOD_PORTS_ZOOM,
    borders: zoom >= LOD_BORDERS_ZOOM,
  };
}

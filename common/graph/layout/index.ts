// The graph layout's public face (a pure module: the viewer's worker and `edge graph` both call it).
// layoutModelGraph: ModelGraph + open groups → GraphScene; layoutLayered: the flat layered core on typed arrays;
// buildGroupTree: the groups made from name scopes; createLayoutCache: keeps group interiors between calls.
export {
  layoutModelGraph,
  estimateText,
  NODE_HEIGHT,
  NODE_MIN_WIDTH,
  GROUP_HEIGHT,
  GROUP_MIN_WIDTH,
  TENSOR_HEIGHT,
  FRAME_PAD,
  FRAME_HEADER,
} from "./model-layout";
export { layoutLayered, type LayeredInput, type LayeredLayout } from "./layered";
export { buildGroupTree, nameScopes, type GroupTree, type LayoutGroup } from "./group-tree";
export { createLayoutCache, type LayoutCache } from "./layout-cache";
export type { LayoutOptions, LayoutCacheLike, MeasureText } from "./layout-options";

// The layout of a model graph as the viewer shows it: `layoutModelGraph` turns a ModelGraph and the set of open
// groups into a GraphScene. What is shown: model nodes (`n<i>`), graph inputs and outputs (`i<t>`, `o<t>`), closed
// groups as single boxes and open groups as frames around their members (`g<scope>`); initializers are not boxes.
// Edges join the visible boxes that produce and consume a tensor (into a closed group: the group's box), merged when
// they join the same two boxes; a tensor only an If/Loop/Scan body reads (GraphNode.captures) makes an `implicit` edge
// into the node. Each open group is a *unit* laid out on its own by the layered core (children
// first, so a parent knows the size of an open child's frame), with boundary ports standing for what crosses its
// frame; an edge's route is the chain of its pieces through the units it crosses. A group interior is looked up in
// the cache by its signature before it is laid out (repeated blocks are laid out once). An open group whose nodes are
// interleaved with others of its parent unit takes those in (absorbInterleaved), so its frame closes no false cycle.
// The steps: the view graph (view-graph.ts), the units' items, ports and pieces (view-units.ts), box sizes
// (box-sizes.ts), the units' flat layouts (unit-layouts.ts), the scene (scene-assembly.ts).
import type { ModelGraph } from "../model-graph";
import type { GraphScene, LayoutDirection } from "../scene";
import { estimateText, itemBoxes } from "./box-sizes";
import { buildGroupTree, type GroupTree } from "./group-tree";
import { asLayoutCache, createLayoutCache } from "./layout-cache";
import type { LayoutOptions } from "./layout-options";
import { assembleScene } from "./scene-assembly";
import { layoutUnits } from "./unit-layouts";
import { buildViewGraph } from "./view-graph";
import { buildUnitItems } from "./view-units";

export {
  NODE_HEIGHT,
  NODE_MIN_WIDTH,
  GROUP_HEIGHT,
  GROUP_MIN_WIDTH,
  TENSOR_HEIGHT,
  FRAME_PAD,
  FRAME_HEADER,
  estimateText,
} from "./box-sizes";

export function layoutModelGraph(graph: ModelGraph, options: LayoutOptions = {}): GraphScene {
  const direction: LayoutDirection = options.direction ?? "TB";
  const measure = options.measureText ?? estimateText;
  const cache = asLayoutCache(options.cache) ?? createLayoutCache();
  const nodeCount = graph.nodes.length;
  const tree: GroupTree =
    options.grouping === false
      ? {
          groups: [],
          byScope: new Map(),
          nodeGroup: new Int32Array(nodeCount).fill(-1),
          topGroups: [],
          topNodes: [],
          autoExpanded: [],
        }
      : buildGroupTree(graph);
  const view = buildViewGraph(graph, tree, options);
  const units = buildUnitItems(view);
  const boxes = itemBoxes(graph, tree.groups, units, measure);
  const laid = layoutUnits(view, units, boxes, direction, cache);
  return assembleScene(view, units, boxes, laid, direction);
}

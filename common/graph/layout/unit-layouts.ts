// Laying out the units (used by model-layout.ts): each open group's interior with the layered core, deepest first, so
// that a parent knows the size of an open child's frame (the interior plus FRAME_PAD and FRAME_HEADER), then the top
// level. An interior is looked up in the cache by its signature (what the core sees: box sizes, boundary ports'
// pins, internal edges, direction) before it is laid out, so repeated blocks are laid out once.
import type { LayoutDirection } from "../scene";
import { FRAME_HEADER, FRAME_PAD, type ItemBoxes } from "./box-sizes";
import { layoutLayered, type LayeredLayout } from "./layered";
import type { LayoutCache } from "./layout-cache";
import type { ViewGraph } from "./view-graph";
import { KIND_IN_PORT, KIND_OUT_PORT, type UnitItems } from "./view-units";

export interface UnitLayouts {
  /** Per unit, its flat layout (in the unit's own coordinates). */
  unitLayout: (LayeredLayout | undefined)[];
  /** The open groups' units, deepest first. */
  openUnits: number[];
  top: LayeredLayout;
  groupsLaidOut: number;
  groupsReused: number;
}

/** Lays the units out; sets the open groups' frame sizes in `boxes`. */
export function layoutUnits(
  view: ViewGraph,
  units: UnitItems,
  boxes: ItemBoxes,
  direction: LayoutDirection,
  cache: LayoutCache,
): UnitLayouts {
  const { groupCount, nodeCount, open, unitDepth } = view;
  const { unitCount, unitItems, unitEdges, itemKind, local, ueFrom, ueTo, entItem } = units;
  const { itemW, itemH } = boxes;
  // Lay the units out, deepest first.
  const unitLayout: (LayeredLayout | undefined)[] = new Array(unitCount);
  const openUnits: number[] = [];
  for (let g = 0; g < groupCount; g++) if (open[g]) openUnits.push(g + 1);
  openUnits.sort((a, b) => unitDepth(b) - unitDepth(a) || a - b);
  let groupsLaidOut = 0;
  let groupsReused = 0;
  const layUnit = (u: number, cached: boolean) => {
    const items = unitItems[u];
    const edges = unitEdges[u];
    const widths = new Float64Array(items.length);
    const heights = new Float64Array(items.length);
    const pin = new Int8Array(items.length);
    items.forEach((item, k) => {
      widths[k] = itemW[item];
      heights[k] = itemH[item];
      pin[k] = itemKind[item] === KIND_IN_PORT ? -1 : itemKind[item] === KIND_OUT_PORT ? 1 : 0;
    });
    const edgeFrom = new Int32Array(edges.length);
    const edgeTo = new Int32Array(edges.length);
    edges.forEach((e, k) => {
      edgeFrom[k] = local[ueFrom[e]];
      edgeTo[k] = local[ueTo[e]];
    });
    let signature = "";
    if (cached) {
      signature = signatureOf(direction, widths, heights, pin, edgeFrom, edgeTo);
      const hit = cache.get(signature);
      if (hit) {
        groupsReused++;
        return hit;
      }
    }
    const result = layoutLayered({ widths, heights, pin, edgeFrom, edgeTo, direction });
    if (cached) {
      groupsLaidOut++;
      cache.set(signature, result);
    }
    return result;
  };
  for (const u of openUnits) {
    const layout = layUnit(u, true);
    unitLayout[u] = layout;
    const item = entItem[nodeCount + u - 1];
    itemW[item] = layout.width + 2 * FRAME_PAD;
    itemH[item] = layout.height + FRAME_PAD + FRAME_HEADER;
  }
  const top = layUnit(0, false);
  unitLayout[0] = top;
  return { unitLayout, openUnits, top, groupsLaidOut, groupsReused };
}

/** What the layered core sees of a unit, as a string: equal strings give equal layouts. */
function signatureOf(
  direction: LayoutDirection,
  widths: Float64Array,
  heights: Float64Array,
  pin: Int8Array,
  edgeFrom: Int32Array,
  edgeTo: Int32Array,
): string {
  const parts: string[] = [direction, String(widths.length)];
  for (let i = 0; i < widths.length; i++) parts.push(`${widths[i]}x${heights[i]}${pin[i] ? `p${pin[i]}` : ""}`);
  parts.push("|");
  for (let e = 0; e < edgeFrom.length; e++) parts.push(`${edgeFrom[e]}>${edgeTo[e]}`);
  return parts.join(",");
}

// Boxes of the graph layout (used by model-layout.ts and the steps after it): the sizes and frame paddings in layout
// units, the default text measure, and each item's label, sublabel and size where they do not depend on layout (a node
// by its op, a closed group by its label and "N nodes", an input or output by its tensor's name; an open group's frame
// is sized when its interior is laid out, see unit-layouts.ts; ports have no size).
import type { ModelGraph } from "../model-graph";
import type { LayoutGroup } from "./group-tree";
import type { MeasureText } from "./layout-options";
import { KIND_GROUP, KIND_INPUT, KIND_NODE, KIND_OUTPUT, type UnitItems } from "./view-units";

/** Box sizes and frame paddings, in layout units. */
export const NODE_HEIGHT = 32;
export const NODE_MIN_WIDTH = 72;
export const GROUP_HEIGHT = 48;
export const GROUP_MIN_WIDTH = 96;
export const TENSOR_HEIGHT = 28;
export const FRAME_PAD = 16;
export const FRAME_HEADER = 28;

/** The default text measure: a character-count estimate (12 px label font, 10 px sublabel font). */
export const estimateText: MeasureText = (text, font) => text.length * (font === "label" ? 7 : 6);

export interface ItemBoxes {
  itemW: Float64Array;
  itemH: Float64Array;
  itemLabel: string[];
  itemSublabel: (string | undefined)[];
}

export function itemBoxes(graph: ModelGraph, groups: LayoutGroup[], units: UnitItems, measure: MeasureText): ItemBoxes {
  const { itemUnit, itemKind, itemRef } = units;
  // Sizes of items that do not depend on layout; open groups get theirs when their interior is done.
  const itemW = new Float64Array(itemUnit.length);
  const itemH = new Float64Array(itemUnit.length);
  const itemLabel: string[] = new Array(itemUnit.length);
  const itemSublabel: (string | undefined)[] = new Array(itemUnit.length);
  for (let i = 0; i < itemUnit.length; i++) {
    const ref = itemRef[i];
    switch (itemKind[i]) {
      case KIND_NODE: {
        const node = graph.nodes[ref];
        itemLabel[i] = node.op;
        itemSublabel[i] = node.name !== "" ? node.name : `${node.op}#${ref}`;
        itemW[i] = Math.max(NODE_MIN_WIDTH, Math.ceil(measure(node.op, "label")) + 24);
        itemH[i] = NODE_HEIGHT;
        break;
      }
      case KIND_GROUP: {
        const g = groups[ref];
        itemLabel[i] = g.label;
        itemSublabel[i] = `${g.memberCount} nodes`;
        const text = Math.max(measure(g.label, "label"), measure(itemSublabel[i] as string, "sublabel"));
        itemW[i] = Math.max(GROUP_MIN_WIDTH, Math.ceil(text) + 32);
        itemH[i] = GROUP_HEIGHT;
        break;
      }
      case KIND_INPUT:
      case KIND_OUTPUT: {
        const name = graph.tensors[ref].name;
        itemLabel[i] = name;
        itemW[i] = Math.min(240, Math.max(64, Math.ceil(measure(name, "label")) + 24));
        itemH[i] = TENSOR_HEIGHT;
        break;
      }
      default:
        itemLabel[i] = "";
    }
  }
  return { itemW, itemH, itemLabel, itemSublabel };
}

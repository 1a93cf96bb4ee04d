// The options of the graph layout (common/graph/layout/): the direction, which groups are open, how text is measured,
// and a cache that keeps group interiors between calls (a group opened again, or a repeated block, is not laid out
// twice). Pure TypeScript: the viewer's worker and `edge graph` both call the layout.
import type { LayoutDirection } from "../scene";

/** Measures a label's width in layout units; "label" is the main text, "sublabel" the smaller one. */
export type MeasureText = (text: string, font: "label" | "sublabel") => number;

export interface LayoutOptions {
  /** Default "TB" (top to bottom). */
  direction?: LayoutDirection;
  /**
   * The scopes of open groups (e.g. "/model/layers.0"), or "all" to lay the whole graph out expanded. Default: none
   * open (a large model first shows its top-level blocks). Groups are made from the scopes in node names.
   */
  expanded?: ReadonlySet<string> | "all";
  /**
   * Scopes the user closed: closed whatever `expanded` or the groups opened by default say (the layout opens the
   * largest group of a level by itself, e.g. `/model`; this is how the viewer closes it again). Default: none.
   */
  collapsed?: ReadonlySet<string>;
  /** Default: an estimate from the character count (no DOM needed). The webview passes canvas measureText. */
  measureText?: MeasureText;
  /** Keeps laid-out group interiors between calls; reuse one per model and direction. */
  cache?: LayoutCacheLike;
  /** Default true. False lays the graph out flat: no groups, every node at the top level. */
  grouping?: boolean;
}

/** The cache's face (its implementation lives beside the layout). */
export interface LayoutCacheLike {
  readonly size: number;
  clear(): void;
}

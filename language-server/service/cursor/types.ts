// What is at the cursor in a recipe, as cursor/context.ts finds it: the data path, key or value, the word typed so
// far and its range, and the names already present around it. Shared by completion and hover.
import type { PathSegment } from "../../../engine/recipe";

export interface CursorContext {
  /**
   * "key": a key of a map is (being) written; `path` is the map's path.
   * "value": a value is (being) written; `path` is the value's path (ending with its key or item index).
   */
  kind: "key" | "value";
  path: PathSegment[];
  /** The whole word under the cursor (a key, or a scalar value), without quotes. */
  word: string;
  /** The part of `word` before the cursor. */
  prefix: string;
  /** Offsets of `word` in the text (what a completion replaces). */
  start: number;
  end: number;
  /** The quote the word is written in, if any (the range is inside the quotes). */
  quote?: '"' | "'";
  /** In a flow collection (`{…}` or `[…]`): what is inserted must fit on one line. */
  flow: boolean;
  /** Column where an entry written here starts, for multi-line snippets (block context). */
  indent: number;
  /** For keys: a `:` already follows the word, so only the name is to be written. */
  hasColon: boolean;
  /** A block sequence item (`- |`): either a scalar item, or the first key of a map in the item (`path` + key). */
  itemStart: boolean;
  /** Keys already in the map (for keys; the word itself left out). */
  siblingKeys: string[];
  /** Scalar items already in the sequence (for sequence items; the word itself left out). */
  siblingItems: string[];
}

// The cache of laid-out group interiors (LayoutOptions.cache): the flat layout of a group's members, keyed by the
// structural signature of what the layered core sees (box sizes, pins of the boundary ports, internal edges, the
// direction). Identical repeated blocks (32 decoder layers) have one signature, so only the first is laid out; a
// group opened again is not laid out again. Bounded: the oldest entries go first.
import type { LayoutCacheLike } from "./layout-options";
import type { LayeredLayout } from "./layered";

export interface LayoutCache extends LayoutCacheLike {
  get(signature: string): LayeredLayout | undefined;
  set(signature: string, layout: LayeredLayout): void;
}

const DEFAULT_MAX_ENTRIES = 4096;

export function createLayoutCache(maxEntries = DEFAULT_MAX_ENTRIES): LayoutCache {
  const entries = new Map<string, LayeredLayout>();
  return {
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
    get(signature) {
      return entries.get(signature);
    },
    set(signature, layout) {
      entries.delete(signature);
      entries.set(signature, layout);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
    },
  };
}

/** A cache given through LayoutOptions (its face only says size/clear): ours, or none. */
export function asLayoutCache(cache: LayoutCacheLike | undefined): LayoutCache | undefined {
  const c = cache as Partial<LayoutCache> | undefined;
  return c && typeof c.get === "function" && typeof c.set === "function" ? (c as LayoutCache) : undefined;
}

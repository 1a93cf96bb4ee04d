// Level of detail for the timeline, as Perfetto does it (pure rules): the worker cuts windows of the trace at the
// view's resolution (tiny slices merged per pixel column); the UI draws every frame synchronously from the last
// window and asks, asynchronously, for a padded one when the view leaves it or its resolution no longer fits.
import type { TimeWindow } from "./time-camera";

export interface CachedRange extends TimeWindow {
  usPerPx: number;
}

/** How much a fetched window reaches beyond the view, each side, in view spans. */
export const PAD_SPANS = 1;
/** Refetch when the cached resolution is this much coarser than the view's (merged blobs would show), or finer. */
export const COARSER_LIMIT = 1.5;
export const FINER_LIMIT = 4;

export function usPerPx(view: TimeWindow, widthPx: number): number {
  return (view.endUs - view.startUs) / Math.max(1, widthPx);
}

/** Does the cached window still serve this view (covers it, at a fitting resolution)? */
export function covers(cached: CachedRange | undefined, view: TimeWindow, widthPx: number): boolean {
  if (!cached) return false;
  const need = usPerPx(view, widthPx);
  return (
    cached.startUs <= view.startUs &&
    cached.endUs >= view.endUs &&
    cached.usPerPx <= need * COARSER_LIMIT &&
    cached.usPerPx >= need / FINER_LIMIT
  );
}

/** The window to fetch for this view: padded by PAD_SPANS each side (clipped to the data), at the view's resolution. */
export function paddedRequest(view: TimeWindow, widthPx: number, data: TimeWindow): CachedRange {
  const s = view.endUs - view.startUs;
  return {
    startUs: Math.max(Math.min(data.startUs, view.startUs), view.startUs - PAD_SPANS * s),
    endUs: Math.min(Math.max(data.endUs, view.endUs), view.endUs + PAD_SPANS * s),
    usPerPx: usPerPx(view, widthPx),
  };
}

// Where each track and depth row sits on the timeline (pure): a header line per track (process / thread), then one
// row per nesting level. ORT's session events sit at depth 0 and the node kernels stack under each model_run.
import type { TraceTrack } from "../../../common/trace/trace-model";

export const AXIS_PX = 22;
export const HEADER_PX = 18;
export const ROW_PX = 18;

export interface TrackRows {
  track: number;
  label: string;
  /** y of the header (content space: before vertical scroll, below the axis). */
  headerY: number;
  /** y of depth row 0. */
  rowsY: number;
  depthCount: number;
}

export interface TrackLayout {
  tracks: TrackRows[];
  heightPx: number;
}

export function layoutTracks(tracks: readonly TraceTrack[]): TrackLayout {
  let y = AXIS_PX;
  const out: TrackRows[] = [];
  for (const t of tracks) {
    if (t.count === 0) continue;
    const depthCount = Math.max(1, t.depthCount);
    out.push({
      track: t.id,
      label: `${t.processName} · ${t.threadName}`,
      headerY: y,
      rowsY: y + HEADER_PX,
      depthCount,
    });
    y += HEADER_PX + depthCount * ROW_PX + 4;
  }
  return { tracks: out, heightPx: y };
}

/** The track and depth under content-space y, if any. */
export function rowAt(layout: TrackLayout, y: number): { track: number; depth: number } | undefined {
  for (const t of layout.tracks) {
    if (y < t.rowsY || y >= t.rowsY + t.depthCount * ROW_PX) continue;
    return { track: t.track, depth: Math.floor((y - t.rowsY) / ROW_PX) };
  }
  return undefined;
}

/** The rows of `track`, if it is laid out. */
export function rowsOf(layout: TrackLayout, track: number): TrackRows | undefined {
  return layout.tracks.find((t) => t.track === track);
}

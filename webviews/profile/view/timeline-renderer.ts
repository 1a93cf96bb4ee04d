// Draws one timeline frame on a Canvas 2D from the last fetched window (synchronously: no query, no allocation per
// rectangle): the time axis, each track's header and depth rows, slices (sub-pixel ones as at least 1 px, merged
// runs in a muted fill), labels where they fit, the highlighted kernels, the selection, the hovered slice and a
// selected range. Returns how many rectangles it drew.
import type { TimelineWindow } from "../model/trace-views";
import type { TimelineTheme } from "./theme";
import { span, tickLabel, tickStepUs, type TimeWindow } from "./time-camera";
import { AXIS_PX, HEADER_PX, ROW_PX, type TrackLayout } from "./track-layout";

export interface FrameInput {
  widthPx: number;
  heightPx: number;
  dpr: number;
  view: TimeWindow;
  /** Times on the axis are shown from this origin (the trace's start). */
  originUs: number;
  scrollY: number;
  layout: TrackLayout;
  data: TimelineWindow | undefined;
  theme: TimelineTheme;
  selected: number;
  highlighted: ReadonlySet<number>;
  hovered?: { track: number; depth: number; startUs: number; endUs: number };
  range?: TimeWindow;
}

export function drawFrame(ctx: CanvasRenderingContext2D, f: FrameInput): number {
  const { widthPx: width, heightPx: height, view, theme } = f;
  ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  const scale = width / span(view);
  const x = (us: number) => (us - view.startUs) * scale;
  ctx.font = `11px ${theme.fontFamily}`;
  ctx.textBaseline = "middle";

  // Grid and axis.
  const step = tickStepUs(view, width);
  const first = Math.ceil((view.startUs - f.originUs) / step) * step + f.originUs;
  ctx.fillStyle = theme.grid;
  for (let t = first; t <= view.endUs; t += step) ctx.fillRect(Math.round(x(t)), AXIS_PX, 1, height - AXIS_PX);

  let drawn = 0;
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, AXIS_PX, width, height - AXIS_PX);
  ctx.clip();
  const byTrack = new Map(f.data?.tracks.map((t) => [t.track, t]));
  for (const rows of f.layout.tracks) {
    const top = rows.headerY - f.scrollY;
    const bottom = rows.rowsY + rows.depthCount * ROW_PX - f.scrollY;
    if (bottom < AXIS_PX || top > height) continue;
    ctx.fillStyle = theme.muted;
    ctx.fillText(rows.label, 4, top + HEADER_PX / 2);
    const r = byTrack.get(rows.track);
    if (!r) continue;
    const y0 = rows.rowsY - f.scrollY;
    let fill = "";
    for (let i = 0; i < r.count; i++) {
      const x0 = x(r.startUs[i]);
      const x1 = x(r.endUs[i]);
      if (x1 < 0 || x0 > width) continue;
      const left = Math.max(-1, x0);
      const w = Math.max(1, Math.min(width + 1, x1) - left);
      const y = y0 + r.depth[i] * ROW_PX;
      const merged = r.slice[i] < 0;
      const colour = merged && r.merged[i] > 1 ? theme.merged : theme.palette[r.colour[i]];
      if (colour !== fill) ctx.fillStyle = fill = colour;
      ctx.fillRect(left, y + 1, w, ROW_PX - 2);
      drawn++;
      if (w > 36 && !merged) {
        ctx.fillStyle = theme.background;
        ctx.fillText(clip(ctx, r.names[i], w - 6), left + 3, y + ROW_PX / 2);
        fill = "";
      }
    }
    // Highlighted kernels and the selection, outlined.
    for (let i = 0; i < r.count; i++) {
      const s = r.slice[i];
      if (s < 0 || (s !== f.selected && !f.highlighted.has(s))) continue;
      ctx.strokeStyle = s === f.selected ? theme.focus : theme.highlight;
      ctx.lineWidth = 2;
      const x0 = Math.max(-2, x(r.startUs[i]));
      ctx.strokeRect(
        x0,
        y0 + r.depth[i] * ROW_PX + 1,
        Math.max(2, Math.min(width + 2, x(r.endUs[i])) - x0),
        ROW_PX - 2,
      );
    }
  }
  const h = f.hovered;
  const hoverRows = h && f.layout.tracks.find((t) => t.track === h.track);
  if (h && hoverRows) {
    ctx.strokeStyle = theme.foreground;
    ctx.lineWidth = 1;
    const x0 = x(h.startUs);
    ctx.strokeRect(
      x0 + 0.5,
      hoverRows.rowsY - f.scrollY + h.depth * ROW_PX + 0.5,
      Math.max(1, x(h.endUs) - x0),
      ROW_PX - 1,
    );
  }
  ctx.restore();
  if (f.range) {
    const a = x(f.range.startUs);
    const b = x(f.range.endUs);
    ctx.fillStyle = theme.selectionFill;
    ctx.globalAlpha = 0.35;
    ctx.fillRect(a, AXIS_PX, b - a, height - AXIS_PX);
    ctx.globalAlpha = 1;
    ctx.fillStyle = theme.focus;
    ctx.fillRect(a, AXIS_PX, 1, height - AXIS_PX);
    ctx.fillRect(b, AXIS_PX, 1, height - AXIS_PX);
  }
  // Axis on top.
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, AXIS_PX);
  ctx.fillStyle = theme.muted;
  for (let t = first; t <= view.endUs; t += step) {
    const tx = Math.round(x(t));
    ctx.fillRect(tx, AXIS_PX - 6, 1, 6);
    ctx.fillText(tickLabel(t - f.originUs, step), tx + 3, AXIS_PX / 2);
  }
  ctx.fillRect(0, AXIS_PX - 1, width, 1);
  return drawn;
}

/** `text` cut to fit `maxPx` (with an ellipsis), by a quick estimate then a check. */
function clip(ctx: CanvasRenderingContext2D, text: string, maxPx: number): string {
  const estimate = Math.floor(maxPx / 6.2);
  if (text.length <= estimate) return text;
  let t = text.slice(0, Math.max(1, estimate - 1));
  while (t.length > 1 && ctx.measureText(`${t}…`).width > maxPx) t = t.slice(0, -2);
  return `${t}…`;
}

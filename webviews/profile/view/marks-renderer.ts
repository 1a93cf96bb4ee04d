// Draws the timeline's marks over a frame (timeline-renderer.ts draws the slices): global-scope instants as ticks in
// their row under the axis with a faint line down the tracks, a thread's instants as ticks in its track's header, and
// each counter series as a filled step track (a column that merged several samples also shows their min–max). From
// the last fetched window, as the slices; returns how many marks it drew.
import type { CounterSummary, TimelineWindow } from "../model/trace-views";
import type { TimelineTheme } from "./theme";
import { span, type TimeWindow } from "./time-camera";
import { AXIS_PX, COUNTER_PX, HEADER_PX, ROW_PX, type TrackLayout } from "./track-layout";

export interface MarksInput {
  widthPx: number;
  heightPx: number;
  view: TimeWindow;
  scrollY: number;
  layout: TrackLayout;
  data: TimelineWindow | undefined;
  theme: TimelineTheme;
  counters: readonly CounterSummary[];
  /** Where counters stop (the trace's end): the last sample's step is drawn up to it. */
  endUs: number;
}

export function drawMarks(ctx: CanvasRenderingContext2D, f: MarksInput): number {
  const { widthPx: width, heightPx: height, view, theme, layout } = f;
  if (!f.data) return 0;
  const scale = width / span(view);
  const x = (us: number) => (us - view.startUs) * scale;
  let drawn = 0;
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, AXIS_PX, width, height - AXIS_PX);
  ctx.clip();
  ctx.font = `11px ${theme.fontFamily}`;
  ctx.textBaseline = "middle";
  const headerOf = new Map(layout.tracks.map((t) => [t.track, t.headerY]));
  for (const m of f.data.instants) {
    const global = m.track < 0;
    const top = (global ? layout.globalY : headerOf.get(m.track)) ?? undefined;
    if (top === undefined) continue;
    const y = top - f.scrollY;
    const band = global ? ROW_PX : HEADER_PX;
    if (y + band < AXIS_PX || y > height) continue;
    if (global) {
      ctx.fillStyle = theme.muted;
      ctx.fillText("Global", 4, y + band / 2);
    }
    for (let i = 0; i < m.count; i++) {
      const tx = Math.round(x(m.timeUs[i]));
      if (tx < -4 || tx > width + 4) continue;
      if (global) {
        ctx.globalAlpha = 0.35;
        ctx.fillStyle = theme.highlight;
        ctx.fillRect(tx, y + band, 1, height - (y + band));
        ctx.globalAlpha = 1;
      }
      ctx.fillStyle = m.merged[i] > 1 ? theme.merged : theme.highlight;
      // A tick pointing down at its time; a merged one is wider.
      const half = m.merged[i] > 1 ? 4 : 3;
      ctx.beginPath();
      ctx.moveTo(tx - half, y + 3);
      ctx.lineTo(tx + half, y + 3);
      ctx.lineTo(tx, y + band - 3);
      ctx.closePath();
      ctx.fill();
      drawn++;
    }
  }
  const summaries = new Map(f.counters.map((c) => [c.counter, c]));
  const rowOf = new Map(layout.counters.map((c) => [c.counter, c]));
  f.data.counters.forEach((c) => {
    const row = rowOf.get(c.counter);
    const s = summaries.get(c.counter);
    if (!row || !s) return;
    const top = row.y - f.scrollY;
    if (top + COUNTER_PX < AXIS_PX || top > height) return;
    const colour = theme.palette[c.counter % theme.palette.length];
    const lo = Math.min(0, s.minValue);
    const hi = s.maxValue > lo ? s.maxValue : lo + 1;
    const bottom = top + COUNTER_PX - 1;
    const yOf = (v: number) => bottom - ((v - lo) / (hi - lo)) * (COUNTER_PX - 12);
    const end = Math.min(width, x(f.endUs));
    ctx.fillStyle = colour;
    for (let i = 0; i < c.count; i++) {
      const x0 = Math.max(0, x(c.timeUs[i]));
      const x1 = i + 1 < c.count ? Math.min(width, x(c.timeUs[i + 1])) : end;
      if (x1 < 0 || x0 > width) continue;
      ctx.globalAlpha = 0.55;
      const yv = yOf(c.value[i]);
      ctx.fillRect(x0, yv, Math.max(1, x1 - x0), bottom - yv);
      ctx.globalAlpha = 1;
      if (c.merged[i] > 1) {
        const ymax = yOf(c.max[i]);
        ctx.fillRect(x0, ymax, 1, yOf(c.min[i]) - ymax + 1);
      }
      drawn++;
    }
    ctx.fillStyle = theme.muted;
    ctx.fillText(row.label, 4, top + 6);
  });
  ctx.restore();
  return drawn;
}

// The timeline's camera (pure): the visible time window [startUs, endUs] over a canvas `widthPx` wide, kept inside
// the trace's bounds (with a margin) and never narrower than MIN_SPAN_US (1 µs) or wider than the whole trace.

export interface TimeWindow {
  startUs: number;
  endUs: number;
}

/** The narrowest window: 1 µs across the view. */
export const MIN_SPAN_US = 1;

export function span(w: TimeWindow): number {
  return w.endUs - w.startUs;
}

/** The whole trace, with 2% of margin each side (at least MIN_SPAN_US wide). */
export function fullWindow(bounds: TimeWindow): TimeWindow {
  const s = Math.max(MIN_SPAN_US, span(bounds));
  return { startUs: bounds.startUs - s * 0.02, endUs: bounds.startUs + s * 1.02 };
}

/** `w` moved and shrunk into the full window's bounds, at least MIN_SPAN_US wide. */
export function clampWindow(w: TimeWindow, bounds: TimeWindow): TimeWindow {
  const full = fullWindow(bounds);
  let s = Math.min(Math.max(MIN_SPAN_US, span(w)), span(full));
  if (!Number.isFinite(s)) s = span(full);
  let start = Number.isFinite(w.startUs) ? w.startUs : full.startUs;
  start = Math.min(Math.max(start, full.startUs), full.endUs - s);
  return { startUs: start, endUs: start + s };
}

/** x (CSS px from the canvas's left) of time `us`. */
export function xOf(w: TimeWindow, widthPx: number, us: number): number {
  return ((us - w.startUs) / span(w)) * widthPx;
}

/** The time at x. */
export function usAt(w: TimeWindow, widthPx: number, x: number): number {
  return w.startUs + (x / widthPx) * span(w);
}

/** Zooms by `factor` (> 1: in) keeping the time under x where it is. */
export function zoomAt(w: TimeWindow, widthPx: number, x: number, factor: number, bounds: TimeWindow): TimeWindow {
  const t = usAt(w, widthPx, x);
  const s = Math.min(span(fullWindow(bounds)), Math.max(MIN_SPAN_US, span(w) / factor));
  const f = widthPx > 0 ? x / widthPx : 0.5;
  return clampWindow({ startUs: t - f * s, endUs: t - f * s + s }, bounds);
}

/** Pans by a fraction of the window's span (> 0: later). */
export function panBy(w: TimeWindow, fraction: number, bounds: TimeWindow): TimeWindow {
  const d = span(w) * fraction;
  return clampWindow({ startUs: w.startUs + d, endUs: w.endUs + d }, bounds);
}

/** A window showing [startUs, endUs] with 10% of margin, or `w` when it already does. */
export function revealRange(w: TimeWindow, startUs: number, endUs: number, bounds: TimeWindow): TimeWindow {
  if (startUs >= w.startUs && endUs <= w.endUs && endUs - startUs > span(w) / 1000) return w;
  const s = Math.max(MIN_SPAN_US * 10, (endUs - startUs) * 1.2, Math.min(span(w), (endUs - startUs) * 50));
  const mid = (startUs + endUs) / 2;
  return clampWindow({ startUs: mid - s / 2, endUs: mid + s / 2 }, bounds);
}

/** The window following a live run's newest data: same span, its end at the trace's end. */
export function followEnd(w: TimeWindow, bounds: TimeWindow): TimeWindow {
  const s = span(w);
  if (s >= span(bounds)) return fullWindow(bounds);
  return clampWindow({ startUs: bounds.endUs - s * 0.98, endUs: bounds.endUs + s * 0.02 }, bounds);
}

/** Does `w` show the end of the data (the live edge)? */
export function atEnd(w: TimeWindow, bounds: TimeWindow): boolean {
  return w.endUs >= bounds.endUs - span(w) * 0.01;
}

/** A readable tick step (1, 2 or 5 × 10^k µs) for about `targetPx` between ticks. */
export function tickStepUs(w: TimeWindow, widthPx: number, targetPx = 100): number {
  const raw = (span(w) / Math.max(1, widthPx)) * targetPx;
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  for (const m of [1, 2, 5, 10]) if (p * m >= raw) return p * m;
  return p * 10;
}

/** A tick's label, relative to the trace's start: "0", "250 µs", "1.5 ms", "2 s". */
export function tickLabel(us: number, stepUs: number): string {
  if (us === 0) return "0";
  if (stepUs >= 1e6) return `${+(us / 1e6).toFixed(3)} s`;
  if (stepUs >= 1e3) return `${+(us / 1e3).toFixed(3)} ms`;
  return `${+us.toFixed(3)} µs`;
}

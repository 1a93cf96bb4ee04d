// The timeline: a canvas over the trace's tracks. Keeps the visible window (time-camera.ts), draws every frame from
// the last window the worker cut (window-cache.ts: drawn synchronously, refetched padded and asynchronously when the
// view leaves it), and knows what is under the pointer, selected, highlighted and in the selected range. Input is
// bound by timeline-input.ts; the app hears about changes through `TimelineEvents`.
import { el } from "../../ui/dom";
import type { TimelineWindow, TraceOverview } from "../model/trace-views";
import type { TraceClient } from "../worker/trace-client";
import { drawMarks } from "./marks-renderer";
import { drawFrame } from "./timeline-renderer";
import { timelineTheme, watchTimelineTheme, type TimelineTheme } from "./theme";
import { atEnd, clampWindow, followEnd, fullWindow, panBy, revealRange, zoomAt, type TimeWindow } from "./time-camera";
import { layoutTracks, markRowAt, rowAt, rowsOf, type TrackLayout, AXIS_PX, ROW_PX } from "./track-layout";
import { covers, paddedRequest } from "./window-cache";

export interface Hit {
  track: number;
  depth: number;
  /** The slice, or −1 for a merged rectangle. */
  slice: number;
  merged: number;
  startUs: number;
  endUs: number;
  name: string;
  /** An instant tick or a counter step under the pointer (then `slice` is −1 and nothing is selected). */
  mark?: MarkHit;
}

/** What a mark under the pointer stands for (hover details). */
export type MarkHit =
  | { kind: "instant"; name: string; timeUs: number; merged: number; global: boolean }
  | {
      kind: "counter";
      name: string;
      series: string;
      timeUs: number;
      value: number;
      min: number;
      max: number;
      merged: number;
    };

export interface TimelineEvents {
  windowChanged(view: TimeWindow): void;
  hover(hit: Hit | undefined, clientX: number, clientY: number): void;
  select(hit: Hit | undefined): void;
  range(range: TimeWindow | undefined): void;
  /** The user moved away from the live edge, or back to it. */
  followChanged(follow: boolean): void;
  /** A frame was drawn, with the model version of the data it showed. */
  drawn?(version: number): void;
}

export class Timeline {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private theme: TimelineTheme = timelineTheme();
  private overview?: TraceOverview;
  private version = 0;
  layout: TrackLayout = { tracks: [], heightPx: 0, counters: [] };
  view: TimeWindow = { startUs: 0, endUs: 1 };
  scrollY = 0;
  private data?: TimelineWindow;
  private fetching = false;
  private frame = 0;
  private scheduled = false;
  widthPx = 0;
  heightPx = 0;
  selected = -1;
  highlighted: ReadonlySet<number> = new Set();
  hovered?: Hit;
  range?: TimeWindow;
  follow = false;
  /** The last frame's figures (the bench reads them). */
  lastDraw?: { drawMs: number; frame: number; rects: number; version: number };

  constructor(
    readonly container: HTMLElement,
    private readonly client: TraceClient,
    private readonly events: TimelineEvents,
  ) {
    this.canvas = el("canvas", { class: "timeline-canvas", attrs: { tabindex: "0", "aria-label": "Timeline" } });
    container.append(this.canvas);
    const ctx = this.canvas.getContext("2d", { alpha: false });
    if (!ctx) throw new Error("no 2D canvas");
    this.ctx = ctx;
    new ResizeObserver(() => this.resize()).observe(container);
    watchTimelineTheme((t) => {
      this.theme = t;
      this.requestDraw();
    });
    this.resize();
  }

  get bounds(): TimeWindow {
    return { startUs: this.overview?.startUs ?? 0, endUs: this.overview?.endUs ?? 1 };
  }

  get originUs(): number {
    return this.overview?.startUs ?? 0;
  }

  /** A (new or grown) model: lays out its tracks and drops the window cut from the older one. */
  setOverview(overview: TraceOverview, version: number, view?: TimeWindow): void {
    const first = !this.overview;
    this.overview = overview;
    this.version = version;
    this.layout = layoutTracks(overview.tracks, overview);
    if (view) this.view = clampWindow(view, this.bounds);
    else if (first) this.view = fullWindow(this.bounds);
    else if (this.follow) this.view = followEnd(this.view, this.bounds);
    else this.view = clampWindow(this.view, this.bounds);
    this.scrollY = Math.min(this.scrollY, Math.max(0, this.layout.heightPx - this.heightPx));
    this.requestDraw();
  }

  setView(view: TimeWindow, byUser = true): void {
    this.view = clampWindow(view, this.bounds);
    if (byUser && this.overview?.live) {
      const follow = atEnd(this.view, this.bounds);
      if (follow !== this.follow) {
        this.follow = follow;
        this.events.followChanged(follow);
      }
    }
    this.events.windowChanged(this.view);
    this.requestDraw();
  }

  zoom(factor: number, x = this.widthPx / 2): void {
    this.setView(zoomAt(this.view, this.widthPx, x, factor, this.bounds));
  }

  pan(fraction: number): void {
    this.setView(panBy(this.view, fraction, this.bounds));
  }

  fit(): void {
    this.setView(fullWindow(this.bounds));
  }

  scrollBy(dy: number): void {
    const max = Math.max(0, this.layout.heightPx - this.heightPx);
    this.scrollY = Math.min(max, Math.max(0, this.scrollY + dy));
    this.requestDraw();
  }

  /** Brings [startUs, endUs] on `track` into view (scrolling to its rows too). */
  reveal(startUs: number, endUs: number, track?: number): void {
    const rows = track === undefined ? undefined : rowsOf(this.layout, track);
    if (rows && (rows.headerY < this.scrollY + AXIS_PX || rows.rowsY + ROW_PX > this.scrollY + this.heightPx))
      this.scrollY = Math.max(0, rows.headerY - AXIS_PX);
    this.setView(revealRange(this.view, startUs, endUs, this.bounds));
  }

  /** The instant tick or counter step at (x, y) in canvas CSS pixels. */
  markAt(x: number, y: number): Hit | undefined {
    const row = markRowAt(this.layout, y + this.scrollY);
    if (!row || !this.data) return undefined;
    const scale = this.widthPx / (this.view.endUs - this.view.startUs);
    const t = this.view.startUs + x / scale;
    if (row.kind === "instants") {
      const m = this.data.instants.find((i) => i.track === row.track);
      let best = -1;
      for (let i = 0; m && i < m.count; i++) {
        const d = Math.abs(m.timeUs[i] - t) * scale;
        if (d <= 4 && (best < 0 || d < Math.abs(m.timeUs[best] - t) * scale)) best = i;
      }
      if (!m || best < 0) return undefined;
      const mark: MarkHit = {
        kind: "instant",
        name: m.names[best],
        timeUs: m.timeUs[best],
        merged: m.merged[best],
        global: row.track < 0,
      };
      return {
        track: row.track,
        depth: -1,
        slice: -1,
        merged: 0,
        startUs: mark.timeUs,
        endUs: mark.timeUs,
        name: mark.name,
        mark,
      };
    }
    const c = this.data.counters.find((k) => k.counter === row.counter);
    const s = this.overview?.counters.find((k) => k.counter === row.counter);
    if (!c || !s || c.count === 0) return undefined;
    let i = -1;
    while (i + 1 < c.count && c.timeUs[i + 1] <= t) i++;
    if (i < 0 || t > this.bounds.endUs) return undefined;
    const mark: MarkHit = {
      kind: "counter",
      name: s.name,
      series: s.series,
      timeUs: c.timeUs[i],
      value: c.value[i],
      min: c.min[i],
      max: c.max[i],
      merged: c.merged[i],
    };
    return { track: -1, depth: -1, slice: -1, merged: 0, startUs: mark.timeUs, endUs: mark.timeUs, name: s.name, mark };
  }

  /** What is drawn at (x, y) in canvas CSS pixels. */
  hitAt(x: number, y: number): Hit | undefined {
    const mark = this.markAt(x, y);
    if (mark) return mark;
    const row = rowAt(this.layout, y + this.scrollY);
    const r = row && this.data?.tracks.find((t) => t.track === row.track);
    if (!row || !r) return undefined;
    const scale = this.widthPx / (this.view.endUs - this.view.startUs);
    const slack = 2 / scale; // a sub-pixel slice is drawn 1 px wide: accept a pixel or two around it
    let best: Hit | undefined;
    const t = this.view.startUs + x / scale;
    for (let i = 0; i < r.count; i++) {
      if (r.depth[i] !== row.depth || r.startUs[i] - slack > t || r.endUs[i] + slack < t) continue;
      const hit = {
        track: row.track,
        depth: row.depth,
        slice: r.slice[i],
        merged: r.merged[i],
        startUs: r.startUs[i],
        endUs: r.endUs[i],
        name: r.names[i],
      };
      if (r.startUs[i] <= t && r.endUs[i] >= t) return hit;
      best ??= hit;
    }
    return best;
  }

  hoverAt(x: number, y: number, clientX: number, clientY: number): void {
    const hit = x < 0 ? undefined : this.hitAt(x, y);
    const same = hit?.slice === this.hovered?.slice && hit?.startUs === this.hovered?.startUs;
    this.hovered = hit;
    if (!same) this.requestDraw();
    this.events.hover(hit, clientX, clientY);
  }

  selectAt(x: number, y: number): void {
    const hit = this.hitAt(x, y);
    if (hit?.mark) return;
    this.selected = hit && hit.slice >= 0 ? hit.slice : -1;
    this.requestDraw();
    this.events.select(hit && hit.slice >= 0 ? hit : undefined);
  }

  setRange(range: TimeWindow | undefined, done: boolean): void {
    this.range = range;
    this.requestDraw();
    if (done) this.events.range(range);
  }

  clear(): void {
    this.selected = -1;
    this.setRange(undefined, true);
    this.events.select(undefined);
  }

  /** Rectangles of single slices in view, in canvas CSS pixels (tests and the bench aim the pointer with them). */
  visibleSlices(limit = 200): { slice: number; track: number; depth: number; x: number; y: number; width: number }[] {
    const out: { slice: number; track: number; depth: number; x: number; y: number; width: number }[] = [];
    const scale = this.widthPx / (this.view.endUs - this.view.startUs);
    for (const r of this.data?.tracks ?? []) {
      const rows = rowsOf(this.layout, r.track);
      if (!rows) continue;
      for (let i = 0; i < r.count && out.length < limit; i++) {
        const x0 = Math.max(0, (r.startUs[i] - this.view.startUs) * scale);
        const x1 = Math.min(this.widthPx, (r.endUs[i] - this.view.startUs) * scale);
        if (r.slice[i] < 0 || x1 <= x0) continue;
        const y = rows.rowsY - this.scrollY + r.depth[i] * ROW_PX;
        if (y < AXIS_PX || y > this.heightPx) continue;
        out.push({ slice: r.slice[i], track: r.track, depth: r.depth[i], x: x0, y, width: x1 - x0 });
      }
    }
    return out;
  }

  /** Instant ticks and counter rows in view, in canvas CSS pixels (tests aim the pointer with them). */
  visibleMarks(): {
    instants: { track: number; name: string; merged: number; x: number; y: number }[];
    counters: { counter: number; label: string; y: number }[];
  } {
    const scale = this.widthPx / (this.view.endUs - this.view.startUs);
    const instants = [];
    for (const m of this.data?.instants ?? []) {
      const top = m.track < 0 ? this.layout.globalY : rowsOf(this.layout, m.track)?.headerY;
      if (top === undefined) continue;
      for (let i = 0; i < m.count; i++) {
        const x = (m.timeUs[i] - this.view.startUs) * scale;
        if (x < 0 || x > this.widthPx) continue;
        instants.push({ track: m.track, name: m.names[i], merged: m.merged[i], x, y: top - this.scrollY + 9 });
      }
    }
    const counters = this.layout.counters.map((c) => ({ counter: c.counter, label: c.label, y: c.y - this.scrollY }));
    return { instants, counters };
  }

  requestDraw(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  /** Draws now from the cache; fetches a padded window when the cache no longer serves the view. */
  draw(): void {
    if (!this.overview || this.widthPx <= 0) return;
    const start = performance.now();
    const rects = drawFrame(this.ctx, {
      widthPx: this.widthPx,
      heightPx: this.heightPx,
      dpr: devicePixelRatio || 1,
      view: this.view,
      originUs: this.originUs,
      scrollY: this.scrollY,
      layout: this.layout,
      data: this.data,
      theme: this.theme,
      selected: this.selected,
      highlighted: this.highlighted,
      hovered: this.hovered,
      range: this.range,
    });
    const marks = drawMarks(this.ctx, {
      widthPx: this.widthPx,
      heightPx: this.heightPx,
      view: this.view,
      scrollY: this.scrollY,
      layout: this.layout,
      data: this.data,
      theme: this.theme,
      counters: this.overview.counters,
      endUs: this.bounds.endUs,
    });
    if (this.canvas.dataset.marks !== String(marks)) this.canvas.dataset.marks = String(marks);
    const version = this.data?.version ?? 0;
    this.lastDraw = { drawMs: performance.now() - start, frame: ++this.frame, rects, version };
    if (this.canvas.dataset.rects !== String(rects)) this.canvas.dataset.rects = String(rects);
    if (this.data) this.events.drawn?.(version);
    if (!this.fresh()) this.fetch();
  }

  private fresh(): boolean {
    return this.data !== undefined && this.data.version === this.version && covers(this.data, this.view, this.widthPx);
  }

  private fetch(): void {
    if (this.fetching || !this.overview) return;
    this.fetching = true;
    const request = paddedRequest(this.view, this.widthPx, this.bounds);
    this.client
      .query("window", { slot: "main", ...request })
      .then((w) => {
        if (w.version >= (this.data?.version ?? 0)) this.data = w;
      })
      .catch(() => undefined)
      .finally(() => {
        this.fetching = false;
        this.requestDraw();
      });
  }

  private resize(): void {
    const r = this.container.getBoundingClientRect();
    const dpr = devicePixelRatio || 1;
    this.widthPx = Math.max(1, Math.floor(r.width));
    this.heightPx = Math.max(1, Math.floor(r.height));
    this.canvas.width = this.widthPx * dpr;
    this.canvas.height = this.heightPx * dpr;
    this.canvas.classList.add("sized");
    this.requestDraw();
  }
}

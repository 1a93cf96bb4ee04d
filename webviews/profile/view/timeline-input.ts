// The timeline's input: W/S zoom in and out around the pointer (or the centre), A/D pan (as in Perfetto and
// chrome://tracing), F fits the whole trace; wheel zooms at the pointer (Ctrl+wheel always; a plain wheel scrolls the
// tracks when they are taller than the view), Shift+wheel or a horizontal wheel pans; click selects a slice, a drag
// selects a time range, Escape clears both.
import type { Timeline } from "./timeline";
import { usAt } from "./time-camera";

const DRAG_PX = 4;

export function bindTimelineInput(t: Timeline): void {
  const c = t.canvas;
  let pointerX: number | undefined;
  let drag: { x: number; y: number; moved: boolean } | undefined;
  const local = (e: MouseEvent) => {
    const r = c.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top] as const;
  };

  c.addEventListener(
    "wheel",
    (e) => {
      e.preventDefault();
      const [x] = local(e);
      const dx = e.shiftKey ? e.deltaY || e.deltaX : e.deltaX;
      if (dx !== 0 && (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)))
        return t.pan(dx / Math.max(1, t.widthPx));
      const tall = t.container.getBoundingClientRect().height < t.layout.heightPx;
      if (!e.ctrlKey && !e.metaKey && tall && !e.altKey) return t.scrollBy(e.deltaY);
      t.zoom(Math.exp(-e.deltaY * 0.0025), x);
    },
    { passive: false },
  );
  c.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    const x = pointerX ?? t.widthPx / 2;
    if (k === "w") t.zoom(1.25, x);
    else if (k === "s") t.zoom(0.8, x);
    else if (k === "a" || e.key === "ArrowLeft") t.pan(-0.1);
    else if (k === "d" || e.key === "ArrowRight") t.pan(0.1);
    else if (k === "f") t.fit();
    else if (e.key === "Escape") t.clear();
    else return;
    e.preventDefault();
  });
  c.addEventListener("mousedown", (e) => {
    if (e.button !== 0) return;
    const [x, y] = local(e);
    drag = { x, y, moved: false };
    c.focus();
  });
  window.addEventListener("mousemove", (e) => {
    const [x, y] = local(e);
    if (drag) {
      if (!drag.moved && Math.abs(x - drag.x) < DRAG_PX) return;
      drag.moved = true;
      const a = usAt(t.view, t.widthPx, Math.min(drag.x, x));
      const b = usAt(t.view, t.widthPx, Math.max(drag.x, x));
      t.setRange({ startUs: a, endUs: b }, false);
      return;
    }
    if (e.target !== c) return;
    pointerX = x;
    t.hoverAt(x, y, e.clientX, e.clientY);
  });
  window.addEventListener("mouseup", (e) => {
    if (!drag) return;
    const d = drag;
    drag = undefined;
    if (d.moved) {
      if (t.range) t.setRange(t.range, true);
      return;
    }
    const [x, y] = local(e);
    t.selectAt(x, y);
  });
  c.addEventListener("mouseleave", () => {
    pointerX = undefined;
    t.hoverAt(-1, -1, 0, 0);
  });
}

// The graph viewer's camera and its coordinate spaces (pure). Layout space: the scene's units (CSS px at zoom 1), y down.
// Screen space: CSS pixels from the canvas's top-left corner. The camera is the layout point at the view's centre and
// the zoom (screen px per layout unit); the canvas's backing store multiplies by devicePixelRatio on top of this.

export interface Camera {
  x: number;
  y: number;
  zoom: number;
}
export interface Size {
  width: number;
  height: number;
}
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const MIN_ZOOM = 0.0002;
export const MAX_ZOOM = 8;
/** The zoom a revealed node is brought to at least (its labels readable). */
export const REVEAL_ZOOM = 1;

export function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

export function toScreen(camera: Camera, view: Size, x: number, y: number): [number, number] {
  return [(x - camera.x) * camera.zoom + view.width / 2, (y - camera.y) * camera.zoom + view.height / 2];
}

export function toLayout(camera: Camera, view: Size, sx: number, sy: number): [number, number] {
  return [(sx - view.width / 2) / camera.zoom + camera.x, (sy - view.height / 2) / camera.zoom + camera.y];
}

/** The layout-space rectangle the view shows. */
export function visibleRect(camera: Camera, view: Size): Rect {
  const width = view.width / camera.zoom;
  const height = view.height / camera.zoom;
  return { x: camera.x - width / 2, y: camera.y - height / 2, width, height };
}

/** The camera that shows all of `bounds` with `marginPx` around it, never zoomed in past `maxZoom`. */
export function fitCamera(bounds: Rect, view: Size, marginPx = 24, maxZoom = 1.5): Camera {
  const w = Math.max(1, view.width - 2 * marginPx);
  const h = Math.max(1, view.height - 2 * marginPx);
  const zoom = clampZoom(Math.min(maxZoom, w / Math.max(1, bounds.width), h / Math.max(1, bounds.height)));
  return { x: bounds.x + bounds.width / 2, y: bounds.y + bounds.height / 2, zoom };
}

/** Zooms by `factor` keeping the layout point under screen point (sx, sy) where it is. */
export function zoomAt(camera: Camera, view: Size, sx: number, sy: number, factor: number): Camera {
  const zoom = clampZoom(camera.zoom * factor);
  const [lx, ly] = toLayout(camera, view, sx, sy);
  return { x: lx - (sx - view.width / 2) / zoom, y: ly - (sy - view.height / 2) / zoom, zoom };
}

/** Moves the view by a screen-space drag of (dx, dy): the content follows the pointer. */
export function panBy(camera: Camera, dx: number, dy: number): Camera {
  return { x: camera.x - dx / camera.zoom, y: camera.y - dy / camera.zoom, zoom: camera.zoom };
}

/** Does the view show all of `rect`? */
export function shows(camera: Camera, view: Size, rect: Rect): boolean {
  const v = visibleRect(camera, view);
  return (
    rect.x >= v.x && rect.y >= v.y && rect.x + rect.width <= v.x + v.width && rect.y + rect.height <= v.y + v.height
  );
}

/**
 * The camera that reveals `rect`: unchanged when it is already in view at a readable zoom, else centred on it at a
 * zoom of at least REVEAL_ZOOM (less when the box would not fit).
 */
export function revealCamera(camera: Camera, view: Size, rect: Rect): Camera {
  if (camera.zoom >= REVEAL_ZOOM * 0.75 && shows(camera, view, rect)) return camera;
  const fit = Math.min((view.width * 0.8) / Math.max(1, rect.width), (view.height * 0.8) / Math.max(1, rect.height));
  const zoom = clampZoom(Math.min(Math.max(camera.zoom, REVEAL_ZOOM), fit));
  return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2, zoom };
}

/** Is this a usable camera (restored state may hold anything)? */
export function isCamera(value: unknown): value is Camera {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return [c.x, c.y, c.zoom].every((v) => typeof v === "number" && Number.isFinite(v)) && (c.zoom as number) > 0;
}

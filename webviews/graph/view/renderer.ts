// Draws a scene on a Canvas 2D context: only what meets the visible rectangle (from the spatial grids), at the level
// of detail of the zoom, devicePixelRatio-sharp. Boxes of one colour are filled in one path, so a fully expanded
// large graph stays within a frame. Overlays, diff marks, problems, search hits and the selection are drawn on top.
// A frame allocates little: the id lists and colour buckets are scratch arrays kept between frames, fonts and colours
// are set once per batch (not per box), and far out the boxes collapse to device pixels (see fillTiny).
import type { GraphScene, SceneNode } from "../../../common/graph/scene";
import type { BoxDecoration } from "../model/overlay-model";
import { textOn } from "../model/colour-scales";
import { visibleRect, type Camera, type Size } from "./camera";
import { levelOfDetail } from "./lod";
import type { SceneGrids } from "./scene-grids";
import type { GraphTheme } from "../../ui/theme";

export interface RenderInput {
  scene: GraphScene;
  grids: SceneGrids;
  camera: Camera;
  view: Size;
  dpr: number;
  theme: GraphTheme;
  decorations: readonly (BoxDecoration | undefined)[];
  /** Scene node index → diff mark. */
  marks: ReadonlyMap<number, "added" | "changed">;
  /** Scene node indices with a graph problem on them. */
  problems: ReadonlySet<number>;
  /** Scene node indices matching the current search. */
  hits: ReadonlySet<number>;
  selected?: number;
}

export interface RenderStats {
  boxes: number;
  edges: number;
}

/** Scratch kept between frames (a frame only resets lengths). */
const scratch = {
  boxIds: [] as number[],
  edgeIds: [] as number[],
  frames: [] as SceneNode[],
  boxes: [] as number[],
  byFill: new Map<string, number[]>(),
  /** fillTiny's "device pixel already filled in this colour" stamps, one byte per device pixel. */
  pixels: new Uint8Array(0),
  pixelStamp: 0,
};

export function render(ctx: CanvasRenderingContext2D, r: RenderInput): RenderStats {
  const { camera, view, dpr, theme, scene } = r;
  const z = camera.zoom;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, view.width * dpr, view.height * dpr);
  ctx.setTransform(
    dpr * z,
    0,
    0,
    dpr * z,
    dpr * (view.width / 2 - camera.x * z),
    dpr * (view.height / 2 - camera.y * z),
  );
  const rect = visibleRect(camera, view);
  const boxIds = r.grids.nodes.query(rect, scratch.boxIds);
  const edgeIds = r.grids.edges.query(rect, scratch.edgeIds);
  const lod = levelOfDetail(z, edgeIds.length);
  const px = 1 / z; // one screen pixel in layout units

  // Group frames and closed groups first (parents before children in scene order), then edges, then nodes.
  const frames = scratch.frames;
  const boxes = scratch.boxes;
  frames.length = 0;
  boxes.length = 0;
  for (const i of boxIds) {
    const n = scene.nodes[i];
    if (n.kind === "group" && n.expanded) frames.push(n);
    else boxes.push(i);
  }
  ctx.lineWidth = px;
  ctx.strokeStyle = theme.frame;
  ctx.beginPath();
  for (const f of frames) ctx.rect(f.x, f.y, f.width, f.height);
  ctx.stroke();

  if (lod.edges !== "none") drawEdges(ctx, r, edgeIds, lod.edges === "routes", lod.arrows, px);

  // Fills batched by colour (a bucket emptied last frame and still empty is dropped, so the map stays small).
  const byFill = scratch.byFill;
  for (const [fill, list] of byFill) {
    if (list.length === 0) byFill.delete(fill);
    list.length = 0;
  }
  for (const i of boxes) {
    const fill = boxFill(scene.nodes[i], r.decorations[i], theme);
    const list = byFill.get(fill);
    if (list) list.push(i);
    else byFill.set(fill, [i]);
  }
  if (lod.borders) {
    for (const [fill, list] of byFill) {
      if (list.length === 0) continue;
      ctx.fillStyle = fill;
      ctx.beginPath();
      for (const i of list) rectOf(ctx, scene.nodes[i]);
      ctx.fill();
    }
  } else fillTiny(ctx, r, byFill);
  // Borders only where a box is a few pixels tall: far out a 1 px stroke is wider than the box and costs more
  // than the fill.
  if (lod.borders) {
    ctx.strokeStyle = theme.nodeBorder;
    ctx.beginPath();
    for (const i of boxes) rectOf(ctx, scene.nodes[i]);
    ctx.stroke();
  }

  // Overlay stripes (partitions) and rings (SQNR).
  for (const i of boxes) {
    const d = r.decorations[i];
    const n = scene.nodes[i];
    if (d?.stripe) {
      ctx.fillStyle = d.stripe;
      ctx.fillRect(n.x, n.y, n.width, Math.min(n.height / 4, Math.max(3, 3 * px)));
    }
    if (d?.ring) strokeBox(ctx, n, d.ring, Math.max(2 * px, 2), 0);
  }
  for (const [i, kind] of r.marks)
    strokeBox(ctx, scene.nodes[i], kind === "added" ? theme.added : theme.changed, 3 * px, 3 * px);
  for (const i of r.problems) {
    ctx.setLineDash([6 * px, 4 * px]);
    strokeBox(ctx, scene.nodes[i], theme.problem, 2 * px, 5 * px);
    ctx.setLineDash([]);
  }
  for (const i of r.hits) strokeBox(ctx, scene.nodes[i], theme.searchHit, 4 * px, 2 * px);
  if (r.selected !== undefined && scene.nodes[r.selected])
    strokeBox(ctx, scene.nodes[r.selected], theme.focus, 2.5 * px, 4 * px);

  if (lod.labels) drawLabels(ctx, r, frames, boxes, lod.sublabels);
  if (lod.ports) drawPorts(ctx, r, edgeIds, px);
  return { boxes: boxIds.length, edges: lod.edges === "none" ? 0 : edgeIds.length };
}

/**
 * Far out, boxes are a few device pixels or less: fill them in device space, snapped to whole pixels, and skip a box
 * whose pixel cell is already filled in its colour (thousands of boxes collapse into a few hundred rectangles).
 */
function fillTiny(ctx: CanvasRenderingContext2D, r: RenderInput, byFill: Map<string, number[]>): void {
  const { camera, view, dpr } = r;
  const k = camera.zoom * dpr;
  const ox = dpr * (view.width / 2) - camera.x * k;
  const oy = dpr * (view.height / 2) - camera.y * k;
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  const cols = Math.ceil(view.width * dpr) + 1;
  const rows = Math.ceil(view.height * dpr) + 1;
  if (scratch.pixels.length < cols * rows) scratch.pixels = new Uint8Array(cols * rows);
  const pixels = scratch.pixels;
  const nodes = r.scene.nodes;
  for (const [fill, list] of byFill) {
    if (list.length === 0) continue;
    // A new stamp per colour; after 255 the bytes are cleared and counting starts again.
    if (++scratch.pixelStamp > 255) {
      pixels.fill(0);
      scratch.pixelStamp = 1;
    }
    const stamp = scratch.pixelStamp;
    ctx.fillStyle = fill;
    for (const i of list) {
      const n = nodes[i];
      const x = Math.floor(n.x * k + ox);
      const y = Math.floor(n.y * k + oy);
      const w = Math.max(1, Math.round(n.width * k));
      const h = Math.max(1, Math.round(n.height * k));
      if (w <= 2 && h <= 2 && x >= 0 && y >= 0 && x < cols && y < rows) {
        const key = y * cols + x;
        if (pixels[key] === stamp) continue;
        pixels[key] = stamp;
      }
      ctx.fillRect(x, y, w, h);
    }
  }
  ctx.restore();
}

function boxFill(n: SceneNode, d: BoxDecoration | undefined, theme: GraphTheme): string {
  if (d?.fill) return d.fill;
  if (n.kind === "group") return theme.groupFill;
  if (n.kind === "input" || n.kind === "output") return theme.ioFill;
  return theme.nodeFill;
}

function rectOf(ctx: CanvasRenderingContext2D, n: SceneNode): void {
  ctx.rect(n.x, n.y, n.width, n.height);
}

function strokeBox(ctx: CanvasRenderingContext2D, n: SceneNode, colour: string, width: number, outset: number): void {
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.strokeRect(n.x - outset, n.y - outset, n.width + 2 * outset, n.height + 2 * outset);
}

function drawEdges(
  ctx: CanvasRenderingContext2D,
  r: RenderInput,
  ids: number[],
  routes: boolean,
  arrows: boolean,
  px: number,
): void {
  const edges = r.scene.edges;
  // Passes: plain, implicit (captured by an If/Loop/Scan body: dotted), back (dashed, in the problem colour).
  for (const style of [0, 1, 2]) {
    const back = style === 2;
    ctx.beginPath();
    let any = false;
    for (const i of ids) {
      const e = edges[i];
      if ((e.back ? 2 : e.implicit ? 1 : 0) !== style) continue;
      any = true;
      const p = e.points;
      ctx.moveTo(p[0], p[1]);
      if (routes) for (let k = 2; k + 1 < p.length; k += 2) ctx.lineTo(p[k], p[k + 1]);
      else ctx.lineTo(p[p.length - 2], p[p.length - 1]);
    }
    if (!any) continue;
    ctx.strokeStyle = back ? r.theme.problem : r.theme.edge;
    ctx.lineWidth = Math.max(px, 1);
    if (back) ctx.setLineDash([5 * px, 3 * px]);
    else if (style === 1) ctx.setLineDash([2 * px, 3 * px]);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (!arrows) return;
  ctx.fillStyle = r.theme.edge;
  ctx.beginPath();
  const size = 6;
  for (const i of ids) {
    const p = edges[i].points;
    const n = p.length;
    const x1 = p[n - 2];
    const y1 = p[n - 1];
    const len = Math.hypot(x1 - p[n - 4], y1 - p[n - 3]) || 1;
    const ux = (x1 - p[n - 4]) / len;
    const uy = (y1 - p[n - 3]) / len;
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - ux * size - uy * size * 0.5, y1 - uy * size + ux * size * 0.5);
    ctx.lineTo(x1 - ux * size + uy * size * 0.5, y1 - uy * size - ux * size * 0.5);
    ctx.closePath();
  }
  ctx.fill();
}

function drawLabels(
  ctx: CanvasRenderingContext2D,
  r: RenderInput,
  frames: SceneNode[],
  boxes: number[],
  sublabels: boolean,
): void {
  const { theme, scene } = r;
  ctx.textBaseline = "middle";
  ctx.font = `12px ${theme.fontFamily}`;
  ctx.textAlign = "left";
  ctx.fillStyle = theme.muted;
  for (const f of frames)
    ctx.fillText(`${f.label} (${f.sublabel ?? ""})`, f.x + 6, f.y + 10, Math.max(10, f.width - 12));
  // Main labels in one pass with one font, then the sublabels with theirs: setting ctx.font parses the string.
  ctx.textAlign = "center";
  let ink = "";
  for (const i of boxes) {
    const n = scene.nodes[i];
    const d = r.decorations[i];
    const colour = d?.fill ? textOn(d.fill) : theme.foreground;
    if (colour !== ink) ctx.fillStyle = ink = colour;
    const hasSub = sublabels && (n.sublabel !== undefined || d?.badge !== undefined);
    ctx.fillText(n.label, n.x + n.width / 2, n.y + (hasSub ? n.height * 0.36 : n.height / 2), n.width - 8);
  }
  if (!sublabels) return;
  ctx.font = `10px ${theme.fontFamily}`;
  for (const i of boxes) {
    const n = scene.nodes[i];
    const d = r.decorations[i];
    if (n.sublabel === undefined && d?.badge === undefined) continue;
    const colour = d?.fill ? textOn(d.fill) : theme.foreground;
    if (colour !== ink) ctx.fillStyle = ink = colour;
    const sub = d?.badge ? (n.sublabel ? `${d.badge} · ${n.sublabel}` : d.badge) : n.sublabel!;
    ctx.fillText(sub, n.x + n.width / 2, n.y + n.height * 0.74, n.width - 8);
  }
}

function drawPorts(ctx: CanvasRenderingContext2D, r: RenderInput, ids: number[], px: number): void {
  ctx.fillStyle = r.theme.edge;
  ctx.beginPath();
  const radius = Math.max(2, 2.5 * px);
  for (const i of ids) {
    const p = r.scene.edges[i].points;
    const n = p.length;
    ctx.moveTo(p[0] + radius, p[1]);
    ctx.arc(p[0], p[1], radius, 0, Math.PI * 2);
    ctx.moveTo(p[n - 2] + radius, p[n - 1]);
    ctx.arc(p[n - 2], p[n - 1], radius, 0, Math.PI * 2);
  }
  ctx.fill();
}

// A uniform grid over a scene's boxes and edge routes (pure): the renderer asks for what meets the visible rectangle,
// the pointer asks for what is under it, so neither walks the whole scene. Items are numbered by the caller (the
// index of a node or an edge in the scene's arrays); queries return each item once, in ascending order. A query over
// much of the grid (the whole graph in view) tests every item in order instead: cheaper than walking the cells,
// removing duplicates and sorting thousands of ids every frame.
import type { Rect } from "./camera";

export class SpatialGrid {
  private readonly cells = new Map<number, number[]>();
  private readonly boxes: number[] = [];
  private stamp = new Uint32Array(0);
  private generation = 0;
  /** The cell range anything was inserted in: queries never walk empty cells outside it. */
  private bounds = [Infinity, Infinity, -Infinity, -Infinity];
  /** Cell entries in all (an item counts once per cell it spans). */
  private entries = 0;

  constructor(readonly cellSize: number) {}

  get size(): number {
    return this.boxes.length / 4;
  }

  /** Adds item `id` (the next item numbers should be 0, 1, 2, …) with its bounding box. */
  insert(id: number, x: number, y: number, width: number, height: number): void {
    this.boxes[id * 4] = x;
    this.boxes[id * 4 + 1] = y;
    this.boxes[id * 4 + 2] = width;
    this.boxes[id * 4 + 3] = height;
    const [c0, r0, c1, r1] = this.cellRange(x, y, width, height);
    const b = this.bounds;
    [b[0], b[1], b[2], b[3]] = [Math.min(b[0], c0), Math.min(b[1], r0), Math.max(b[2], c1), Math.max(b[3], r1)];
    this.entries += (c1 - c0 + 1) * (r1 - r0 + 1);
    for (let c = c0; c <= c1; c++)
      for (let r = r0; r <= r1; r++) {
        const key = cellKey(c, r);
        const list = this.cells.get(key);
        if (list) list.push(id);
        else this.cells.set(key, [id]);
      }
  }

  /**
   * Adds item `id`, a polyline (x0, y0, x1, y1, …), in the cells its segments pass through rather than every cell of
   * its bounding box: a long diagonal edge (a graph input feeding a layer far away) then costs cells in proportion to
   * its length, not to the area it spans. Queries still test the bounding box (a superset, never a miss).
   */
  insertPolyline(id: number, points: readonly number[]): void {
    const box = routeBounds(points);
    this.boxes[id * 4] = box.x;
    this.boxes[id * 4 + 1] = box.y;
    this.boxes[id * 4 + 2] = box.width;
    this.boxes[id * 4 + 3] = box.height;
    const [bc0, br0, bc1, br1] = this.cellRange(box.x, box.y, box.width, box.height);
    const b = this.bounds;
    [b[0], b[1], b[2], b[3]] = [Math.min(b[0], bc0), Math.min(b[1], br0), Math.max(b[2], bc1), Math.max(b[3], br1)];
    const s = this.cellSize;
    const seen = new Set<number>();
    const add = (c: number, r: number) => {
      const key = cellKey(c, r);
      if (seen.has(key)) return;
      seen.add(key);
      this.entries++;
      const list = this.cells.get(key);
      if (list) list.push(id);
      else this.cells.set(key, [id]);
    };
    if (points.length < 4) {
      if (points.length >= 2) add(Math.floor(points[0] / s), Math.floor(points[1] / s));
      return;
    }
    for (let k = 0; k + 3 < points.length; k += 2) {
      let [x0, y0, x1, y1] = [points[k], points[k + 1], points[k + 2], points[k + 3]];
      if (x1 < x0) [x0, y0, x1, y1] = [x1, y1, x0, y0];
      const c0 = Math.floor(x0 / s);
      const c1 = Math.floor(x1 / s);
      for (let c = c0; c <= c1; c++) {
        // The part of the segment inside column c: its y range gives the rows it crosses there.
        const xa = Math.max(x0, c * s);
        const xb = Math.min(x1, (c + 1) * s);
        const ya = x1 === x0 ? y0 : y0 + ((xa - x0) * (y1 - y0)) / (x1 - x0);
        const yb = x1 === x0 ? y1 : y0 + ((xb - x0) * (y1 - y0)) / (x1 - x0);
        const r0 = Math.floor(Math.min(ya, yb) / s);
        const r1 = Math.floor(Math.max(ya, yb) / s);
        for (let r = r0; r <= r1; r++) add(c, r);
      }
    }
  }

  /**
   * Items whose bounding box meets `rect` (for a polyline: every one whose segments meet it, and only ones whose
   * bounding box does), into `out` (emptied first; a caller may reuse one array every frame). */
  query(rect: Rect, out: number[] = []): number[] {
    out.length = 0;
    const range = this.cellRange(rect.x, rect.y, rect.width, rect.height);
    const b = this.bounds;
    const [c0, r0, c1, r1] = [
      Math.max(range[0], b[0]),
      Math.max(range[1], b[1]),
      Math.min(range[2], b[2]),
      Math.min(range[3], b[3]),
    ];
    if (c1 < c0 || r1 < r0) return out;
    // Expected entries in the range (cells × mean entries per occupied cell) against one test per item.
    const perCell = this.entries / Math.max(1, this.cells.size);
    if ((c1 - c0 + 1) * (r1 - r0 + 1) * perCell > this.size / 2) {
      for (let id = 0; id < this.size; id++) if (this.meets(id, rect)) out.push(id);
      return out;
    }
    if (this.stamp.length < this.size) this.stamp = new Uint32Array(this.size);
    const generation = ++this.generation;
    for (let c = c0; c <= c1; c++)
      for (let r = r0; r <= r1; r++) {
        const list = this.cells.get(cellKey(c, r));
        if (!list) continue;
        for (const id of list) {
          if (this.stamp[id] === generation) continue;
          this.stamp[id] = generation;
          if (this.meets(id, rect)) out.push(id);
        }
      }
    return out.sort((a, b) => a - b);
  }

  /** Items whose bounding box holds the point, last inserted first (what is drawn on top). */
  at(x: number, y: number): number[] {
    return this.query({ x, y, width: 0, height: 0 }).reverse();
  }

  private meets(id: number, r: Rect): boolean {
    const b = this.boxes;
    const x = b[id * 4];
    const y = b[id * 4 + 1];
    return x <= r.x + r.width && x + b[id * 4 + 2] >= r.x && y <= r.y + r.height && y + b[id * 4 + 3] >= r.y;
  }

  private cellRange(x: number, y: number, width: number, height: number): [number, number, number, number] {
    const s = this.cellSize;
    return [Math.floor(x / s), Math.floor(y / s), Math.floor((x + width) / s), Math.floor((y + height) / s)];
  }
}

function cellKey(column: number, row: number): number {
  return (column + 32768) * 65536 + (row + 32768);
}

/** The bounding box of an edge route (x0, y0, x1, y1, …). */
export function routeBounds(points: readonly number[]): Rect {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    minX = Math.min(minX, points[i]);
    maxX = Math.max(maxX, points[i]);
    minY = Math.min(minY, points[i + 1]);
    maxY = Math.max(maxY, points[i + 1]);
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

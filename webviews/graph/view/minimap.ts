// The minimap: the whole scene small, with the view's rectangle on it; clicking or dragging on it moves the view
// there. The scene is drawn once into an offscreen canvas (on a new scene or theme); a frame only copies it and
// draws the rectangle. Its size comes from a ResizeObserver, so a frame reads no layout.
import type { GraphScene } from "../../../common/graph/scene";
import { visibleRect, type Camera, type Size } from "./camera";
import type { GraphTheme } from "../../ui/theme";

export class Minimap {
  readonly canvas: HTMLCanvasElement;
  private cache?: HTMLCanvasElement;
  private scene?: GraphScene;
  private scale = 1;
  private offset = { x: 0, y: 0 };
  private size?: { width: number; height: number };

  constructor(private readonly onMove: (x: number, y: number) => void) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "minimap";
    this.canvas.setAttribute("aria-label", "Minimap: click or drag to move the view");
    let dragging = false;
    this.canvas.addEventListener("pointerdown", (e) => {
      dragging = true;
      this.canvas.setPointerCapture(e.pointerId);
      this.move(e);
    });
    this.canvas.addEventListener("pointermove", (e) => dragging && this.move(e));
    this.canvas.addEventListener("pointerup", () => (dragging = false));
    new ResizeObserver(() => {
      this.size = { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
    }).observe(this.canvas);
  }

  setScene(scene: GraphScene | undefined, theme: GraphTheme): void {
    this.scene = scene;
    this.cache = undefined;
    this.theme = theme;
  }

  private theme?: GraphTheme;

  draw(camera: Camera, view: Size, dpr: number): void {
    const { width: w, height: h } = this.size ?? { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
    if (w === 0 || h === 0 || !this.scene || !this.theme) return;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
      this.cache = undefined;
    }
    const s = this.scene;
    this.scale = Math.min((w - 8) / Math.max(1, s.width), (h - 8) / Math.max(1, s.height));
    this.offset = { x: (w - s.width * this.scale) / 2, y: (h - s.height * this.scale) / 2 };
    if (!this.cache) this.cache = this.paintScene(dpr);
    const ctx = this.canvas.getContext("2d")!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.cache, 0, 0);
    const v = visibleRect(camera, view);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.strokeStyle = this.theme.focus;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(
      this.offset.x + v.x * this.scale,
      this.offset.y + v.y * this.scale,
      v.width * this.scale,
      v.height * this.scale,
    );
  }

  private paintScene(dpr: number): HTMLCanvasElement {
    const c = document.createElement("canvas");
    c.width = this.canvas.width;
    c.height = this.canvas.height;
    const ctx = c.getContext("2d")!;
    const t = this.theme!;
    ctx.fillStyle = t.background;
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.setTransform(dpr * this.scale, 0, 0, dpr * this.scale, dpr * this.offset.x, dpr * this.offset.y);
    ctx.fillStyle = t.edge;
    ctx.beginPath();
    for (const n of this.scene!.nodes)
      if (!(n.kind === "group" && n.expanded))
        ctx.rect(n.x, n.y, Math.max(n.width, 2 / this.scale), Math.max(n.height, 2 / this.scale));
    ctx.fill();
    return c;
  }

  private move(e: PointerEvent): void {
    const r = this.canvas.getBoundingClientRect();
    this.onMove((e.clientX - r.left - this.offset.x) / this.scale, (e.clientY - r.top - this.offset.y) / this.scale);
  }
}

// The graph view: a canvas sized to its box (backing store × devicePixelRatio), the camera, and the input that moves
// it: drag to pan, wheel to zoom (at the pointer), arrow keys (pan, or with a selection step to a producer, consumer
// or sibling; Shift+arrows always pan), +/- zoom, F fits, Enter opens, Escape clears the selection. Draws in
// requestAnimationFrame, at most once a frame, and only after something changed: any number of input events in a
// frame make one draw. The view's size is kept from a ResizeObserver, so input handlers never read layout (a read
// after a DOM change would force a style and layout pass in the middle of an interaction).
import type { GraphScene } from "../../../common/graph/scene";
import type { BoxDecoration } from "../model/overlay-model";
import type { NavDirection } from "../model/scene-index";
import { fitCamera, panBy, revealCamera, toLayout, zoomAt, type Camera, type Size } from "./camera";
import { Minimap } from "./minimap";
import { render, type RenderInput } from "./renderer";
import { boxAt, buildGrids, type SceneGrids } from "./scene-grids";
import type { GraphTheme } from "../../ui/theme";

export interface GraphCanvasEvents {
  select(index: number | undefined): void;
  open(index: number): void;
  navigate(direction: NavDirection): void;
  cameraChanged(camera: Camera): void;
  /** After each frame drawn (first paint marks, tests). */
  drawn(stats: DrawStats): void;
}

export interface DrawStats {
  /** Boxes and edges drawn (those meeting the view). */
  boxes: number;
  edges: number;
  /** Time spent in the frame's drawing code (recording the canvas commands; rasterising happens after). */
  drawMs: number;
  /** Frames drawn so far. */
  frame: number;
}

const PAN_STEP_PX = 60;
const ZOOM_STEP = 1.25;

export class GraphCanvas {
  readonly canvas: HTMLCanvasElement;
  readonly minimap: Minimap;
  camera: Camera = { x: 0, y: 0, zoom: 1 };
  private scene?: GraphScene;
  private grids?: SceneGrids;
  private decorations: readonly (BoxDecoration | undefined)[] = [];
  private marks: ReadonlyMap<number, "added" | "changed"> = new Map();
  private problems: ReadonlySet<number> = new Set();
  private hits: ReadonlySet<number> = new Set();
  private selected?: number;
  private frame = 0;
  private view: Size = { width: 0, height: 0 };
  private measured?: Size;
  private drawCount = 0;

  constructor(
    host: HTMLElement,
    private theme: GraphTheme,
    private readonly events: GraphCanvasEvents,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "graph-canvas";
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute("role", "application");
    this.canvas.setAttribute(
      "aria-label",
      "Model graph. Drag or arrows to pan, wheel or +/- to zoom, F to fit, Enter to open, arrows with a selection to move between nodes.",
    );
    this.minimap = new Minimap((x, y) => this.setCamera({ ...this.camera, x, y }));
    host.append(this.canvas, this.minimap.canvas);
    new ResizeObserver(() => {
      // Layout is clean in a ResizeObserver callback, so reading the size here costs nothing.
      this.measured = { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
      this.requestDraw();
    }).observe(this.canvas);
    this.listen();
  }

  /** The canvas's CSS size (from the ResizeObserver; measured once before it has reported). */
  get size(): Size {
    return this.measured ?? { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
  }

  setScene(scene: GraphScene | undefined): void {
    this.scene = scene;
    this.grids = scene && buildGrids(scene);
    this.selected = undefined;
    this.minimap.setScene(scene, this.theme);
    this.requestDraw();
  }

  setTheme(theme: GraphTheme): void {
    this.theme = theme;
    this.minimap.setScene(this.scene, theme);
    this.requestDraw();
  }

  setDecorations(
    d: readonly (BoxDecoration | undefined)[],
    marks: ReadonlyMap<number, "added" | "changed">,
    problems: ReadonlySet<number>,
  ): void {
    [this.decorations, this.marks, this.problems] = [d, marks, problems];
    this.requestDraw();
  }

  setHits(hits: ReadonlySet<number>): void {
    this.hits = hits;
    this.requestDraw();
  }

  setSelected(index: number | undefined): void {
    this.selected = index;
    this.requestDraw();
  }

  setCamera(camera: Camera): void {
    this.camera = camera;
    this.events.cameraChanged(camera);
    this.requestDraw();
  }

  fit(): void {
    if (!this.scene) return;
    this.setCamera(fitCamera({ x: 0, y: 0, width: this.scene.width, height: this.scene.height }, this.size));
  }

  zoomBy(factor: number): void {
    const s = this.size;
    this.setCamera(zoomAt(this.camera, s, s.width / 2, s.height / 2, factor));
  }

  reveal(index: number): void {
    const n = this.scene?.nodes[index];
    if (n) this.setCamera(revealCamera(this.camera, this.size, n));
  }

  requestDraw(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.frame = 0;
    const start = performance.now();
    const dpr = window.devicePixelRatio || 1;
    const view = this.size;
    if (view.width === 0 || view.height === 0 || !this.scene || !this.grids) return;
    const [w, h] = [Math.round(view.width * dpr), Math.round(view.height * dpr)];
    if (this.canvas.width !== w || this.canvas.height !== h) [this.canvas.width, this.canvas.height] = [w, h];
    this.view = view;
    const input: RenderInput = {
      scene: this.scene,
      grids: this.grids,
      camera: this.camera,
      view,
      dpr,
      theme: this.theme,
      decorations: this.decorations,
      marks: this.marks,
      problems: this.problems,
      hits: this.hits,
      selected: this.selected,
    };
    const stats = render(this.canvas.getContext("2d")!, input);
    this.minimap.draw(this.camera, view, dpr);
    this.events.drawn({ ...stats, drawMs: performance.now() - start, frame: ++this.drawCount });
  }

  private hit(e: MouseEvent): number | undefined {
    if (!this.scene || !this.grids) return undefined;
    const r = this.canvas.getBoundingClientRect();
    const [x, y] = toLayout(this.camera, this.size, e.clientX - r.left, e.clientY - r.top);
    return boxAt(this.scene, this.grids, x, y);
  }

  private listen(): void {
    const c = this.canvas;
    let drag: { x: number; y: number; moved: boolean } | undefined;
    c.addEventListener("pointerdown", (e) => {
      c.focus();
      drag = { x: e.clientX, y: e.clientY, moved: false };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const [dx, dy] = [e.clientX - drag.x, e.clientY - drag.y];
      if (!drag.moved && Math.hypot(dx, dy) < 3) return;
      drag = { x: e.clientX, y: e.clientY, moved: true };
      this.setCamera(panBy(this.camera, dx, dy));
    });
    c.addEventListener("pointerup", (e) => {
      if (drag && !drag.moved) this.events.select(this.hit(e));
      drag = undefined;
    });
    c.addEventListener("dblclick", (e) => {
      const i = this.hit(e);
      if (i !== undefined) this.events.open(i);
    });
    c.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        const r = c.getBoundingClientRect();
        const factor = Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015));
        this.setCamera(zoomAt(this.camera, this.size, e.clientX - r.left, e.clientY - r.top, factor));
      },
      { passive: false },
    );
    c.addEventListener("keydown", (e) => this.key(e));
  }

  private key(e: KeyboardEvent): void {
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [PAN_STEP_PX, 0],
      ArrowRight: [-PAN_STEP_PX, 0],
      ArrowUp: [0, PAN_STEP_PX],
      ArrowDown: [0, -PAN_STEP_PX],
    };
    const vertical = this.scene?.direction !== "LR";
    if (e.key in arrows) {
      if (this.selected !== undefined && !e.shiftKey) {
        const nav: Record<string, NavDirection> = vertical
          ? { ArrowUp: "producer", ArrowDown: "consumer", ArrowLeft: "previous", ArrowRight: "next" }
          : { ArrowLeft: "producer", ArrowRight: "consumer", ArrowUp: "previous", ArrowDown: "next" };
        this.events.navigate(nav[e.key]);
      } else this.setCamera(panBy(this.camera, ...arrows[e.key]));
    } else if (e.key === "+" || e.key === "=") this.zoomBy(ZOOM_STEP);
    else if (e.key === "-" || e.key === "_") this.zoomBy(1 / ZOOM_STEP);
    else if (e.key === "f" || e.key === "F") this.fit();
    else if (e.key === "Enter" && this.selected !== undefined) this.events.open(this.selected);
    else if (e.key === "Escape") this.events.select(undefined);
    else return;
    e.preventDefault();
  }

  /** The size last drawn at (0 × 0 before the first frame). */
  get drawnView(): Size {
    return this.view;
  }
}

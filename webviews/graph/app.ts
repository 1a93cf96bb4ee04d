// The graph viewer app: the model, the body shown (path), the open groups, the direction, the selection, overlays
// (overlay-mode.ts) and diff mode (diff-mode.ts). Layout requests go to the worker (never laid out here); each new
// scene is handed to the canvas with its decorations. Revealing a node opens the groups that hide it, one layout at a
// time. Search and revealing a node by name are node-search.ts's. State is kept with setState.
import { graphAt, type GraphPath, type ModelGraph, type ModelGraphDocument } from "../../common/graph/model-graph";
import type { GraphOverlays, OverlayKind } from "../../common/graph/overlays";
import type { GraphScene, LayoutDirection } from "../../common/graph/scene";
import {
  ChooseDiffModelCommand,
  OpenAsTextCommand,
  type DiffState,
  type GraphInitialState,
  type GraphOpenError,
  type GraphViewState,
} from "../protocol/graph";
import type { NodeRef } from "../protocol/node-links";
import type { HostChannel } from "../ui/host-channel";
import { decorateBoxes } from "./model/overlay-model";
import { problemNodes } from "./model/problems";
import { SceneIndex, groupScope, type NavDirection } from "./model/scene-index";
import { OpenGroups } from "./model/open-groups";
import { pathKey, restoreViewState, samePath } from "./model/view-state";
import { breadcrumb } from "./panels/breadcrumb";
import { DiffMode } from "./diff-mode";
import { errorView } from "./panels/error-view";
import { NodeSearch } from "./node-search";
import { OverlayMode } from "./overlay-mode";
import { problemsPanel } from "./panels/problems-panel";
import { SelectionPanel } from "./selection-panel";
import { buildShell, fill, type Shell } from "./shell";
import type { Camera } from "./view/camera";
import { GraphCanvas, type DrawStats } from "./view/graph-canvas";
import { readTheme, watchTheme } from "../ui/theme";
import { LayoutClient } from "./worker/layout-client";

export class GraphApp {
  doc?: ModelGraphDocument;
  scene?: GraphScene;
  index?: SceneIndex;
  path: GraphPath = [];
  selectedId?: string;
  private groups = new OpenGroups();
  private groupsByPath = new Map<string, OpenGroups>();
  private direction: LayoutDirection = "TB";
  private restoredCamera?: Camera;
  private painted = false;
  private saveTimer = 0;
  private readonly shell: Shell;
  private readonly canvas: GraphCanvas;
  private readonly search: NodeSearch;
  private readonly selection: SelectionPanel;
  private readonly diff: DiffMode;
  private readonly overlayMode: OverlayMode;
  private layout?: LayoutClient;

  constructor(
    readonly channel: HostChannel<GraphViewState>,
    private readonly app: HTMLElement,
  ) {
    this.shell = buildShell({
      fit: () => this.canvas.fit(),
      zoom: (f) => this.canvas.zoomBy(f),
      expandAll: () => void this.relayout({ all: true, keepCamera: false }),
      collapseAll: () => {
        this.groups.reset();
        void this.relayout({ keepCamera: false });
      },
      toggleDirection: () => {
        this.direction = this.direction === "TB" ? "LR" : "TB";
        void this.relayout({ keepCamera: false });
      },
      compare: () => this.channel.sendCommand(ChooseDiffModelCommand, {}),
    });
    const theme = readTheme();
    this.canvas = new GraphCanvas(this.shell.viewport, theme, {
      select: (i) => this.select(i),
      open: (i) => void this.open(i),
      navigate: (d) => this.navigate(d),
      cameraChanged: () => this.saveSoon(),
      drawn: (s) => this.drawn(s),
    });
    watchTheme((t) => {
      this.canvas.setTheme(t);
      this.decorate();
    });
    this.search = new NodeSearch(this, this.shell, (hits) => this.canvas.setHits(hits));
    this.selection = new SelectionPanel(this, this.shell.properties);
    this.diff = new DiffMode(this, this.shell.diff, this.app);
    this.overlayMode = new OverlayMode(
      {
        channel: this.channel,
        decorate: () => this.decorate(),
        overlaysChanged: () => {
          if (this.selectedId && this.index) this.selection.show(this.index.node(this.selectedId));
          this.saveSoon();
        },
      },
      this.shell.overlays,
    );
  }

  /** The overlays of the run picked, if any. */
  get overlays(): GraphOverlays | undefined {
    return this.overlayMode.overlays;
  }

  init(initial: GraphInitialState): void {
    this.overlayMode.runs = initial.runs;
    if (!initial.document) return this.showError(initial.error);
    const state = restoreViewState(this.channel.api.getState(), initial.document.graph);
    this.direction = state.direction ?? "TB";
    this.path = state.path ?? [];
    this.groups = new OpenGroups(state.expanded, state.collapsed);
    this.restoredCamera = state.camera;
    this.selectedId = state.selection;
    if (initial.overlays)
      this.setOverlays(
        initial.overlays,
        state.overlays?.runDir === initial.overlays.runDir ? state.overlays.shown : undefined,
      );
    else if (state.overlays) void this.overlayMode.pickRun(state.overlays.runDir, state.overlays.shown);
    this.setDocument(initial.document, initial.reveal);
  }

  setDocument(doc: ModelGraphDocument | undefined, reveal?: NodeRef, error?: GraphOpenError): void {
    if (!doc) return this.showError(error);
    this.doc = doc;
    this.app.replaceChildren(this.shell.root);
    this.layout ??= new LayoutClient();
    this.layout.setGraph(doc.graph);
    this.search.setDocument(doc);
    this.overlayMode.renderPanel();
    void this.relayout({ keepCamera: this.restoredCamera !== undefined }).then(
      () => reveal && this.revealByName(reveal.node, reveal),
    );
  }

  get graph(): ModelGraph | undefined {
    return this.doc && graphAt(this.doc.graph, this.path);
  }

  private showError(error: GraphOpenError | undefined): void {
    const e = error ?? { code: "graph/unknown", message: "The host sent neither a model nor an error." };
    this.app.replaceChildren(errorView(e, () => this.channel.sendCommand(OpenAsTextCommand, {})));
    document.body.dataset.ready = "true";
  }

  /** Lays out the current body; false when superseded by a newer request or failed. */
  async relayout(o: { all?: boolean; keepCamera?: boolean; fit?: boolean } = {}): Promise<boolean> {
    if (!this.layout || !this.doc) return false;
    this.shell.busy.hidden = false;
    let result;
    try {
      const g = this.groups;
      const closed = o.all ? [] : [...g.collapsed];
      result = await this.layout.layout(this.path, o.all ? "all" : [...g.expanded], this.direction, closed);
    } catch (error) {
      this.shell.busy.textContent = `Layout failed: ${error instanceof Error ? error.message : String(error)}`;
      return false;
    }
    if (!result) return false;
    this.shell.busy.hidden = true;
    const scene = result.scene;
    if (o.all) this.groups.setOpen(scene.nodes.filter((n) => n.kind === "group" && n.expanded).map(groupScope));
    this.groupsByPath.set(pathKey(this.path), this.groups);
    this.scene = scene;
    this.index = new SceneIndex(scene);
    this.canvas.setScene(scene);
    this.decorate();
    if (this.restoredCamera) {
      this.canvas.setCamera(this.restoredCamera);
      this.restoredCamera = undefined;
    } else if (!o.keepCamera || o.fit) this.canvas.fit();
    const sel = this.selectedId !== undefined ? this.index.byId.get(this.selectedId) : undefined;
    if (sel !== undefined) this.select(sel, false);
    else this.select(undefined);
    this.shell.crumbs.replaceChildren(breadcrumb(this.doc.graph, this.path, (p) => void this.goTo(p)));
    this.shell.directionButton.dataset.direction = this.direction;
    this.shell.status.textContent = `${this.doc.totalNodes} nodes · ${scene.nodes.length} boxes · ${scene.edges.length} edges · layout ${result.layoutMs.toFixed(0)} ms (worker)`;
    this.search.showHits();
    this.renderProblems();
    this.saveSoon();
    return true;
  }

  /** Colours, marks and problems for the current scene. */
  decorate(): void {
    if (!this.scene || !this.index || !this.doc) return;
    const graph = this.graph!;
    const theme = readTheme();
    const decorations = decorateBoxes(this.scene.nodes, graph, this.overlays, this.overlayMode.shown, {
      partitions: theme.partitions,
      cpu: theme.cpu,
    });
    const marks = this.diff.marks(this.index);
    const problems = new Set<number>();
    for (const node of problemNodes(graph, graph.problems)) {
      const box = this.index.boxOf(node);
      const i = box && this.index.byId.get(box.id);
      if (i !== undefined) problems.add(i);
    }
    this.canvas.setDecorations(decorations, marks, problems);
  }

  select(i: number | undefined, reveal = false): void {
    const box = i === undefined ? undefined : this.scene?.nodes[i];
    this.selectedId = box?.id;
    this.canvas.setSelected(box ? i : undefined);
    if (box && reveal) this.canvas.reveal(i!);
    this.app.dataset.selection = box?.id ?? "";
    this.selection.show(box);
    this.saveSoon();
  }

  private navigate(direction: NavDirection): void {
    if (!this.selectedId || !this.index) return;
    const to = this.index.navigate(this.selectedId, direction);
    if (to !== undefined) this.select(this.index.byId.get(to), true);
  }

  /** Double-click / Enter: a group opens or closes, a node with a nested body opens it. */
  async open(i: number): Promise<void> {
    const box = this.scene?.nodes[i];
    if (!box) return;
    if (box.kind === "group") {
      this.groups.toggle(groupScope(box), box.expanded === true);
      this.selectedId = box.id;
      if (await this.relayout({ keepCamera: true })) {
        const j = this.index!.byId.get(box.id);
        if (j !== undefined) this.select(j, true);
      }
    } else if (box.kind === "node") {
      const body = this.graph?.nodes[box.index]?.subgraphs?.[0];
      if (body) await this.openBody(box.index, body.attribute);
    }
  }

  async openBody(node: number, attribute: string): Promise<void> {
    await this.goTo([...this.path, { node, attribute }]);
  }

  async goTo(path: GraphPath): Promise<boolean> {
    if (samePath(path, this.path)) return true;
    this.path = path;
    this.groups = this.groupsByPath.get(pathKey(path)) ?? new OpenGroups();
    this.selectedId = undefined;
    return this.relayout({ fit: true });
  }

  /** Shows `node` of the body at `path`: goes there, opens the groups that hide it, selects it. */
  async reveal(path: GraphPath, node: number): Promise<void> {
    if (!(await this.goTo(path))) return;
    for (let guard = 0; guard < 64; guard++) {
      const group = this.index?.groupToOpen(node);
      if (!group) break;
      this.groups.open(groupScope(group));
      if (!(await this.relayout({ keepCamera: true }))) return;
    }
    const box = this.index?.boxOf(node);
    if (box) this.select(this.index!.byId.get(box.id), true);
  }

  /**
   * Reveals and selects the node named `name`, and tells the host how it went. A node the model does not have (one
   * onnxruntime made when it optimized the graph) gets a notice over the canvas saying so, and the node it was
   * fused from, when its name tells, is selected instead.
   */
  revealByName(name: string, ref: NodeRef = { node: name }): void {
    this.search.revealByName(name, ref);
  }

  setOverlays(o: GraphOverlays, shown?: OverlayKind[]): void {
    this.overlayMode.set(o, shown);
  }

  private renderProblems(): void {
    const graph = this.graph;
    const problems = graph?.problems ?? [];
    this.shell.problems.hidden = problems.length === 0;
    if (graph)
      fill(
        this.shell.problems,
        problemsPanel(graph, problems, (node) => void this.reveal(this.path, node)),
      );
  }

  setDiff(diff: DiffState | undefined, error?: GraphOpenError): void {
    this.diff.set(diff, error);
  }

  diffDetailsFor(node: number): { kind: string; details: string[] } | undefined {
    return this.diff.detailsFor(node);
  }

  /** The last frame's figures (the harness and the bench read them; not kept in the DOM, which a frame leaves alone). */
  lastDraw?: DrawStats;

  private drawn(stats: DrawStats): void {
    this.lastDraw = stats;
    // The canvas's data-boxes / data-edges (tests read them) are written only when they change.
    const c = this.canvas.canvas;
    if (c.dataset.boxes !== String(stats.boxes)) c.dataset.boxes = String(stats.boxes);
    if (c.dataset.edges !== String(stats.edges)) c.dataset.edges = String(stats.edges);
    if (this.painted) return;
    this.painted = true;
    performance.mark("edge-graph-first-paint");
    document.body.dataset.ready = "true";
  }

  private saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => this.save(), 150);
  }

  save(): void {
    if (!this.doc) return;
    const state: GraphViewState = {
      camera: { ...this.canvas.camera },
      direction: this.direction,
      path: this.path,
      expanded: [...this.groups.expanded],
    };
    if (this.groups.collapsed.size > 0) state.collapsed = [...this.groups.collapsed];
    if (this.selectedId !== undefined) state.selection = this.selectedId;
    if (this.overlays) state.overlays = { runDir: this.overlays.runDir, shown: [...this.overlayMode.shown] };
    this.channel.api.setState(state);
  }

  /** For the test harness: every box's id, kind and screen rectangle, and the camera. */
  inspect(): {
    camera: Camera;
    boxes: { id: string; kind: string; expanded: boolean; x: number; y: number; width: number; height: number }[];
  } {
    const c = this.canvas.camera;
    const s = this.canvas.size;
    return {
      camera: c,
      boxes: (this.scene?.nodes ?? []).map((n) => ({
        id: n.id,
        kind: n.kind,
        expanded: n.expanded === true,
        x: (n.x - c.x) * c.zoom + s.width / 2,
        y: (n.y - c.y) * c.zoom + s.height / 2,
        width: n.width * c.zoom,
        height: n.height * c.zoom,
      })),
    };
  }
}

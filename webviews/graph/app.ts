// The graph viewer app: the model, the body shown (path), the open groups, the direction, the selection, overlays and
// diff mode (diff-mode.ts). Layout requests go to the worker (never laid out here); each new scene is handed to the
// canvas with its decorations. Revealing a node opens the groups that hide it, one layout at a time. State is kept
// with setState.
import { graphAt, type GraphPath, type ModelGraph, type ModelGraphDocument } from "../../common/graph/model-graph";
import type { GraphOverlays, OverlayKind } from "../../common/graph/overlays";
import type { GraphScene, LayoutDirection } from "../../common/graph/scene";
import {
  ChooseDiffModelCommand,
  OpenAsTextCommand,
  OverlaysRequest,
  RevealedNodeCommand,
  type DiffState,
  type GraphInitialState,
  type GraphOpenError,
  type GraphViewState,
  type RunChoice,
} from "../protocol/graph";
import type { NodeRef } from "../protocol/node-links";
import type { HostChannel } from "../ui/host-channel";
import { explainMissingNode } from "./model/missing-node";
import { availableOverlays, decorateBoxes } from "./model/overlay-model";
import { problemNodes } from "./model/problems";
import { SceneIndex, groupScope, type NavDirection } from "./model/scene-index";
import { SearchIndex, type SearchResult } from "./model/search-index";
import { OpenGroups } from "./model/open-groups";
import { pathKey, restoreViewState, samePath } from "./model/view-state";
import { breadcrumb } from "./panels/breadcrumb";
import { DiffMode } from "./diff-mode";
import { button, el } from "../ui/dom";
import { errorView } from "./panels/error-view";
import { overlayPanel } from "./panels/overlay-panel";
import { problemsPanel } from "./panels/problems-panel";
import { SearchPanel } from "./panels/search-panel";
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
  overlays?: GraphOverlays;
  shown = new Set<OverlayKind>();
  private runs: RunChoice[] = [];
  private groups = new OpenGroups();
  private groupsByPath = new Map<string, OpenGroups>();
  private direction: LayoutDirection = "TB";
  private search?: SearchIndex;
  private searchResults: SearchResult[] = [];
  private restoredCamera?: Camera;
  private painted = false;
  private saveTimer = 0;
  private readonly shell: Shell;
  private readonly canvas: GraphCanvas;
  private readonly searchPanel: SearchPanel;
  private readonly selection: SelectionPanel;
  private readonly diff: DiffMode;
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
    this.searchPanel = new SearchPanel(
      undefined,
      (r) => void this.reveal(r.path, r.node),
      (results) => this.showHits(results),
    );
    this.shell.searchSlot.append(this.searchPanel.input);
    fill(this.shell.results, this.searchPanel.list);
    this.selection = new SelectionPanel(this, this.shell.properties);
    this.diff = new DiffMode(this, this.shell.diff, this.app);
  }

  init(initial: GraphInitialState): void {
    this.runs = initial.runs;
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
    else if (state.overlays) void this.pickRun(state.overlays.runDir, state.overlays.shown);
    this.setDocument(initial.document, initial.reveal);
  }

  setDocument(doc: ModelGraphDocument | undefined, reveal?: NodeRef, error?: GraphOpenError): void {
    if (!doc) return this.showError(error);
    this.doc = doc;
    this.app.replaceChildren(this.shell.root);
    this.layout ??= new LayoutClient();
    this.layout.setGraph(doc.graph);
    this.search = new SearchIndex(doc.graph);
    this.searchPanel.setIndex(this.search);
    this.renderOverlayPanel();
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
    this.showHits(this.searchResults);
    this.renderProblems();
    this.saveSoon();
    return true;
  }

  /** Colours, marks and problems for the current scene. */
  decorate(): void {
    if (!this.scene || !this.index || !this.doc) return;
    const graph = this.graph!;
    const theme = readTheme();
    const decorations = decorateBoxes(this.scene.nodes, graph, this.overlays, this.shown, {
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
    if (!this.search || !this.doc) return;
    const found = this.search.findByName(name);
    if (found) {
      this.shell.notice.hidden = true;
      void this.reveal(found.path, found.node);
      this.channel.sendCommand(RevealedNodeCommand, { ref, found: true });
      return;
    }
    const file = this.doc.path.split(/[\\/]/).pop() || this.doc.path;
    const missing = explainMissingNode(name, file, this.search.names());
    this.showNotice(missing.message);
    const first = missing.fusedFrom.length > 0 ? this.search.findByName(missing.fusedFrom[0]) : undefined;
    if (first) void this.reveal(first.path, first.node);
    this.channel.sendCommand(RevealedNodeCommand, {
      ref,
      found: false,
      fusedFrom: missing.fusedFrom,
      message: missing.message,
    });
  }

  private showNotice(text: string): void {
    const notice = this.shell.notice;
    const close = button("", () => (notice.hidden = true), { icon: "close", title: "Dismiss", id: "dismiss-notice" });
    notice.replaceChildren(el("span", { class: "notice-text", text }), close);
    notice.hidden = false;
  }

  private showHits(results: SearchResult[]): void {
    this.searchResults = results;
    this.shell.results.hidden = this.searchPanel.input.value.trim() === "";
    const hits = new Set<number>();
    if (this.index)
      for (const r of results) {
        if (!samePath(r.path, this.path)) continue;
        const box = this.index.boxOf(r.node);
        const i = box && this.index.byId.get(box.id);
        if (i !== undefined) hits.add(i);
      }
    this.canvas.setHits(hits);
  }

  setOverlays(o: GraphOverlays, shown?: OverlayKind[]): void {
    this.overlays = o;
    const available = availableOverlays(o);
    this.shown = new Set((shown ?? available).filter((k) => available.includes(k)));
    this.renderOverlayPanel();
    this.decorate();
    if (this.selectedId && this.index) this.selection.show(this.index.node(this.selectedId));
    this.saveSoon();
  }

  async pickRun(runDir: string, shown?: OverlayKind[]): Promise<void> {
    try {
      this.setOverlays(await this.channel.sendRequest(OverlaysRequest, { runDir }), shown);
    } catch (error) {
      fill(
        this.shell.overlays,
        el("p", {
          class: "error",
          text: `Could not read the run's overlays: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
    }
  }

  private renderOverlayPanel(): void {
    const theme = readTheme();
    fill(
      this.shell.overlays,
      overlayPanel(
        this.runs,
        this.overlays,
        this.shown,
        { partitions: theme.partitions, cpu: theme.cpu },
        {
          pickRun: (runDir) => void this.pickRun(runDir),
          toggle: (kind, on) => {
            if (on) this.shown.add(kind);
            else this.shown.delete(kind);
            this.setOverlays(this.overlays!, [...this.shown]);
          },
        },
      ),
    );
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
    if (this.overlays) state.overlays = { runDir: this.overlays.runDir, shown: [...this.shown] };
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

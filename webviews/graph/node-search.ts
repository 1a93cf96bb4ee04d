// Finding nodes in the graph viewer (used by app.ts): the search box and its results list (panels/search-panel.ts),
// the hits of the body shown marked on the canvas, and revealing a node by its name, as the host asks when the
// profile viewer's "Reveal in graph" or a run's link names a kernel's node: found, the node is revealed and selected;
// not in the model (a node onnxruntime made when it optimized the graph), a notice over the canvas says so
// (model/missing-node.ts explains it) and the first node it was fused from, when its name tells, is revealed instead;
// when the reveal names its run, the notice offers onnxruntime's optimized graph of that run, where the node is
// (OpenOptimizedGraphCommand; the host makes it). Either way the host is told how it went (RevealedNodeCommand).
import type { GraphPath, ModelGraphDocument } from "../../common/graph/model-graph";
import {
  isOrtOptimizedGraph,
  OpenOptimizedGraphCommand,
  RevealedNodeCommand,
  type GraphViewState,
} from "../protocol/graph";
import type { NodeRef } from "../protocol/node-links";
import { button, el } from "../ui/dom";
import type { HostChannel } from "../ui/host-channel";
import { explainMissingNode } from "./model/missing-node";
import type { SceneIndex } from "./model/scene-index";
import { SearchIndex, type SearchResult } from "./model/search-index";
import { SearchPanel } from "./panels/search-panel";
import { samePath } from "./model/view-state";
import { fill, type Shell } from "./shell";

/** What finding nodes needs of the app (GraphApp has it). */
export interface NodeSearchHost {
  readonly channel: HostChannel<GraphViewState>;
  /** The body shown and its scene's index. */
  readonly path: GraphPath;
  readonly index?: SceneIndex;
  /** Shows `node` of the body at `path` (opening the groups that hide it) and selects it. */
  reveal(path: GraphPath, node: number): Promise<void>;
}

export class NodeSearch {
  private doc?: ModelGraphDocument;
  private search?: SearchIndex;
  private results: SearchResult[] = [];
  private readonly panel: SearchPanel;

  constructor(
    private readonly host: NodeSearchHost,
    private readonly shell: Pick<Shell, "searchSlot" | "results" | "notice">,
    /** Marks these boxes (indexes into the scene) as search hits on the canvas. */
    private readonly setHits: (hits: ReadonlySet<number>) => void,
  ) {
    this.panel = new SearchPanel(
      undefined,
      (r) => void host.reveal(r.path, r.node),
      (results) => this.showHits(results),
    );
    shell.searchSlot.append(this.panel.input);
    fill(shell.results, this.panel.list);
  }

  /** Searches this model from now on. */
  setDocument(doc: ModelGraphDocument): void {
    this.doc = doc;
    this.search = new SearchIndex(doc.graph);
    this.panel.setIndex(this.search);
  }

  /** Marks the results' nodes that the body shown has boxes for (the last results when none are given). */
  showHits(results: SearchResult[] = this.results): void {
    this.results = results;
    this.shell.results.hidden = this.panel.input.value.trim() === "";
    const hits = new Set<number>();
    const index = this.host.index;
    if (index)
      for (const r of results) {
        if (!samePath(r.path, this.host.path)) continue;
        const box = index.boxOf(r.node);
        const i = box && index.byId.get(box.id);
        if (i !== undefined) hits.add(i);
      }
    this.setHits(hits);
  }

  /** Reveals and selects the node named `name` (or what it was fused from), and tells the host how it went. */
  revealByName(name: string, ref: NodeRef): void {
    const { doc, search, host } = this;
    if (!search || !doc) return;
    const found = search.findByName(name);
    if (found) {
      this.shell.notice.hidden = true;
      void host.reveal(found.path, found.node);
      host.channel.sendCommand(RevealedNodeCommand, { ref, found: true });
      return;
    }
    const file = doc.path.split(/[\\/]/).pop() || doc.path;
    const optimizedGraph = ref.runDir !== undefined && isOrtOptimizedGraph(doc.path, ref.runDir);
    const missing = explainMissingNode(name, file, search.names(), { optimizedGraph });
    const offer =
      ref.runDir !== undefined && !optimizedGraph
        ? button(
            "Open onnxruntime's optimized graph",
            () =>
              host.channel.sendCommand(OpenOptimizedGraphCommand, { node: name, model: doc.path, runDir: ref.runDir }),
            {
              icon: "type-hierarchy",
              id: "open-optimized-graph",
              title: "The graph onnxruntime ran for this run, where this node is by its name",
            },
          )
        : undefined;
    this.showNotice(missing.message, offer);
    const first = missing.fusedFrom.length > 0 ? search.findByName(missing.fusedFrom[0]) : undefined;
    if (first) void host.reveal(first.path, first.node);
    host.channel.sendCommand(RevealedNodeCommand, {
      ref,
      found: false,
      fusedFrom: missing.fusedFrom,
      message: missing.message,
    });
  }

  private showNotice(text: string, action?: HTMLElement): void {
    const notice = this.shell.notice;
    const close = button("", () => (notice.hidden = true), { icon: "close", title: "Dismiss", id: "dismiss-notice" });
    notice.replaceChildren(el("span", { class: "notice-text", text }), ...(action ? [action] : []), close);
    notice.hidden = false;
  }
}

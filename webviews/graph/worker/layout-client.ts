// The UI side of the layout worker: starts it from a Blob of its bundled text (a VS Code webview may not start a
// Worker from a resource URL, which is cross-origin; the page's CSP allows `worker-src blob:`), sends the model once,
// and turns layout requests into promises. A newer request for the same purpose supersedes an older one: the older
// promise then resolves to undefined.
import type { GraphPath, ModelGraph } from "../../../common/graph/model-graph";
import type { GraphScene, LayoutDirection } from "../../../common/graph/scene";
import type { FromWorker, ToWorker } from "./messages";

/** The worker bundle's text, put in by scripts/build.mjs (esbuild `define`). */
declare const GRAPH_LAYOUT_WORKER_SOURCE: string;

export interface LayoutResult {
  scene: GraphScene;
  layoutMs: number;
}

export class LayoutClient {
  private readonly worker: Worker;
  private nextId = 1;
  private latest = 0;
  private readonly pending = new Map<number, { resolve(r: LayoutResult | undefined): void; reject(e: Error): void }>();

  constructor() {
    const url = URL.createObjectURL(new Blob([GRAPH_LAYOUT_WORKER_SOURCE], { type: "text/javascript" }));
    this.worker = new Worker(url);
    URL.revokeObjectURL(url);
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
    this.worker.onerror = (event) => {
      for (const p of this.pending.values()) p.reject(new Error(event.message || "the layout worker failed"));
      this.pending.clear();
    };
  }

  setGraph(graph: ModelGraph): void {
    this.send({ type: "graph", graph });
  }

  /**
   * Lays out a body with these groups open (and `collapsed` closed, even those the layout opens by default); resolves
   * to undefined when a later request superseded it.
   */
  layout(
    path: GraphPath,
    expanded: string[] | "all",
    direction: LayoutDirection,
    collapsed: string[] = [],
  ): Promise<LayoutResult | undefined> {
    const id = this.nextId++;
    this.latest = id;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: "layout", id, path, expanded, collapsed, direction });
    });
  }

  dispose(): void {
    this.worker.terminate();
  }

  private send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private receive(m: FromWorker): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === "error") p.reject(new Error(m.message));
    else p.resolve(m.id === this.latest ? { scene: m.scene, layoutMs: m.layoutMs } : undefined);
  }
}

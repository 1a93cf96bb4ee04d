// The layout worker's entry (bundled on its own by scripts/build.mjs and started from a Blob of its text): keeps the
// model's graph, lays out the body and open groups it is asked for with `layoutModelGraph`, and keeps one layout cache
// per body and direction so that opening a group again, or a repeated block, is cheap. Labels are measured with an
// OffscreenCanvas in the webview's font when there is one.
import { graphAt, type ModelGraph } from "../../../common/graph/model-graph";
import type { MeasureText } from "../../../common/graph/layout/layout-options";
import { createLayoutCache, layoutModelGraph } from "../../../common/graph/layout";
import type { FromWorker, ToWorker } from "./messages";

let graph: ModelGraph | undefined;
let caches = new Map<string, ReturnType<typeof createLayoutCache>>();

function measurer(): MeasureText | undefined {
  if (typeof OffscreenCanvas === "undefined") return undefined;
  const ctx = new OffscreenCanvas(1, 1).getContext("2d");
  if (!ctx) return undefined;
  const widths = new Map<string, number>();
  return (text, font) => {
    const key = `${font}\u0000${text}`;
    let w = widths.get(key);
    if (w === undefined) {
      ctx.font = font === "label" ? "12px sans-serif" : "10px sans-serif";
      w = ctx.measureText(text).width;
      widths.set(key, w);
    }
    return w;
  };
}
const measureText = measurer();

function post(message: FromWorker): void {
  (self as unknown as { postMessage(m: FromWorker): void }).postMessage(message);
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  if (m.type === "graph") {
    graph = m.graph;
    caches = new Map();
    return;
  }
  try {
    const body = graph && graphAt(graph, m.path);
    if (!body) throw new Error("no such graph in the model");
    const key = `${JSON.stringify(m.path)}|${m.direction}`;
    let cache = caches.get(key);
    if (!cache) caches.set(key, (cache = createLayoutCache()));
    const start = performance.now();
    const scene = layoutModelGraph(body, {
      direction: m.direction,
      expanded: m.expanded === "all" ? "all" : new Set(m.expanded),
      collapsed: new Set(m.collapsed ?? []),
      measureText,
      cache,
    });
    post({ type: "scene", id: m.id, scene, layoutMs: performance.now() - start });
  } catch (error) {
    post({ type: "error", id: m.id, message: error instanceof Error ? error.message : String(error) });
  }
};

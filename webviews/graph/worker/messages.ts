// The messages between the graph viewer and its layout worker (webviews/graph/worker/layout-worker.ts). The model's
// graph crosses once; each layout request names the body (path), the open and closed groups and the direction.
import type { GraphPath, ModelGraph } from "../../../common/graph/model-graph";
import type { GraphScene, LayoutDirection } from "../../../common/graph/scene";

export type ToWorker =
  /** A (new) model: drops every cache. */
  | { type: "graph"; graph: ModelGraph }
  | {
      type: "layout";
      id: number;
      path: GraphPath;
      expanded: string[] | "all";
      /** Groups the user closed (wins over `expanded` and the groups the layout opens by default). */
      collapsed?: string[];
      direction: LayoutDirection;
    };

export type FromWorker =
  { type: "scene"; id: number; scene: GraphScene; layoutMs: number } | { type: "error"; id: number; message: string };

// What the graph worker thread does, without the thread: one open model (the engine's OpenedModelGraph) and the
// answers to the host's requests (graph-worker-protocol.ts), one at a time in arrival order. The engine's calls come
// in as `GraphEngine`, so tests drive this with a fake engine and the worker entry (graph-worker.ts) with the real one.
import type { GraphDiff } from "../../common/graph/diff-types";
import type { GraphPath, ModelGraph, ModelGraphDocument } from "../../common/graph/model-graph";
import type { NodeDetails } from "../../common/graph/node-details";
import type { GraphOverlays } from "../../common/graph/overlays";
import {
  toGraphOpenError,
  type GraphWorkerCalls,
  type GraphWorkerRequest,
  type GraphWorkerResponse,
} from "./graph-worker-protocol";

/** A model the engine holds open (engine/graph's OpenedModelGraph). */
export interface OpenedGraph {
  document: ModelGraphDocument;
  nodeDetails(path: GraphPath, node: number): Promise<NodeDetails>;
  close(): Promise<void>;
}

/** The engine's graph calls the worker needs (engine/graph/index.ts and common/graph/diff.ts). */
export interface GraphEngine {
  openModelGraph(file: string): Promise<OpenedGraph>;
  readRunOverlays(runDir: string): Promise<GraphOverlays>;
  diffModelGraphs(before: ModelGraph, after: ModelGraph): GraphDiff;
}

export class GraphWorkerCore {
  private opened: OpenedGraph | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly engine: GraphEngine) {}

  /** Answers one request; requests are handled in order (a node's details never race a re-read). */
  handle(request: GraphWorkerRequest): Promise<GraphWorkerResponse> {
    const answer = this.queue.then(() => this.answer(request));
    this.queue = answer;
    return answer;
  }

  private async answer(request: GraphWorkerRequest): Promise<GraphWorkerResponse> {
    try {
      return { id: request.id, ok: true, result: await this.call(request) };
    } catch (thrown) {
      const file = request.method === "open" ? (request.params as GraphWorkerCalls["open"]["params"]).file : undefined;
      return { id: request.id, ok: false, error: toGraphOpenError(thrown, file ?? this.opened?.document.path) };
    }
  }

  private async call(request: GraphWorkerRequest): Promise<unknown> {
    switch (request.method) {
      case "open": {
        const { file } = request.params as GraphWorkerCalls["open"]["params"];
        await this.closeOpened();
        this.opened = await this.engine.openModelGraph(file);
        return this.opened.document;
      }
      case "nodeDetails": {
        const { path, node } = request.params as GraphWorkerCalls["nodeDetails"]["params"];
        return this.current().nodeDetails(path, node);
      }
      case "overlays": {
        const { runDir } = request.params as GraphWorkerCalls["overlays"]["params"];
        return this.engine.readRunOverlays(runDir);
      }
      case "diff": {
        const { other } = request.params as GraphWorkerCalls["diff"]["params"];
        const after = this.current().document;
        const before = await this.engine.openModelGraph(other);
        try {
          return { before: before.document, diff: this.engine.diffModelGraphs(before.document.graph, after.graph) };
        } finally {
          await before.close();
        }
      }
      case "close":
        await this.closeOpened();
        return null;
      default:
        throw new Error(`graph worker: unknown request ${String(request.method)}`);
    }
  }

  private current(): OpenedGraph {
    if (!this.opened) throw new Error("graph worker: no model is open");
    return this.opened;
  }

  private async closeOpened(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    await opened?.close();
  }
}

// The graph webview's protocol (webviews/protocol/graph.ts) on the host side, without VS Code: which handler answers
// which message, and the checks on what the webview sends. Registered on a WebviewChannel by graph-editor.ts and on
// a bare MessageDispatcher by the unit tests (both have the same onRequest / onCommand).
import type { NodeDetails } from "../../common/graph/node-details";
import type { GraphOverlays } from "../../common/graph/overlays";
import type { CommandType, RequestType } from "../../webviews/protocol/ipc";
import {
  ChooseDiffModelCommand,
  NodeDetailsRequest,
  OpenAsTextCommand,
  OpenOptimizedGraphCommand,
  OverlaysRequest,
  ReadyRequest,
  RevealKernelsCommand,
  RevealedNodeCommand,
  type GraphInitialState,
  type NodeDetailsParams,
  type RevealOutcome,
  type RunChoice,
} from "../../webviews/protocol/graph";
import type { NodeRef } from "../../webviews/protocol/node-links";

/** Where handlers are registered: a WebviewChannel or a MessageDispatcher. */
export interface HandlerTarget {
  onRequest<P, R>(type: RequestType<P, R>, handler: (params: P) => R | Promise<R>): { dispose(): unknown };
  onCommand<P>(type: CommandType<P>, handler: (params: P) => void | Promise<void>): { dispose(): unknown };
}

/** What one graph editor does for its webview (graph-editor.ts with VS Code; a fake in tests). */
export interface GraphEditorHost {
  initialState(): Promise<GraphInitialState>;
  /** The runs offered in the last initial state (the overlays request may only name one of them). */
  knownRuns(): readonly RunChoice[];
  nodeDetails(params: NodeDetailsParams): Promise<NodeDetails>;
  overlays(runDir: string): Promise<GraphOverlays>;
  chooseDiffModel(): Promise<void>;
  openAsText(): Promise<void>;
  revealKernels(ref: NodeRef): Promise<void>;
  /** The webview's answer to a reveal: a node the model does not have is said to the user. */
  revealedNode(outcome: RevealOutcome): Promise<void>;
  /** The notice's "Open onnxruntime's optimized graph" (optimized-reveal.ts): only for a run this viewer was given. */
  openOptimizedGraph(ref: NodeRef): Promise<void>;
}

export function registerGraphHandlers(target: HandlerTarget, host: GraphEditorHost): { dispose(): unknown }[] {
  return [
    target.onRequest(ReadyRequest, () => host.initialState()),
    target.onRequest(NodeDetailsRequest, (params) => {
      if (!isNodeDetailsParams(params))
        throw new Error("graph: nodeDetails needs { path: [{ node, attribute }…], node }");
      return host.nodeDetails(params);
    }),
    target.onRequest(OverlaysRequest, (params) => {
      const runDir = (params as { runDir?: unknown } | undefined)?.runDir;
      if (typeof runDir !== "string" || !host.knownRuns().some((r) => r.runDir === runDir))
        throw new Error(`graph: not a run offered for this model: ${String(runDir)}`);
      return host.overlays(runDir);
    }),
    target.onCommand(ChooseDiffModelCommand, () => host.chooseDiffModel()),
    target.onCommand(OpenAsTextCommand, () => host.openAsText()),
    target.onCommand(RevealKernelsCommand, (params) => {
      if (!isNodeRef(params)) throw new Error("graph: revealKernels needs { node, model?, runDir? }");
      return host.revealKernels(params);
    }),
    target.onCommand(RevealedNodeCommand, (params) => {
      if (!isRevealOutcome(params))
        throw new Error("graph: revealedNode needs { ref: { node, … }, found, fusedFrom?: string[], message? }");
      return host.revealedNode(params);
    }),
    target.onCommand(OpenOptimizedGraphCommand, (params) => {
      if (!isNodeRef(params) || params.runDir === undefined)
        throw new Error("graph: openOptimizedGraph needs { node, runDir, model? }");
      return host.openOptimizedGraph(params);
    }),
  ];
}

export function isNodeDetailsParams(value: unknown): value is NodeDetailsParams {
  const v = value as Partial<NodeDetailsParams> | undefined;
  return (
    typeof v === "object" &&
    v !== null &&
    Number.isSafeInteger(v.node) &&
    (v.node as number) >= 0 &&
    Array.isArray(v.path) &&
    v.path.every(
      (s: unknown) =>
        typeof s === "object" &&
        s !== null &&
        Number.isSafeInteger((s as { node?: unknown }).node) &&
        typeof (s as { attribute?: unknown }).attribute === "string",
    )
  );
}

export function isRevealOutcome(value: unknown): value is RevealOutcome {
  const v = value as Partial<RevealOutcome> | undefined;
  return (
    typeof v === "object" &&
    v !== null &&
    isNodeRef(v.ref) &&
    typeof v.found === "boolean" &&
    (v.fusedFrom === undefined || (Array.isArray(v.fusedFrom) && v.fusedFrom.every((n) => typeof n === "string"))) &&
    (v.message === undefined || typeof v.message === "string")
  );
}

export function isNodeRef(value: unknown): value is NodeRef {
  const v = value as Partial<NodeRef> | undefined;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.node === "string" &&
    (v.model === undefined || typeof v.model === "string") &&
    (v.runDir === undefined || typeof v.runDir === "string")
  );
}

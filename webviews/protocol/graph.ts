// The graph viewer's protocol (webviews/graph ⇄ extension/graph). Direction is in every name: `…Command`
// webview→host (no reply), `…Request` webview→host (one reply), `Did…Notification` host→webview.
// The host reads the model with the engine (engine/graph/) and sends the compact graph once; attribute values and
// weight statistics come on request; overlays come from a run folder the host reads.
import type { GraphDiff } from "../../common/graph/diff-types";
import type { GraphPath, ModelGraphDocument } from "../../common/graph/model-graph";
import type { NodeDetails } from "../../common/graph/node-details";
import type { GraphOverlays, OverlayKind } from "../../common/graph/overlays";
import type { LayoutDirection } from "../../common/graph/scene";
import { command, notification, request } from "./ipc";
import type { NodeRef } from "./node-links";

/** The custom editor's view type (for `*.onnx`, priority "option") and the panel's. */
export const GRAPH_VIEW_TYPE = "edge.graph";

/** Why the model could not be shown: the engine's error as it is. */
export interface GraphOpenError {
  /** `area/reason`, e.g. "model/invalid". */
  code: string;
  message: string;
  hint?: string;
  file?: string;
  /** Byte offset in the file where reading stopped. */
  offset?: number;
}

/** A run the user can take overlays from (a folder under .edge/runs/ that used this model or produced it). */
export interface RunChoice {
  runDir: string;
  runId: string;
  /** What the run did with this model: it is the run's original or a model it produced. */
  role: "original" | "produced" | "other";
  /** Files present: which overlays the run can give. */
  overlays: OverlayKind[];
}

/** What the webview keeps with `setState` (restored on hide/show and window reloads). */
export interface GraphViewState {
  /** The camera: the layout-space point at the view's centre, and the zoom (CSS px per layout unit). */
  camera?: { x: number; y: number; zoom: number };
  direction?: LayoutDirection;
  /** Scene id of the selected box (`n12`, `g/model/layers.0`). */
  selection?: string;
  /** The nested body shown ([] or absent: the main graph). */
  path?: GraphPath;
  /** Open groups' scopes. */
  expanded?: string[];
  /** Scopes of groups the user closed that the layout opens by default (e.g. `/model`). */
  collapsed?: string[];
  /** Overlays turned on, and the run they come from. */
  overlays?: { runDir: string; shown: OverlayKind[] };
}

/** The reply to the ready request. */
export interface GraphInitialState {
  /** The model, or why it could not be read (then `document` is absent). */
  document?: ModelGraphDocument;
  error?: GraphOpenError;
  /** Overlays the host opened the viewer with (a run's produced model opened from its report turns them on). */
  overlays?: GraphOverlays;
  /** Runs the user can pick overlays from. */
  runs: RunChoice[];
  /** A node to reveal once drawn (opened from a profile, a hover, a link). */
  reveal?: NodeRef;
}

/** webview→host: the app is loaded; the reply is what to show. */
export const ReadyRequest = request<Record<string, never>, GraphInitialState>("graph/ready");

export interface NodeDetailsParams {
  path: GraphPath;
  node: number;
}
/** webview→host: a node's attributes, tensors with statistics, quantization parameters. */
export const NodeDetailsRequest = request<NodeDetailsParams, NodeDetails>("graph/nodeDetails");

/** webview→host: read a run's overlays for this model (the reply has what the run wrote). */
export const OverlaysRequest = request<{ runDir: string }, GraphOverlays>("graph/overlays");

/** webview→host: ask the user for another model to compare with; the host answers with DidChangeDiffNotification. */
export const ChooseDiffModelCommand = command<Record<string, never>>("graph/chooseDiffModel");

/** webview→host: open the model as text (shown with a read error), or reveal it in the explorer. */
export const OpenAsTextCommand = command<Record<string, never>>("graph/openAsText");

/** webview→host: show this node's kernels in the profile viewer (see node-links.ts). */
export const RevealKernelsCommand = command<NodeRef>("graph/revealKernels");

/** The diff shown: this viewer's model is the "after" side, `before` the other model. */
export interface DiffState {
  before: ModelGraphDocument;
  diff: GraphDiff;
}
/** host→webview: a diff to show, or none (undefined ends diff mode). */
export const DidChangeDiffNotification = notification<{ diff?: DiffState; error?: GraphOpenError }>(
  "graph/didChangeDiff",
);

/** host→webview: the model file changed on disk and was read again (or could not be). */
export const DidChangeDocumentNotification = notification<{ document?: ModelGraphDocument; error?: GraphOpenError }>(
  "graph/didChangeDocument",
);

/** host→webview: overlays to show (opened from a run's report, or the run was written again). */
export const DidChangeOverlaysNotification = notification<GraphOverlays>("graph/didChangeOverlays");

/** host→webview: reveal and select this node (from the profile viewer, a hover link, the Runs view). */
export const DidRevealNodeNotification = notification<NodeRef>("graph/didRevealNode");

/** How a reveal by name went (the webview holds the model's names, so it is the one that can tell). */
export interface RevealOutcome {
  ref: NodeRef;
  /** The model has a node of that name (it is selected). */
  found: boolean;
  /**
   * Not found: model nodes the name holds (onnxruntime names the nodes it fuses after them); the first is selected.
   * Empty when nothing can be told.
   */
  fusedFrom?: string[];
  /** Not found: what the viewer shows, for the host to say too. */
  message?: string;
}

/** webview→host: the answer to a reveal (DidRevealNodeNotification, or the initial state's `reveal`). */
export const RevealedNodeCommand = command<RevealOutcome>("graph/revealedNode");

/**
 * The folder of a run where the host writes the model as onnxruntime optimized it for that run
 * (`<runDir>/ort-optimized/<model file>`): the graph whose node names the run's kernels have.
 */
export const ORT_OPTIMIZED_FOLDER = "ort-optimized";

/** True when `model` is the optimized graph written for run `runDir` (a file right in its ORT_OPTIMIZED_FOLDER). */
export function isOrtOptimizedGraph(model: string, runDir: string): boolean {
  const norm = (p: string) => p.replace(/\\/g, "/").replace(/\/+$/, "");
  const file = norm(model);
  const parent = file.slice(0, Math.max(0, file.lastIndexOf("/")));
  return parent !== "" && parent === `${norm(runDir)}/${ORT_OPTIMIZED_FOLDER}`;
}

/**
 * webview→host: a revealed node was not in the model (RevealOutcome found false) and its ref names a run: make the
 * model as onnxruntime optimized it for that run (or reuse it) and reveal the node there. The host accepts only a run
 * it gave this viewer.
 */
export const OpenOptimizedGraphCommand = command<NodeRef>("graph/openOptimizedGraph");

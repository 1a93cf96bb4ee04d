// One graph editor: a webview panel showing a GraphDocument (several may show the same file). It builds the page
// (graph-html.ts: nonce CSP, resources only from dist/webviews), answers the webview's protocol through a
// WebviewChannel (handlers in graph-handlers.ts) and pushes what changes: the model re-read, overlays chosen from a
// run, a node to reveal, a diff. The webview speaks first (ReadyRequest); what arrives before it did waits for it.
import * as vscode from "vscode";
import type { NodeDetails } from "../../common/graph/node-details";
import type { GraphOverlays } from "../../common/graph/overlays";
import {
  DidChangeDiffNotification,
  DidChangeDocumentNotification,
  DidChangeOverlaysNotification,
  DidRevealNodeNotification,
  ReadyRequest,
  type GraphInitialState,
  type NodeDetailsParams,
  type RevealOutcome,
  type RunChoice,
} from "../../webviews/protocol/graph";
import type { NotificationType } from "../../webviews/protocol/ipc";
import type { NodeRef } from "../../webviews/protocol/node-links";
import { WebviewChannel } from "../webview/webview-channel";
import { errorOf, type GraphDocument, type ReadModel } from "./graph-document";
import { registerGraphHandlers, type GraphEditorHost } from "./graph-handlers";
import { graphHtml, makeNonce } from "./graph-html";
import { runsForModel, type ScannedRun } from "./model-runs";

/** How an editor was asked to open: a run whose overlays to show, a node to reveal. */
export interface OpenOptions {
  runDir?: string;
  node?: string;
}

/** What a test can see of an editor. */
export interface GraphEditorSnapshot {
  /** The model file's path. */
  model: string;
  viewType: string;
  readyRequests: number;
  /** The reply to the webview's ready request, summarized (undefined until it asked). */
  answered?: {
    nodes?: number;
    error?: GraphInitialState["error"];
    runs: RunChoice[];
    overlaysRunId?: string;
    reveal?: NodeRef;
  };
  /** Notifications sent (methods, in order), and commands received. */
  notifications: string[];
  commands: string[];
  /** The webview's answers to reveals, in order (a node the model lacks: found false, and what was said). */
  reveals: RevealOutcome[];
}

/** What an editor needs from the graph features. */
export interface GraphEditorServices {
  readonly extensionUri: vscode.Uri;
  log(message: string): void;
  listRuns(): Promise<ScannedRun[]>;
  /** Asks the user for another model to compare `model` with (runs' models first, then a file dialog). */
  pickModelToCompare(model: string, runs: readonly RunChoice[]): Promise<string | undefined>;
  revealKernels(ref: NodeRef): Promise<void>;
  /** Says that a revealed node is not in the model (`message`), offering onnxruntime's optimized graph of its run. */
  nodeNotFound(outcome: RevealOutcome, message: string): Promise<void>;
  /** Makes (or reuses) onnxruntime's optimized graph of the ref's run and reveals the node there. */
  openOptimizedGraph(ref: NodeRef): Promise<void>;
  didAnswerReady(editor: GraphEditor): void;
  /** The webview answered a reveal (its outcome is the snapshot's last `reveals`). */
  didAnswerReveal(editor: GraphEditor): void;
  didDispose(editor: GraphEditor): void;
}

export class GraphEditor implements GraphEditorHost {
  readonly snapshot: GraphEditorSnapshot;
  private readonly channel: WebviewChannel;
  private readonly disposables: vscode.Disposable[];
  private runs: RunChoice[] = [];
  private answered = false;
  private pendingReveal: NodeRef | undefined;
  /** The run whose overlays the webview asked for last (where its kernels are). */
  private overlaysRunDir: string | undefined;

  constructor(
    readonly document: GraphDocument,
    readonly panel: vscode.WebviewPanel,
    private options: OpenOptions,
    private readonly services: GraphEditorServices,
  ) {
    this.snapshot = {
      model: document.uri.fsPath,
      viewType: panel.viewType,
      readyRequests: 0,
      notifications: [],
      commands: [],
      reveals: [],
    };
    const webviewRoot = vscode.Uri.joinPath(services.extensionUri, "dist", "webviews");
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    const asUri = (...parts: string[]) =>
      panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, ...parts)).toString();
    panel.webview.html = graphHtml({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asUri("graph", "main.js"),
      styleUris: [asUri("codicons", "codicon.css"), asUri("graph", "main.css")],
      title: document.uri.path.split("/").pop() ?? "Model graph",
    });
    this.channel = new WebviewChannel(panel.webview, "graph", (message) => services.log(message));
    this.disposables = [
      this.channel,
      ...registerGraphHandlers(this.channel, this),
      this.channel.onDidHandle((handled) => {
        if (handled.kind === "command") this.snapshot.commands.push(handled.method);
        if (handled.kind === "request" && handled.method === ReadyRequest.method && handled.error === undefined) {
          this.answered = true;
          services.didAnswerReady(this);
        }
      }),
      document.onDidChange((read) => void this.notify(DidChangeDocumentNotification, read)),
      panel.onDidDispose(() => {
        this.detach();
        services.didDispose(this);
      }),
    ];
  }

  knownRuns(): readonly RunChoice[] {
    return this.runs;
  }

  async initialState(): Promise<GraphInitialState> {
    this.snapshot.readyRequests++;
    // A reload of the webview asks again: what it was opened with still holds, a reveal only once.
    const [read, scanned] = await Promise.all([this.document.read(), this.services.listRuns().catch(() => [])]);
    this.runs = runsForModel(this.document.uri.fsPath, scanned);
    const runDir = this.options.runDir;
    if (runDir && !this.runs.some((r) => r.runDir === runDir))
      this.runs.unshift({ runDir, runId: runDir.split(/[\\/]/).pop() ?? runDir, role: "other", overlays: [] });
    const state: GraphInitialState = { runs: this.runs };
    if (read.document) state.document = read.document;
    if (read.error) state.error = read.error;
    if (runDir && read.document) state.overlays = await this.readOverlays(runDir).catch(() => undefined);
    const reveal =
      this.pendingReveal ??
      (this.options.node
        ? { model: this.snapshot.model, node: this.options.node, ...(runDir ? { runDir } : {}) }
        : undefined);
    this.pendingReveal = undefined;
    this.options = { runDir };
    if (reveal) state.reveal = reveal;
    this.snapshot.answered = {
      nodes: read.document?.totalNodes,
      error: read.error,
      runs: this.runs,
      overlaysRunId: state.overlays?.runId,
      reveal,
    };
    return state;
  }

  async nodeDetails(params: NodeDetailsParams): Promise<NodeDetails> {
    try {
      return await this.document.worker.request("nodeDetails", params);
    } catch (thrown) {
      throw new Error(errorOf(thrown).message);
    }
  }

  async overlays(runDir: string): Promise<GraphOverlays> {
    try {
      return await this.readOverlays(runDir);
    } catch (thrown) {
      throw new Error(errorOf(thrown).message);
    }
  }

  async chooseDiffModel(): Promise<void> {
    const other = await this.services.pickModelToCompare(this.snapshot.model, this.runs);
    if (!other) return;
    try {
      const diff = await this.document.worker.request("diff", { other });
      await this.notify(DidChangeDiffNotification, { diff });
    } catch (thrown) {
      await this.notify(DidChangeDiffNotification, { error: errorOf(thrown, other) });
    }
  }

  async openAsText(): Promise<void> {
    await vscode.commands.executeCommand("vscode.openWith", this.document.uri, "default");
  }

  revealKernels(ref: NodeRef): Promise<void> {
    return this.services.revealKernels({
      node: ref.node,
      model: ref.model ?? this.snapshot.model,
      runDir: ref.runDir ?? this.overlaysRunDir,
    });
  }

  /** The webview's answer to a reveal: a node the model does not have (an onnxruntime fusion) is said here too. */
  async revealedNode(outcome: RevealOutcome): Promise<void> {
    this.snapshot.reveals.push(outcome);
    this.services.didAnswerReveal(this);
    if (outcome.found) return;
    const message = outcome.message ?? `Node "${outcome.ref.node}" is not in ${this.snapshot.model}.`;
    this.services.log(`graph viewer: ${message}`);
    // The run the kernel came from (one this viewer was given: the webview cannot name another folder).
    const runDir = [outcome.ref.runDir, this.options.runDir].find((d) => d !== undefined && this.isGivenRun(d));
    const ref: NodeRef = { node: outcome.ref.node, model: this.snapshot.model, ...(runDir ? { runDir } : {}) };
    void this.services.nodeNotFound({ ...outcome, ref }, message);
  }

  /** The notice's "Open onnxruntime's optimized graph": for a run this viewer was given only. */
  openOptimizedGraph(ref: NodeRef): Promise<void> {
    const runDir = ref.runDir;
    if (runDir === undefined || !this.isGivenRun(runDir))
      throw new Error(`graph: not a run of this viewer: ${String(runDir)}`);
    return this.services.openOptimizedGraph({ node: ref.node, model: this.snapshot.model, runDir });
  }

  private isGivenRun(runDir: string): boolean {
    return runDir === this.options.runDir || this.runs.some((r) => r.runDir === runDir);
  }

  /** Reveals and selects a node (now, or once the webview is ready), and brings the editor forward. */
  async revealNode(ref: NodeRef): Promise<void> {
    // A hidden webview without retained context loads again when shown, and asks ready again: the reveal waits.
    const live = this.answered && this.panel.visible;
    this.panel.reveal(undefined, false);
    if (live) await this.notify(DidRevealNodeNotification, ref);
    else this.pendingReveal = ref;
  }

  /** Shows a run's overlays (now, or in the reply to the webview's ready request). */
  async showOverlays(runDir: string): Promise<void> {
    this.options = { ...this.options, runDir };
    if (!this.answered) return;
    await this.notify(DidChangeOverlaysNotification, await this.readOverlays(runDir));
  }

  private async readOverlays(runDir: string): Promise<GraphOverlays> {
    const overlays = await this.document.worker.request("overlays", { runDir });
    this.overlaysRunDir = runDir;
    return overlays;
  }

  private async notify<P>(type: NotificationType<P>, params: P): Promise<void> {
    this.snapshot.notifications.push(type.method);
    if (!(await this.channel.notify(type, params)))
      this.services.log(`graph webview: ${type.method} not delivered (the view is hidden or closed)`);
  }

  /** Stops listening to the webview (the editor closed, or the extension is deactivating). */
  detach(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

export type { ReadModel };

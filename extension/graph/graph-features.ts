// The graph viewer in the extension (created by Ctx, disposed with it): the custom editor for `*.onnx` (viewType
// edge.graph, priority "option": opened on request, never taking the file type over), its documents (one worker
// thread each) and editors, and the commands edge.openModelGraph, edge.revealModelNode and edge.revealNodeKernels.
// Viewing a model runs nothing, so all of it works in an untrusted workspace; only making onnxruntime's optimized
// graph of a run (optimized-reveal.ts, offered when a revealed node is not in the model) needs trust. Cheap at
// activation: registration only.
import * as vscode from "vscode";
import { GRAPH_VIEW_TYPE } from "../../webviews/protocol/graph";
import type { NodeRef } from "../../webviews/protocol/node-links";
import type { RunInfo } from "../report/runs-provider";
import { GraphDocument } from "./graph-document";
import { GraphEditor, type GraphEditorSnapshot, type OpenOptions } from "./graph-editor";
import { isNodeRef } from "./graph-handlers";
import type { GraphWorkerLocation } from "./graph-worker-client";
import { modelToOpen, runModels, type ScannedRun } from "./model-runs";
import { OptimizedReveal } from "./optimized-reveal";
import { pickModelFile, pickModelToCompare } from "./pick-model";
import { revealNodeKernels } from "./reveal-kernels";

/** What the extension's API exposes of the graph viewer (for tests). */
export interface GraphApi {
  /** The editors open now. */
  editors(): GraphEditorSnapshot[];
  /** The editor whose webview answered last. */
  lastEditor(): GraphEditorSnapshot | undefined;
  /** Fires when an editor answered its webview's ready request. */
  readonly onDidAnswerReady: vscode.Event<GraphEditorSnapshot>;
  /** Fires when an editor's webview said how a reveal went (the snapshot's last `reveals`). */
  readonly onDidAnswerReveal: vscode.Event<GraphEditorSnapshot>;
  /** Model files with a worker thread running now. */
  runningWorkers(): string[];
  /** Fires with the model's path when a document closed (its last editor closed; its worker was stopped). */
  readonly onDidCloseDocument: vscode.Event<string>;
  /**
   * What "Open onnxruntime's optimized graph" does for a node a reveal did not find: the optimized graph's path once
   * it is asked to open at the node, or undefined when it cannot be (said to the user).
   */
  openOptimizedGraph(ref: NodeRef): Promise<string | undefined>;
}

export interface GraphFeaturesOptions {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** The workspace's runs with their reports (the Runs view's scan). */
  listRuns(): Promise<RunInfo[]>;
  /** Where the worker's script is (tests of the extension from source may point elsewhere). */
  worker?: GraphWorkerLocation;
}

export class GraphFeatures implements vscode.CustomReadonlyEditorProvider<GraphDocument>, vscode.Disposable {
  private readonly documents = new Map<string, GraphDocument>();
  private readonly editors = new Set<GraphEditor>();
  /** How the next editor of a model opens (set by the commands just before `vscode.openWith`). */
  private readonly pending = new Map<string, OpenOptions>();
  private last: GraphEditor | undefined;
  private readonly answered = new vscode.EventEmitter<GraphEditor>();
  private readonly revealed = new vscode.EventEmitter<GraphEditor>();
  private readonly closed = new vscode.EventEmitter<string>();
  private readonly disposables: vscode.Disposable[] = [this.answered, this.revealed, this.closed];
  private readonly worker: GraphWorkerLocation;
  private readonly optimized: OptimizedReveal;

  constructor(private readonly options: GraphFeaturesOptions) {
    this.optimized = new OptimizedReveal({ extensionPath: options.extensionUri.fsPath, log: options.log });
    this.worker = options.worker ?? {
      script: vscode.Uri.joinPath(options.extensionUri, "dist", "extension", "graph-worker.cjs").fsPath,
    };
    this.disposables.push(
      vscode.window.registerCustomEditorProvider(GRAPH_VIEW_TYPE, this, {
        supportsMultipleEditorsPerDocument: true,
        webviewOptions: { retainContextWhenHidden: false },
      }),
    );
  }

  openCustomDocument(uri: vscode.Uri): GraphDocument {
    const key = uri.toString();
    // VS Code disposes the document after its last editor closed; that stops its worker.
    const document: GraphDocument = new GraphDocument(uri, this.worker, () => {
      if (this.documents.get(key) === document) this.documents.delete(key);
      this.closed.fire(uri.fsPath);
    });
    this.documents.set(key, document);
    return document;
  }

  resolveCustomEditor(document: GraphDocument, panel: vscode.WebviewPanel): void {
    const key = document.uri.toString();
    const options = this.pending.get(key) ?? {};
    this.pending.delete(key);
    const editor = new GraphEditor(document, panel, options, {
      extensionUri: this.options.extensionUri,
      log: (message) => this.options.log.warn(message),
      listRuns: () => this.scanRuns(),
      pickModelToCompare: async (model, runs) => pickModelToCompare(model, runs, await this.scanRuns()),
      revealKernels: (ref) => this.revealNodeKernels(ref),
      nodeNotFound: (outcome, message) => this.optimized.notFound(outcome, message),
      openOptimizedGraph: async (ref) => void (await this.optimized.open(ref)),
      didAnswerReady: (e) => {
        this.last = e;
        this.answered.fire(e);
      },
      didAnswerReveal: (e) => this.revealed.fire(e),
      didDispose: (e) => {
        this.editors.delete(e);
        if (this.last === e) this.last = undefined;
      },
    });
    this.editors.add(editor);
  }

  /**
   * `edge.openModelGraph [target] [options]`: target is a model (Uri or path: the explorer, the editor title, a hover
   * link), a Runs view item (its produced model, with its overlays), or nothing (the active editor's model, else a
   * file dialog). Options: `runDir` (turn that run's overlays on) and `node` (reveal it).
   */
  async openModelGraph(target?: unknown, options?: unknown): Promise<void> {
    const opts = openOptionsOf(options);
    let uri = modelUriOf(target);
    if (!uri && isRunItem(target)) {
      const models = target.report ? runModels(target.report, target.uri.fsPath) : undefined;
      const model = models && modelToOpen(models);
      if (!model) {
        void vscode.window.showInformationMessage(`Edge: run ${target.runId} names no model it ran or produced.`);
        return;
      }
      uri = vscode.Uri.file(model);
      opts.runDir ??= target.uri.fsPath;
    }
    uri ??= activeModel() ?? (await pickModelFile("Open Model Graph"));
    if (!uri) return;
    await this.open(uri, opts);
  }

  /** `edge.revealModelNode { model, node, runDir? }`: opens (or brings forward) the model's graph at the node. */
  async revealModelNode(ref: unknown): Promise<void> {
    if (!isNodeRef(ref) || !ref.model) throw new Error("edge.revealModelNode needs { model, node, runDir? }");
    await this.open(vscode.Uri.file(ref.model), { node: ref.node, runDir: ref.runDir });
  }

  /** `edge.revealNodeKernels NodeRef`: the node's kernels (in the run's profile). */
  async revealNodeKernels(ref: unknown): Promise<void> {
    if (!isNodeRef(ref)) throw new Error("edge.revealNodeKernels needs { node, model?, runDir? }");
    await revealNodeKernels(ref);
  }

  private async open(uri: vscode.Uri, options: OpenOptions): Promise<void> {
    const existing = [...this.editors].find((e) => e.document.uri.toString() === uri.toString());
    if (existing) {
      if (options.runDir) await existing.showOverlays(options.runDir);
      if (options.node) await existing.revealNode({ model: uri.fsPath, node: options.node, runDir: options.runDir });
      else existing.panel.reveal(undefined, false);
      return;
    }
    this.pending.set(uri.toString(), options);
    await vscode.commands.executeCommand("vscode.openWith", uri, GRAPH_VIEW_TYPE);
  }

  private async scanRuns(): Promise<ScannedRun[]> {
    const runs = await this.options.listRuns();
    return runs.map((r) => ({ runDir: r.uri.fsPath, runId: r.runId, report: r.report }));
  }

  api(): GraphApi {
    return {
      editors: () => [...this.editors].map((e) => e.snapshot),
      lastEditor: () => this.last?.snapshot,
      onDidAnswerReady: (listener, thisArg, disposables) =>
        this.answered.event((e) => listener.call(thisArg, e.snapshot), undefined, disposables),
      onDidAnswerReveal: (listener, thisArg, disposables) =>
        this.revealed.event((e) => listener.call(thisArg, e.snapshot), undefined, disposables),
      onDidCloseDocument: this.closed.event,
      runningWorkers: () => [...this.documents.values()].filter((d) => d.worker.running).map((d) => d.uri.fsPath),
      openOptimizedGraph: (ref) => this.optimized.open(ref),
    };
  }

  dispose(): void {
    for (const editor of this.editors) editor.detach();
    this.editors.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The model shown in the active editor (opened as binary, or with another editor), from the Command Palette. */
function activeModel(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input as { uri?: unknown } | undefined;
  return input?.uri instanceof vscode.Uri && /\.onnx$/i.test(input.uri.path) ? input.uri : undefined;
}

/** A model named by a Uri, a `file:` URI string or a path (a hover's command link passes a string). */
function modelUriOf(target: unknown): vscode.Uri | undefined {
  if (target instanceof vscode.Uri) return target;
  if (typeof target !== "string" || target === "") return undefined;
  return /^[a-z][a-z0-9+.-]+:\/\//i.test(target) ? vscode.Uri.parse(target) : vscode.Uri.file(target);
}

function isRunItem(target: unknown): target is RunInfo {
  const t = target as Partial<RunInfo> | undefined;
  return typeof t === "object" && t !== null && t.uri instanceof vscode.Uri && typeof t.runId === "string";
}

/** The options argument; anything else (the explorer passes the selected Uris there) is ignored. */
function openOptionsOf(options: unknown): OpenOptions {
  const o = options as Partial<OpenOptions> | undefined;
  if (typeof o !== "object" || o === null || Array.isArray(o)) return {};
  const out: OpenOptions = {};
  if (typeof o.runDir === "string") out.runDir = o.runDir;
  if (typeof o.node === "string") out.node = o.node;
  return out;
}

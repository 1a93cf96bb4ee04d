// One model file open in the graph viewer (a vscode.CustomDocument): its worker thread (graph-worker-client.ts), the
// graph read from it (read once, shared by every editor of the file), and a watcher that reads it again when the
// file changes on disk and tells the editors. VS Code disposes the document when its last editor closes; that
// terminates the worker.
import * as vscode from "vscode";
import type { ModelGraphDocument } from "../../common/graph/model-graph";
import type { GraphOpenError } from "../../webviews/protocol/graph";
import { GraphWorkerClient, GraphWorkerError, type GraphWorkerLocation } from "./graph-worker-client";

/** The model as read: the compact graph, or why it could not be read. */
export interface ReadModel {
  document?: ModelGraphDocument;
  error?: GraphOpenError;
}

export function errorOf(thrown: unknown, file?: string): GraphOpenError {
  if (thrown instanceof GraphWorkerError) return thrown.error;
  return { code: "internal/bug", message: thrown instanceof Error ? thrown.message : String(thrown), file };
}

export class GraphDocument implements vscode.CustomDocument {
  readonly worker: GraphWorkerClient;
  private reading: Promise<ReadModel> | undefined;
  private readonly changed = new vscode.EventEmitter<ReadModel>();
  /** Fires after the file changed on disk and was read again (or could not be). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    readonly uri: vscode.Uri,
    location: GraphWorkerLocation,
    private readonly onDispose: () => void = () => undefined,
  ) {
    this.worker = new GraphWorkerClient(location);
    if (uri.scheme === "file") {
      const watcher = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(vscode.Uri.joinPath(uri, ".."), uri.path.split("/").pop() ?? ""),
      );
      const later = () => this.changedOnDisk();
      this.disposables.push(watcher, watcher.onDidChange(later), watcher.onDidCreate(later));
    }
  }

  /** The model's graph (read on first call, in the worker). Never rejects. */
  read(): Promise<ReadModel> {
    this.reading ??= this.readNow();
    return this.reading;
  }

  /** Reads the file again (it changed) and tells the editors. */
  async reread(): Promise<ReadModel> {
    this.reading = this.readNow();
    const read = await this.reading;
    if (!this.disposed) this.changed.fire(read);
    return read;
  }

  private async readNow(): Promise<ReadModel> {
    if (this.uri.scheme !== "file")
      return {
        error: {
          code: "model/unsupported",
          message: `The graph viewer reads models from files on this machine; ${this.uri.toString()} is not one.`,
        },
      };
    try {
      return { document: await this.worker.request("open", { file: this.uri.fsPath }) };
    } catch (thrown) {
      return { error: errorOf(thrown, this.uri.fsPath) };
    }
  }

  private changedOnDisk(): void {
    // Writers replace a model in several events (create, write, rename): read once they settle.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reread(), 300);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
    void this.worker.terminate();
    this.onDispose();
  }
}

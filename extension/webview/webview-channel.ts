// The host's twin of webviews/ui/host-channel.ts: a typed protocol (webviews/protocol/ipc.ts) over one
// vscode.Webview. Requests and commands from the webview go to the handlers registered with onRequest / onCommand
// (message-dispatcher.ts does the dispatch and builds the replies), notify sends a notification. Nothing is posted
// once the channel is disposed (the panel closing disposes it). Each webview panel (report, graph, profile) owns one.
import * as vscode from "vscode";
import type { CommandType, HostToWebviewMessage, NotificationType, RequestType } from "../../webviews/protocol/ipc";
import { MessageDispatcher, notificationMessage, type Dispatched } from "./message-dispatcher";

export type { Dispatched } from "./message-dispatcher";

export class WebviewChannel implements vscode.Disposable {
  private readonly dispatcher: MessageDispatcher;
  private readonly handled = new vscode.EventEmitter<Dispatched>();
  /** Fires after each message from the webview was handled (a request: after its reply was posted). */
  readonly onDidHandle = this.handled.event;
  private readonly disposables: vscode.Disposable[];
  private disposed = false;

  /** `name` prefixes log lines; `log` gets unknown methods and failed handlers. */
  constructor(
    private readonly webview: vscode.Webview,
    name: string,
    log: (message: string) => void,
  ) {
    this.dispatcher = new MessageDispatcher(name, { post: (message) => void this.post(message), log });
    this.disposables = [
      this.handled,
      webview.onDidReceiveMessage(
        (message: unknown) =>
          void this.dispatcher.receive(message).then((dispatched) => {
            if (!this.disposed) this.handled.fire(dispatched);
          }),
      ),
    ];
  }

  onRequest<P, R>(type: RequestType<P, R>, handler: (params: P) => R | Promise<R>): vscode.Disposable {
    return this.dispatcher.onRequest(type, handler);
  }

  onCommand<P>(type: CommandType<P>, handler: (params: P) => void | Promise<void>): vscode.Disposable {
    return this.dispatcher.onCommand(type, handler);
  }

  /** Sends a notification; resolves false when it could not be delivered (the webview is gone or hidden without retained context). */
  notify<P>(type: NotificationType<P>, params: P): Promise<boolean> {
    return this.post(notificationMessage(type, params));
  }

  private async post(message: HostToWebviewMessage): Promise<boolean> {
    if (this.disposed) return false;
    try {
      return await this.webview.postMessage(message);
    } catch {
      return false; // the webview was disposed in between
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

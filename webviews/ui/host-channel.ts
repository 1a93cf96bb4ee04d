// The webview's end of a typed protocol (webviews/protocol/ipc.ts): sends commands and requests through
// acquireVsCodeApi().postMessage, matches replies to requests by id, and dispatches host notifications.
import {
  isHostToWebviewMessage,
  type CommandType,
  type NotificationType,
  type RequestType,
  type WebviewToHostMessage,
} from "../protocol/ipc";

export interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare global {
  function acquireVsCodeApi<S = unknown>(): VsCodeApi<S>;
}

export class HostChannel<S> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly handlers = new Map<string, (params: unknown) => void>();

  constructor(
    readonly api: VsCodeApi<S>,
    target: Window = window,
  ) {
    target.addEventListener("message", (event: MessageEvent) => this.receive(event.data));
  }

  sendCommand<P>(type: CommandType<P>, params: P): void {
    const message: WebviewToHostMessage = { method: type.method, params };
    this.api.postMessage(message);
  }

  sendRequest<P, R>(type: RequestType<P, R>, params: P): Promise<R> {
    const id = this.nextId++;
    const message: WebviewToHostMessage = { id, method: type.method, params };
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.api.postMessage(message);
    });
  }

  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): void {
    this.handlers.set(type.method, handler as (params: unknown) => void);
  }

  private receive(data: unknown): void {
    if (!isHostToWebviewMessage(data)) return;
    if (data.responseTo !== undefined) {
      const pending = this.pending.get(data.responseTo);
      if (!pending) return;
      this.pending.delete(data.responseTo);
      if (data.error !== undefined) pending.reject(new Error(data.error));
      else pending.resolve(data.params);
      return;
    }
    this.handlers.get(data.method)?.(data.params);
  }
}

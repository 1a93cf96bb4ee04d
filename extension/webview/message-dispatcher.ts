// The host's end of a webview protocol (webviews/protocol/ipc.ts), without VS Code: handlers registered per
// request and command type, messages from the webview checked and dispatched, and the messages going back built
// (a reply to a request's id, an error reply, a notification). webview-channel.ts wires it to a vscode.Webview;
// webviews/ui/host-channel.ts is the other end. Knows no particular protocol.
import {
  isWebviewToHostMessage,
  type CommandType,
  type HostToWebviewMessage,
  type NotificationType,
  type RequestType,
} from "../../webviews/protocol/ipc";

/** Where the dispatcher sends replies and tells what went wrong. */
export interface DispatcherOutput {
  post(message: HostToWebviewMessage): void;
  log(message: string): void;
}

/** What `receive` did with one message. */
export type Dispatched =
  /** Not a protocol message (no string method, or an id that is not a whole number): dropped. */
  | { kind: "ignored" }
  /** A request, answered (with `error` when its handler threw). */
  | { kind: "request"; method: string; id: number; error?: string }
  /** A command, run (with `error` when its handler threw). */
  | { kind: "command"; method: string; error?: string }
  /** No handler of that kind for the method; a request (with `id`) got an error reply. */
  | { kind: "unknown"; method: string; id?: number };

export interface Registration {
  dispose(): void;
}

type Handler = { kind: "request" | "command"; handle(params: unknown): unknown };

export class MessageDispatcher {
  private readonly handlers = new Map<string, Handler>();

  /** `name` prefixes log lines ("report webview: …"). */
  constructor(
    private readonly name: string,
    private readonly output: DispatcherOutput,
  ) {}

  /** Answers `type`'s requests with what `handler` returns (or an error reply when it throws). */
  onRequest<P, R>(type: RequestType<P, R>, handler: (params: P) => R | Promise<R>): Registration {
    return this.register(type.method, { kind: "request", handle: handler as (params: unknown) => unknown });
  }

  /** Runs `handler` for each of `type`'s commands; failures are logged (a command gets no reply). */
  onCommand<P>(type: CommandType<P>, handler: (params: P) => void | Promise<void>): Registration {
    return this.register(type.method, { kind: "command", handle: handler as (params: unknown) => unknown });
  }

  /** Dispatches one message from the webview; resolves once it is handled (a request: once its reply was posted). */
  async receive(message: unknown): Promise<Dispatched> {
    if (!isWebviewToHostMessage(message)) return { kind: "ignored" };
    const { method, id, params } = message;
    const kind = id === undefined ? "command" : "request";
    const handler = this.handlers.get(method);
    if (handler?.kind !== kind) {
      const why = handler ? `a ${handler.kind} sent as a ${kind}` : `unknown ${kind}`;
      this.output.log(`${this.name} webview: ${why} ${method}`);
      if (id !== undefined) this.output.post(errorReply(method, id, `${this.name}: ${why} ${method}`));
      return { kind: "unknown", method, id };
    }
    try {
      const result = await handler.handle(params);
      if (id === undefined) return { kind: "command", method };
      this.output.post(reply(method, id, result));
      return { kind: "request", method, id };
    } catch (thrown) {
      const error = messageOf(thrown);
      this.output.log(`${this.name} webview: ${method} failed: ${error}`);
      if (id === undefined) return { kind: "command", method, error };
      this.output.post(errorReply(method, id, error));
      return { kind: "request", method, id, error };
    }
  }

  private register(method: string, handler: Handler): Registration {
    if (this.handlers.has(method)) throw new Error(`${this.name} webview: ${method} has a handler already`);
    this.handlers.set(method, handler);
    return {
      dispose: () => {
        if (this.handlers.get(method) === handler) this.handlers.delete(method);
      },
    };
  }
}

/** The reply to request `id`. */
export function reply(method: string, id: number, result: unknown): HostToWebviewMessage {
  return { method, responseTo: id, params: result };
}

/** The reply to request `id` when it failed (the webview's sendRequest rejects with `error`). */
export function errorReply(method: string, id: number, error: string): HostToWebviewMessage {
  return { method, responseTo: id, error };
}

export function notificationMessage<P>(type: NotificationType<P>, params: P): HostToWebviewMessage {
  return { method: type.method, params };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

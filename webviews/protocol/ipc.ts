// The wire shapes every webview protocol uses (after gitlens): a `…Command` travels webview→host and gets no reply,
// a `…Request` travels webview→host and gets exactly one reply, a `Did…Notification` travels host→webview.
// The webview speaks first, with its ready request; the reply is its initial state.

/** webview→host, no reply. */
export interface CommandType<P> {
  readonly kind: "command";
  readonly method: string;
  /** Phantom: never set; carries the params type. */
  readonly params?: P;
}
/** webview→host, one reply (`response` to the same `id`). */
export interface RequestType<P, R> {
  readonly kind: "request";
  readonly method: string;
  readonly params?: P;
  readonly result?: R;
}
/** host→webview. */
export interface NotificationType<P> {
  readonly kind: "notification";
  readonly method: string;
  readonly params?: P;
}

export const command = <P>(method: string): CommandType<P> => ({ kind: "command", method });
export const request = <P, R>(method: string): RequestType<P, R> => ({ kind: "request", method });
export const notification = <P>(method: string): NotificationType<P> => ({ kind: "notification", method });

export type ParamsOf<T> = T extends { params?: infer P } ? P : never;
export type ResultOf<T> = T extends RequestType<unknown, infer R> ? R : never;

/** A message from the webview: a command (no id) or a request (with an id the reply carries). */
export interface WebviewToHostMessage {
  method: string;
  params: unknown;
  /** Present for requests only. */
  id?: number;
}

/** A message from the host: a notification, or the reply to request `responseTo`. */
export interface HostToWebviewMessage {
  method: string;
  params?: unknown;
  responseTo?: number;
  /** Set when the request failed; `params` is then absent. */
  error?: string;
}

/** A command or a request: a string `method`, and an `id` that is absent or a whole number. */
export function isWebviewToHostMessage(value: unknown): value is WebviewToHostMessage {
  if (typeof value !== "object" || value === null || typeof (value as { method?: unknown }).method !== "string")
    return false;
  const id = (value as { id?: unknown }).id;
  return id === undefined || Number.isSafeInteger(id);
}

export function isHostToWebviewMessage(value: unknown): value is HostToWebviewMessage {
  return typeof value === "object" && value !== null && typeof (value as { method?: unknown }).method === "string";
}

// What every handler receives (the connection, the open documents, the language service, the status reporter), and
// the one wrapper every request goes through: it finds the document, honours cancellation, catches what the
// service throws (logged with its stack, answered with the empty result), and logs slow requests.
// Architecture invariant: no handler lets an exception or a rejection escape to vscode-languageserver.
import {
  type CancellationToken,
  type Connection,
  LSPErrorCodes,
  ResponseError,
  type TextDocuments,
} from "vscode-languageserver/node";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { LanguageService } from "../service/language-service";
import type { StatusReporter } from "./status";

export interface HandlerContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  service: LanguageService;
  status: StatusReporter;
  requests: RequestTracker;
}

/**
 * Counts the requests being answered, so diagnostics (which can wait a few milliseconds) run after them: a
 * completion asked right after a keystroke must not queue behind checking the whole recipe.
 */
export class RequestTracker {
  private count = 0;

  get inFlight(): number {
    return this.count;
  }

  begin(): void {
    this.count++;
  }

  /**
   * The answer is written by vscode-jsonrpc after the handler returns, one setImmediate later: the count drops only
   * after that, so a check due meanwhile does not hold the answer back.
   */
  end(): void {
    setImmediate(() => {
      this.count = Math.max(0, this.count - 1);
    });
  }
}

/** Requests slower than this are logged with their duration (the targets are 10 ms for completion, 50 ms for hover). */
const SLOW_REQUEST_MS = 250;

/** A one-line description of anything thrown, with the stack when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  try {
    return `non-Error value thrown: ${typeof error === "string" ? error : JSON.stringify(error)}`;
  } catch {
    return `non-Error value thrown: ${String(error)}`;
  }
}

/** Logs through the connection (window/logMessage); never throws, even when the connection is gone. */
export function logError(connection: Connection, what: string, error: unknown): void {
  const text = `${what}: ${describeError(error)}`;
  try {
    connection.console.error(text);
  } catch {
    process.stderr.write(`${text}\n`);
  }
}

/** By shape, not class: the service may have its ResponseError from another copy of vscode-jsonrpc. */
function isResponseError(error: unknown): error is ResponseError<void> {
  if (error instanceof ResponseError) return true;
  const e = error as { code?: unknown; message?: unknown; toJson?: unknown } | null;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.code === "number" &&
    typeof e.message === "string" &&
    typeof e.toJson === "function"
  );
}

const cancelled = () => new ResponseError(LSPErrorCodes.RequestCancelled, "request cancelled");

/**
 * Wraps a request handler that works on one open document. `fallback` is the answer when the document is not open
 * or the service fails (empty, so an editor shows nothing rather than an error box); a cancelled request gets the
 * RequestCancelled error the protocol asks for; a ResponseError the service throws on purpose is the answer.
 */
export function onDocumentRequest<P extends { textDocument: { uri: string } }, R>(
  context: HandlerContext,
  name: string,
  fallback: () => R,
  run: (document: TextDocument, params: P, token: CancellationToken) => R | Promise<R>,
): (params: P, token: CancellationToken) => Promise<R | ResponseError<void>> {
  return async (params, token) => {
    if (token.isCancellationRequested) return cancelled();
    const document = context.documents.get(params.textDocument.uri);
    if (!document) return fallback();
    const started = performance.now();
    context.requests.begin();
    try {
      const result = await run(document, params, token);
      if (token.isCancellationRequested) return cancelled();
      return result;
    } catch (error) {
      // A ResponseError is the service's answer on purpose (rename to a taken name): the client shows its message.
      if (isResponseError(error)) return error;
      logError(context.connection, `${name} failed for ${document.uri} (version ${document.version})`, error);
      return fallback();
    } finally {
      context.requests.end();
      const tookMs = performance.now() - started;
      if (tookMs > SLOW_REQUEST_MS)
        context.connection.console.log(`${name} took ${tookMs.toFixed(0)} ms (${document.uri})`);
    }
  };
}

/** Wraps a notification handler: exceptions and rejections are logged, never thrown back into the library. */
export function onNotificationSafely<P>(
  connection: Connection,
  name: string,
  run: (params: P) => void | Promise<void>,
): (params: P) => void {
  return (params) => {
    try {
      const result = run(params);
      if (result instanceof Promise) result.catch((error: unknown) => logError(connection, `${name} failed`, error));
    } catch (error) {
      logError(connection, `${name} failed`, error);
    }
  };
}

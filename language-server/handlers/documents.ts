// Open documents and their diagnostics. Edits arrive incrementally (TextDocuments applies them); each document's
// check is scheduled a few milliseconds after its last edit, and a check whose document has moved on (a newer
// version, a newer check of the same version, or the document closed) is dropped instead of published. Requests
// come first: a check that falls due while requests are being answered waits for them (at most MAX_YIELD_MS).
// Architecture invariant: diagnostics are published with their document version, never for a version older than
// one already published or superseded.
import { type Connection, DidChangeWatchedFilesNotification, type FileEvent } from "vscode-languageserver/node";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { RevalidateNotification, type RevalidateParams } from "../protocol";
import { type HandlerContext, logError, onNotificationSafely } from "./context";

/** Files whose change can change a recipe's diagnostics: models, their external data, runs' findings, datasets. */
export const WATCHED_FILE_GLOBS = [
  "**/*.onnx",
  "**/*.onnx.data",
  "**/*.data",
  "**/quant-error.json",
  "**/*.{npy,npz,json,txt}",
];

export interface DiagnosticsScheduler {
  /** Check a document after the delay (the last call wins). */
  schedule(uri: string, delayMs?: number): void;
  /** Check every open document again (a file they may depend on changed). */
  revalidateAll(): void;
}

/** While requests are being answered, a due check waits for them in steps of this long, at most MAX_YIELD_MS. */
const YIELD_STEP_MS = 2;
const MAX_YIELD_MS = 60;

export function registerDocumentHandlers(context: HandlerContext, options: { delayMs: number }): DiagnosticsScheduler {
  const { connection, documents, service, status, requests } = context;
  const timers = new Map<string, NodeJS.Timeout>();
  /** Per document: the number of the newest check started; an older check's result is dropped. */
  const generations = new Map<string, number>();

  const isCurrent = (uri: string, version: number, generation: number) =>
    documents.get(uri)?.version === version && generations.get(uri) === generation;

  async function check(document: TextDocument): Promise<void> {
    const { uri, version } = document;
    const generation = (generations.get(uri) ?? 0) + 1;
    generations.set(uri, generation);
    try {
      const diagnostics = await service.doValidation(document);
      if (!isCurrent(uri, version, generation)) return;
      await connection.sendDiagnostics({ uri, version, diagnostics });
      if (status.current?.state === "error") status.set("ready", "Edge recipes: ready");
    } catch (error) {
      if (!isCurrent(uri, version, generation)) return;
      logError(connection, `checking ${uri} (version ${version}) failed`, error);
      status.set(
        "error",
        "Edge recipes: checking a recipe failed (see the log)",
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  function schedule(uri: string, delayMs = options.delayMs): void {
    const previous = timers.get(uri);
    if (previous) clearTimeout(previous);
    // Anything still running for this document is now stale: a new generation starts when the timer fires.
    generations.set(uri, (generations.get(uri) ?? 0) + 1);
    const due = performance.now() + delayMs;
    const fire = () => {
      // Requests first: a check of a big recipe takes tens of milliseconds of this thread.
      if (requests.inFlight > 0 && performance.now() - due < MAX_YIELD_MS) {
        timers.set(uri, setTimeout(fire, YIELD_STEP_MS));
        return;
      }
      timers.delete(uri);
      // After the answers already queued to be written (vscode-jsonrpc writes them in setImmediate callbacks).
      setImmediate(() => {
        const document = documents.get(uri);
        if (document && !timers.has(uri)) void check(document);
      });
    };
    timers.set(uri, setTimeout(fire, delayMs));
  }

  function revalidateAll(): void {
    for (const document of documents.all()) schedule(document.uri);
  }

  // Fired for didOpen too (TextDocuments fires it after onDidOpen).
  documents.onDidChangeContent(({ document }) => schedule(document.uri));
  documents.onDidClose(({ document }) => {
    const timer = timers.get(document.uri);
    if (timer) clearTimeout(timer);
    timers.delete(document.uri);
    // The generation is kept (not reset), so a check still running from before the close can never look current
    // if the document is opened again with the same version number.
    generations.set(document.uri, (generations.get(document.uri) ?? 0) + 1);
    try {
      service.forget(document.uri);
    } catch (error) {
      logError(connection, `forgetting ${document.uri} failed`, error);
    }
    connection.sendDiagnostics({ uri: document.uri, diagnostics: [] }).catch(() => undefined);
  });

  connection.onDidChangeWatchedFiles(
    onNotificationSafely(connection, "didChangeWatchedFiles", ({ changes }: { changes: FileEvent[] }) => {
      if (changes.length > 0) revalidateAll();
    }),
  );
  connection.onNotification(
    RevalidateNotification.method,
    onNotificationSafely(connection, RevalidateNotification.method, (params: RevalidateParams | undefined) => {
      if (!params?.uris) revalidateAll();
      else for (const uri of params.uris) if (documents.get(uri)) schedule(uri);
    }),
  );

  return { schedule, revalidateAll };
}

/** Asks the client to tell us about model and data files changing, when it can register watchers dynamically. */
export async function watchFiles(connection: Connection): Promise<void> {
  await connection.client.register(DidChangeWatchedFilesNotification.type, {
    watchers: WATCHED_FILE_GLOBS.map((globPattern) => ({ globPattern })),
  });
}

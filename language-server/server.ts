// The recipe language server's entry: picks the transport from argv (`--stdio`, `--node-ipc`, `--socket=N`,
// `--pipe=NAME`; stdio when none is given), builds the world host and the language service, declares the
// capabilities and wires one thin handler module per concern. Run as `node dist/language-server/server.js --stdio`
// or through `edge lsp --stdio`, which imports this bundle and calls startServer with its own argv.
// Architecture invariant: nothing here throws at the client: handlers log and answer empty, stray console output goes
// to the log (never to stdout, the protocol channel), and unhandled rejections or exceptions are logged, not fatal.
import {
  type ClientCapabilities,
  type Connection,
  createConnection,
  createServerPipeTransport,
  createServerSocketTransport,
  type InitializeResult,
  IPCMessageReader,
  IPCMessageWriter,
  type MessageReader,
  type MessageWriter,
  type ServerCapabilities,
  TextDocuments,
  TextDocumentSyncKind,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ENGINE_VERSION } from "../engine/version";
import { parseRecipe } from "../engine/recipe";
import { createLanguageService, type LanguageServiceOptions } from "./service/language-service";
import type { WorldHost } from "./world/world-host";
import { createNodeWorldHost, type NodeWorldHost, type NodeWorldHostOptions } from "./world/node-world-host";
import type { InitializationOptions } from "./protocol";
import { describeError, type HandlerContext, logError, RequestTracker } from "./handlers/context";
import { StatusReporter } from "./handlers/status";
import { registerDocumentHandlers, watchFiles } from "./handlers/documents";
import { completionOptions, registerCompletionHandlers } from "./handlers/completion";
import { registerHoverHandlers } from "./handlers/hover";
import { registerNavigationHandlers } from "./handlers/navigation";
import { codeActionOptions, registerActionHandlers } from "./handlers/actions";

export const SERVER_NAME = "edge-recipe-language-server";
const DEFAULT_DIAGNOSTICS_DELAY_MS = 5;
/** How long `shutdown` waits for the model reader to stop before it answers anyway. */
const SHUTDOWN_WAIT_MS = 1000;

export type Transport =
  { kind: "stdio" } | { kind: "node-ipc" } | { kind: "socket"; port: number } | { kind: "pipe"; name: string };

/** The transport named in argv (the flags vscode-languageserver and its clients use); stdio when none is named. */
export function parseTransport(argv: readonly string[]): Transport {
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline ?? argv[i + 1];
    if (flag === "--stdio") return { kind: "stdio" };
    if (flag === "--node-ipc") return { kind: "node-ipc" };
    if (flag === "--socket" || flag === "--port") {
      const port = Number(value);
      if (!Number.isInteger(port) || port <= 0 || port > 65535)
        throw new Error(`${flag} needs a port number, got ${JSON.stringify(value)}`);
      return { kind: "socket", port };
    }
    if (flag === "--pipe") {
      if (!value) throw new Error("--pipe needs a pipe name");
      return { kind: "pipe", name: value };
    }
  }
  return { kind: "stdio" };
}

function connect(transport: Transport): Connection {
  switch (transport.kind) {
    case "stdio":
      // Streams (not readers): vscode-languageserver then exits the process when stdin ends.
      return createConnection(process.stdin, process.stdout);
    case "node-ipc": {
      process.on("disconnect", () => process.exit(1));
      return createConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
    }
    case "socket":
    case "pipe": {
      const [reader, writer]: [MessageReader, MessageWriter] =
        transport.kind === "socket"
          ? createServerSocketTransport(transport.port)
          : createServerPipeTransport(transport.name);
      reader.onClose(() => process.exit(1));
      return createConnection(reader, writer);
    }
  }
}

/** Where the model-summary worker is: beside this bundle in dist/, or the TypeScript source when run through tsx. */
export function modelSummaryWorkerPath(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith(".ts")
    ? join(dirname(here), "world", "model-summary-worker.ts")
    : join(dirname(here), "model-summary-worker.js");
}

function capabilitiesFor(client: ClientCapabilities): ServerCapabilities {
  const prepareRename = client.textDocument?.rename?.prepareSupport === true;
  const codeActionLiterals = client.textDocument?.codeAction?.codeActionLiteralSupport !== undefined;
  return {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    completionProvider: completionOptions,
    hoverProvider: true,
    documentSymbolProvider: { label: "Edge recipe" },
    foldingRangeProvider: true,
    documentLinkProvider: { resolveProvider: false },
    definitionProvider: true,
    // RenameOptions only for clients that said they support prepareRename (LSP 3.12).
    renameProvider: prepareRename ? { prepareProvider: true } : true,
    codeActionProvider: codeActionLiterals ? codeActionOptions : true,
    documentFormattingProvider: true,
  };
}

/** Console output of any module (ours or a dependency's) goes to the client's log, never to stdout. */
function routeConsoleToLog(connection: Connection): void {
  const join = (args: unknown[]) => args.map((a) => (typeof a === "string" ? a : describeOrInspect(a))).join(" ");
  console.log = (...args: unknown[]) => connection.console.log(join(args));
  console.info = (...args: unknown[]) => connection.console.info(join(args));
  console.debug = (...args: unknown[]) => connection.console.log(join(args));
  console.warn = (...args: unknown[]) => connection.console.warn(join(args));
  console.error = (...args: unknown[]) => connection.console.error(join(args));
}

function describeOrInspect(value: unknown): string {
  if (value instanceof Error) return describeError(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function catchStrayErrors(connection: Connection): void {
  const report = (kind: string, error: unknown) => {
    const text = `${kind}: ${describeError(error)}`;
    process.stderr.write(`${SERVER_NAME}: ${text}\n`);
    try {
      connection.console.error(text);
    } catch {
      // The connection is gone: stderr has it.
    }
  };
  process.on("unhandledRejection", (reason) => report("unhandled rejection", reason));
  process.on("uncaughtException", (error) => report("uncaught exception", error));
}

/** The world when the real host cannot start: the document-only features keep working, models read as errors. */
function offlineWorld(reason: string): WorldHost {
  return {
    modelSummary: () =>
      Promise.resolve({
        ok: false,
        error: {
          code: "language-server/world-unavailable",
          message: `models cannot be read: ${reason.split("\n")[0]}`,
        },
      }),
    cachedModelSummary: () => undefined,
    adbDevices: () => Promise.resolve([]),
    sshHosts: () => Promise.resolve([]),
    pathKind: () => Promise.resolve(undefined),
    listDirectory: () => Promise.resolve([]),
    quantFindings: () => Promise.resolve([]),
  };
}

/** A small recipe that touches most of the schema, parsed once at start so the first real edit does not pay for it. */
const WARM_UP_RECIPE = [
  "name: warm-up",
  "model:",
  "  path: models/model.onnx",
  "  inputs:",
  "    x: { shape: [1, 3, 224, 224], dtype: float32, range: [-1, 1] }",
  "data:",
  "  calib: { path: data/calib, format: npy }",
  "quantize:",
  "  method: int8-static",
  "  calibration: { data: calib, method: minmax, samples: 8 }",
  "  exclude: { ops: [Gather], nodes: [/head/MatMul] }",
  "compile: { provider: cpu, optimization: all }",
  "devices:",
  "  laptop: { local: {} }",
  "  phone:",
  "    adb: { serial: ABC }",
  "    runner: perf-test",
  "run: { device: laptop, warmup: 1, iterations: 2 }",
  "budgets: { latency_p95_ms: 20 }",
  "",
].join("\n");

/**
 * Compiles the schema validator (about 200 ms, once) while the client waits for `initialize` anyway, so the first
 * document's diagnostics do not pay for it.
 */
function warmUp(connection: Connection): void {
  try {
    const started = performance.now();
    for (let i = 0; i < 3; i++) parseRecipe(WARM_UP_RECIPE, "warm-up.edge.yaml");
    connection.console.log(`warmed up the recipe parser and schema in ${(performance.now() - started).toFixed(0)} ms`);
  } catch (error) {
    logError(connection, "warming up the recipe parser failed", error);
  }
}

export interface ServerOptions {
  /** The world the service sees; the default reads models in a worker, asks adb, reads ~/.ssh/config. */
  createWorld?: () => WorldHost;
}

/**
 * Starts the server on the transport argv names and listens; vscode-languageserver ends the process on `exit`.
 * Throws (before anything starts) when argv names a transport badly, e.g. `--socket=abc`.
 */
export function startServer(argv: readonly string[], options: ServerOptions = {}): Connection {
  const connection = connect(parseTransport(argv));
  routeConsoleToLog(connection);
  catchStrayErrors(connection);

  const status = new StatusReporter(connection);
  status.set("starting", "Edge recipes: starting");
  // Read by the world host at each use, so what `initialize` says (the client's adb path) applies.
  const worldOptions: NodeWorldHostOptions = { workerPath: modelSummaryWorkerPath() };
  let world: WorldHost;
  try {
    world = options.createWorld ? options.createWorld() : createNodeWorldHost(worldOptions);
  } catch (error) {
    logError(connection, "the world host could not start; models, adb and ssh hosts are unavailable", error);
    status.set("error", "Edge recipes: models cannot be read (see the log)", describeError(error));
    world = offlineWorld(describeError(error));
  }

  const documents = new TextDocuments(TextDocument);
  const serviceOptions: LanguageServiceOptions = {};
  const service = createLanguageService(status.trackWorld(world), serviceOptions);
  const context: HandlerContext = { connection, documents, service, status, requests: new RequestTracker() };
  const diagnostics = { delayMs: DEFAULT_DIAGNOSTICS_DELAY_MS };
  let canWatchFiles = false;

  connection.onInitialize((params): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    if (typeof init.diagnosticsDelayMs === "number" && init.diagnosticsDelayMs >= 0)
      diagnostics.delayMs = init.diagnosticsDelayMs;
    if (typeof init.adbPath === "string" && init.adbPath.trim() !== "") worldOptions.adbPath = init.adbPath.trim();
    if (typeof init.maxCheckedRecipeBytes === "number" && init.maxCheckedRecipeBytes > 0)
      serviceOptions.maxCheckedRecipeBytes = init.maxCheckedRecipeBytes;
    canWatchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    warmUp(connection);
    return {
      capabilities: capabilitiesFor(params.capabilities),
      serverInfo: { name: SERVER_NAME, version: ENGINE_VERSION },
    };
  });
  connection.onInitialized(() => {
    status.start();
    if (status.current?.state === "starting") status.set("ready", "Edge recipes: ready");
    if (canWatchFiles)
      watchFiles(connection).catch((error: unknown) => logError(connection, "registering file watchers failed", error));
  });
  connection.onShutdown(async () => {
    status.set("ready", "Edge recipes: shutting down");
    // The node host's summary worker (a world without one has nothing to stop); answered within a second whatever
    // the worker is doing.
    await (world as Partial<NodeWorldHost>)
      .dispose?.(SHUTDOWN_WAIT_MS)
      .catch((error: unknown) => logError(connection, "stopping the model reader failed", error));
  });
  connection.onExit(() => {
    // vscode-languageserver calls process.exit after this. A reader thread stuck in a system call would keep the
    // process from ending (exit waits for threads), so then the process ends itself without waiting.
    const reader = (world as Partial<NodeWorldHost>).modelReader;
    void (world as Partial<NodeWorldHost>).dispose?.(0).catch(() => undefined);
    if (reader?.stuck) process.kill(process.pid, "SIGKILL");
  });

  registerDocumentHandlers(context, diagnostics);
  registerCompletionHandlers(context);
  registerHoverHandlers(context);
  registerNavigationHandlers(context);
  registerActionHandlers(context);

  documents.listen(connection);
  connection.listen();
  return connection;
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(resolve(entry)) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  try {
    startServer(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      `${SERVER_NAME}: ${error instanceof Error ? error.message : String(error)}\nusage: server.js [--stdio | --node-ipc | --socket=PORT | --pipe=NAME]\n`,
    );
    process.exit(2);
  }
}

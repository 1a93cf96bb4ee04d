// A language server in a child process, spoken to over real LSP stdio (vscode-languageserver-protocol's client
// connection), for the protocol and fuzz tests and bench:lsp. Collects what the server says unasked (diagnostics,
// log messages, `edge/status`) and its stderr; answers its requests (configuration, registrations); every request has
// a timeout; the child is killed when this process exits.
import { type ChildProcess, spawn } from "node:child_process";
import {
  createProtocolConnection,
  type InitializeResult,
  type LogMessageParams,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";

export interface SpawnOptions {
  /** For messages: "edge", "yaml-language-server". */
  name: string;
  /** The program and its arguments, e.g. [process.execPath, "dist/language-server/server.js", "--stdio"]. */
  command: string[];
  cwd?: string;
  /** Answers `workspace/configuration` items by section (yaml-language-server pulls its settings). */
  configuration?: (section: string | undefined) => unknown;
}

export interface DiagnosticsWaiter {
  uri: string;
  /** Resolve on a publish with this version (when the server sends versions), or on the next publish otherwise. */
  version?: number;
  resolve: (params: PublishDiagnosticsParams) => void;
}

export class LspProcess {
  readonly connection: ProtocolConnection;
  readonly child: ChildProcess;
  readonly logs: LogMessageParams[] = [];
  /** `edge/status` notifications as they came, with the time (performance.now()) they arrived. */
  readonly statuses: { at: number; state: string; message: string }[] = [];
  readonly diagnostics: PublishDiagnosticsParams[] = [];
  /** Methods the server registered dynamically (client/registerCapability). */
  readonly registrations: { method: string; registerOptions?: unknown }[] = [];
  stderr = "";
  exitCode: number | null | undefined = undefined;
  readonly exited: Promise<number | null>;
  private waiters: DiagnosticsWaiter[] = [];
  private readonly killOnExit = () => this.child.kill("SIGKILL");

  constructor(readonly options: SpawnOptions) {
    const [program, ...args] = options.command;
    this.child = spawn(program, args, { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    process.once("exit", this.killOnExit);
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code) => {
        this.exitCode = code;
        process.removeListener("exit", this.killOnExit);
        resolve(code);
      });
    });
    this.child.stdin!.on("error", () => undefined); // EPIPE after the server exits is reported by `exited`
    this.connection = createProtocolConnection(
      new StreamMessageReader(this.child.stdout!),
      new StreamMessageWriter(this.child.stdin!),
    );
    this.connection.onNotification("window/logMessage", (params: LogMessageParams) => void this.logs.push(params));
    this.connection.onNotification(
      "edge/status",
      (params: { state: string; message: string }) => void this.statuses.push({ at: performance.now(), ...params }),
    );
    this.connection.onNotification("textDocument/publishDiagnostics", (params: PublishDiagnosticsParams) =>
      this.onDiagnostics(params),
    );
    this.connection.onNotification("telemetry/event", () => undefined);
    this.connection.onRequest("workspace/configuration", (params: { items: { section?: string }[] }) =>
      params.items.map((item) => options.configuration?.(item.section) ?? null),
    );
    this.connection.onRequest(
      "client/registerCapability",
      (params: { registrations: { method: string; registerOptions?: unknown }[] }) => {
        this.registrations.push(...params.registrations);
        return null;
      },
    );
    this.connection.onRequest("client/unregisterCapability", () => null);
    this.connection.onRequest("window/workDoneProgress/create", () => null);
    this.connection.onRequest("workspace/workspaceFolders", () => null);
    this.connection.listen();
  }

  /** A request that fails with a clear message after `timeoutMs` instead of hanging the caller. */
  request<R>(method: string, params: unknown, timeoutMs = 10_000): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.options.name}: ${method} got no answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return Promise.race([this.connection.sendRequest<R>(method, params), timeout]).finally(() => clearTimeout(timer));
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  async initialize(rootUri: string | null, initializationOptions?: unknown): Promise<InitializeResult> {
    const result = await this.request<InitializeResult>("initialize", {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: "workspace" }] : null,
      initializationOptions,
      capabilities: CLIENT_CAPABILITIES,
    });
    await this.notify("initialized", {});
    return result;
  }

  /** The next diagnostics published for `uri` (with `version`, when given and the server sends versions). */
  nextDiagnostics(uri: string, version?: number, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const waiter: DiagnosticsWaiter = { uri, version, resolve: (p) => (clearTimeout(timer), resolve(p)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `${this.options.name}: no diagnostics for ${uri}${version === undefined ? "" : ` version ${version}`} in ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** shutdown, exit, and the exit code (the process is killed if it lingers). */
  async stop(timeoutMs = 5_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    try {
      await this.request("shutdown", null, timeoutMs);
      await this.notify("exit", null);
    } catch {
      // Already gone, or hung: the kill below settles it.
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    this.connection.dispose();
    return code;
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }

  private onDiagnostics(params: PublishDiagnosticsParams): void {
    this.diagnostics.push(params);
    const ready = this.waiters.filter(
      (w) =>
        w.uri === params.uri &&
        (w.version === undefined || params.version === undefined || params.version >= w.version),
    );
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(params);
  }
}

/** What an editor like VS Code says it can do, so servers turn on every feature the tests use. */
export const CLIENT_CAPABILITIES = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    workspaceFolders: true,
  },
  textDocument: {
    synchronization: { didSave: true, dynamicRegistration: false },
    completion: {
      completionItem: {
        snippetSupport: true,
        documentationFormat: ["markdown", "plaintext"],
        resolveSupport: { properties: ["documentation", "detail"] },
      },
      contextSupport: true,
    },
    hover: { contentFormat: ["markdown", "plaintext"] },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    foldingRange: { lineFoldingOnly: true },
    documentLink: {},
    definition: { linkSupport: false },
    rename: { prepareSupport: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix", "refactor", "source"] } } },
    formatting: {},
    publishDiagnostics: { relatedInformation: true, versionSupport: true },
  },
  window: { workDoneProgress: true },
};

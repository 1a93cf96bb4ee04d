// The extension's state, in one owner: the output channels, the language status item, the language client (created
// and started on the first recipe document), the run features (`runs`), the device features (`devices`), the reports
// with their open panels (`reports`), the graph viewer (`graphs`), the profile viewer (`profiles`), and every disposable. main.ts creates one Ctx in activate and disposes it in deactivate; no other
// module keeps state of its own.
import * as vscode from "vscode";
import { Trace, type LanguageClient } from "vscode-languageclient/node";
import type { ServerState, StatusParams } from "../language-server/protocol";
import { LANGUAGE_ID } from "../common/recipe-language";
import { createClient } from "./client";
import { affects, readConfig } from "./config";
import { didChangeStatus, revalidate } from "./lsp-ext";
import { Reports } from "./report/reports";
import { DeviceFeatures } from "./devices/device-features";
import { GraphFeatures } from "./graph/graph-features";
import { ProfileFeatures } from "./profile/profile-features";
import { RunFeatures } from "./run/run-features";

export type ClientState = ServerState | "stopped";

export class Ctx implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  /** The Runs view, the report panels and the report commands. */
  readonly reports: Reports;
  /** Tasks, CodeLens, the device status bar item and the run commands. */
  readonly runs: RunFeatures;
  /** The Devices view, the live device listing and the device commands. */
  readonly devices: DeviceFeatures;
  /** The model graph viewer (the `edge.graph` custom editor) and its commands. */
  readonly graphs: GraphFeatures;
  /** The profile viewer (the `edge.profile` custom editor, live timelines of runs) and its commands. */
  readonly profiles: ProfileFeatures;
  private readonly serverOutput: vscode.LogOutputChannel;
  private readonly statusItem: vscode.LanguageStatusItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly statusEmitter = new vscode.EventEmitter<StatusParams>();
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private status: StatusParams = { state: "starting", message: "Edge recipes: not started" };
  private stopped = true;

  /** Fires whenever the server (or the client on its behalf) reports a new state. */
  readonly onDidChangeStatus = this.statusEmitter.event;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel("Edge Studio", { log: true });
    this.serverOutput = vscode.window.createOutputChannel("Edge Recipe Language Server", { log: true });
    this.statusItem = vscode.languages.createLanguageStatusItem("edge.serverStatus", { language: LANGUAGE_ID });
    this.statusItem.name = "Edge recipe language server";
    this.statusItem.command = { title: "Show Log", command: "edge.showServerLog" };
    this.disposables.push(this.log, this.serverOutput, this.statusItem, this.statusEmitter);
    this.reports = new Reports(extension.extensionUri, this.log);
    this.devices = new DeviceFeatures({
      extension,
      log: this.log,
      runRecipe: (recipe, device) => this.runs.runRecipe(recipe, device),
    });
    this.runs = new RunFeatures({
      extension,
      log: this.log,
      openReport: (runDir) => this.reports.openReport(runDir),
      devices: this.devices,
      observeRun: (recipe, cwd) => this.profiles.observeRun(recipe, cwd),
    });
    this.graphs = new GraphFeatures({
      extensionUri: extension.extensionUri,
      log: this.log,
      listRuns: () => this.reports.runsView.listRuns(),
    });
    this.profiles = new ProfileFeatures({
      extensionUri: extension.extensionUri,
      log: this.log,
      listRuns: () => this.reports.runsView.listRuns(),
      openReport: (runDir) => this.reports.openReport(runDir),
    });
    this.disposables.push(this.runs, this.devices, this.reports, this.graphs, this.profiles);
    this.showStatus({ state: "starting", message: "Edge recipes: waiting for a recipe" });
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (affects(event, "server.trace")) void this.applyTrace();
        if (affects(event, "adb.path") && this.client)
          void this.restart().catch((error: unknown) => this.log.error(`restart failed: ${describe(error)}`));
      }),
    );
  }

  get state(): ClientState {
    return this.stopped ? "stopped" : this.status.state;
  }

  get lastStatus(): StatusParams {
    return this.status;
  }

  /** Starts the client when a recipe is (or becomes) open; cheap to call from activate. */
  startOnFirstRecipe(): void {
    if (vscode.workspace.textDocuments.some((d) => d.languageId === LANGUAGE_ID)) {
      // After activate returns: creating the client is not activation's cost to pay.
      setImmediate(() => void this.ensureStarted().catch(() => undefined));
      return;
    }
    const listener = vscode.workspace.onDidOpenTextDocument((document) => {
      if (document.languageId !== LANGUAGE_ID) return;
      listener.dispose();
      void this.ensureStarted().catch(() => undefined); // logged and shown in the status item
    });
    this.disposables.push(listener);
  }

  /** The running client, starting it first if needed. Failures are logged, shown in the status item, and rethrown. */
  ensureStarted(): Promise<LanguageClient> {
    this.starting ??= this.start().catch((error: unknown) => {
      this.starting = undefined;
      this.log.error(`the recipe language server failed to start: ${describe(error)}`);
      this.showStatus({ state: "error", message: "Edge recipes: server failed to start", detail: describe(error) });
      throw error;
    });
    return this.starting;
  }

  private async start(): Promise<LanguageClient> {
    const started = performance.now();
    if (!this.client) {
      this.client = createClient(this.extension.extensionPath, this.serverOutput);
      this.disposables.push(this.client.onNotification(didChangeStatus, (params) => this.showStatus(params)));
    }
    const client = this.client;
    this.stopped = false;
    this.showStatus({ state: "starting", message: "Edge recipes: starting" });
    await client.start();
    await this.applyTrace();
    this.log.info(`recipe language server started in ${(performance.now() - started).toFixed(0)} ms`);
    return client;
  }

  async restart(): Promise<void> {
    if (!this.client) {
      await this.ensureStarted();
      return;
    }
    this.log.info("restarting the recipe language server");
    this.showStatus({ state: "starting", message: "Edge recipes: restarting" });
    await this.client.restart();
    await this.applyTrace();
  }

  /** Asks the server to check open recipes again (all of them when `uris` is absent). */
  async revalidate(uris?: readonly vscode.Uri[]): Promise<void> {
    const client = await this.ensureStarted();
    await client.sendNotification(revalidate, uris ? { uris: uris.map((u) => u.toString()) } : {});
  }

  showLog(): void {
    this.log.show(true);
  }

  showServerLog(): void {
    this.serverOutput.show(true);
  }

  private async applyTrace(): Promise<void> {
    if (!this.client?.isRunning()) return;
    await this.client.setTrace(Trace.fromString(readConfig().serverTrace));
  }

  private showStatus(params: StatusParams): void {
    this.status = params;
    this.statusItem.text = params.message.replace(/^Edge recipes: /, "");
    this.statusItem.detail = params.detail;
    this.statusItem.busy = params.state === "busy" || params.state === "starting";
    this.statusItem.severity =
      params.state === "error" ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    if (params.state === "error") this.log.error(`${params.message}${params.detail ? `: ${params.detail}` : ""}`);
    this.statusEmitter.fire(params);
  }

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.stopped = true;
    for (const d of this.disposables.splice(0)) d.dispose();
    if (client) await client.dispose(2000).catch(() => undefined);
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

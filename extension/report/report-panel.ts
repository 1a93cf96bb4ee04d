// The run report panel (a WebviewPanel of viewType `edge.report`): one per run (or per compared pair), a strict CSP,
// resources only from dist/webviews, the typed protocol of webviews/protocol/report.ts over a WebviewChannel, and a
// serializer so an open report survives a window reload. The webview speaks first (ReadyRequest); the reply is the
// runs to show. ReportPanels is the registry of open panels (owned by Reports, so by Ctx, and disposed with it).
import * as vscode from "vscode";
import type { ParamsOf } from "../../webviews/protocol/ipc";
import {
  CompareWithCommand,
  DidChangeStateNotification,
  OpenFileCommand,
  OpenModelGraphCommand,
  OpenProfileCommand,
  ReadyRequest,
  REPORT_VIEW_TYPE,
  type ReportPersistedState,
  type ReportState,
} from "../../webviews/protocol/report";
import { WebviewChannel } from "../webview/webview-channel";
import { loadRun, runIdOf } from "./load-run";
import { makeNonce, reportHtml } from "./report-html";

/** What a test can see of a panel: what it was asked to show and whether the webview got it. */
export interface ReportPanelSnapshot {
  viewType: string;
  title: string;
  runDirs: string[];
  /** The state sent in reply to the webview's ReadyRequest (undefined until the webview asked). */
  answeredState?: ReportState;
  readyRequests: number;
  openFileCommands: ParamsOf<typeof OpenFileCommand>[];
}

export interface ReportHost {
  readonly extensionUri: vscode.Uri;
  log(message: string): void;
  /** Lets the user pick a run to compare `runDir` with (the Runs view's quick pick). */
  pickRunToCompare(runDir: vscode.Uri): Promise<vscode.Uri | undefined>;
}

/** The open report panels, by the runs they show, and the one shown last. */
export class ReportPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ReportPanel>();
  private lastShown: ReportPanel | undefined;
  private readonly answered = new vscode.EventEmitter<ReportPanel>();
  /** Fires when a panel has answered its webview's ready request. */
  readonly onDidAnswerReady = this.answered.event;

  constructor(readonly host: ReportHost) {}

  /** Shows `runDirs` (one run, or two to compare), revealing the panel that already shows them. */
  show(runDirs: vscode.Uri[]): ReportPanel {
    const existing = this.panels.get(keyOf(runDirs));
    if (existing) {
      existing.panel.reveal();
      return (this.lastShown = existing);
    }
    const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, titleOf(runDirs), vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
    });
    return this.adopt(panel, runDirs);
  }

  /** Takes over a panel VS Code restored after a reload (the serializer). */
  revive(panel: vscode.WebviewPanel, runDirs: vscode.Uri[]): ReportPanel {
    return this.adopt(panel, runDirs);
  }

  /** Sends fresh state to every panel showing `runDir` (its report.json was written again). */
  async refreshShowing(runDir: vscode.Uri): Promise<void> {
    const key = runDir.toString();
    await Promise.all(
      [...this.panels.values()].filter((p) => p.runDirs.some((u) => u.toString() === key)).map((p) => p.refresh()),
    );
  }

  get last(): ReportPanel | undefined {
    return this.lastShown;
  }

  private adopt(panel: vscode.WebviewPanel, runDirs: vscode.Uri[]): ReportPanel {
    const key = keyOf(runDirs);
    const created = new ReportPanel(panel, runDirs, this.host, {
      show: (dirs) => this.show(dirs),
      didAnswerReady: (p) => this.answered.fire(p),
      didDispose: (p) => {
        if (this.panels.get(key) === p) this.panels.delete(key);
        if (this.lastShown === p) this.lastShown = undefined;
      },
    });
    this.panels.set(key, created);
    return (this.lastShown = created);
  }

  /** Stops listening to the open panels' webviews (it does not close the panels: VS Code restores them). */
  dispose(): void {
    for (const panel of this.panels.values()) panel.detach();
    this.panels.clear();
    this.lastShown = undefined;
    this.answered.dispose();
  }
}

/** What a panel tells its registry. */
interface PanelEvents {
  show(runDirs: vscode.Uri[]): ReportPanel;
  didAnswerReady(panel: ReportPanel): void;
  didDispose(panel: ReportPanel): void;
}

export class ReportPanel {
  readonly snapshot: ReportPanelSnapshot;
  private readonly channel: WebviewChannel;
  private readonly disposables: vscode.Disposable[];

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly runDirs: vscode.Uri[],
    private readonly host: ReportHost,
    private readonly events: PanelEvents,
  ) {
    this.snapshot = {
      viewType: panel.viewType,
      title: titleOf(runDirs),
      runDirs: runDirs.map((u) => u.toString()),
      readyRequests: 0,
      openFileCommands: [],
    };
    const webviewRoot = vscode.Uri.joinPath(host.extensionUri, "dist", "webviews");
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    panel.title = this.snapshot.title;
    // A codicon as the tab's icon is VS Code 1.108's API (iconPath was Uri | { light, dark } before). Older versions
    // leave the tab without it and the panel works (the extension-host suite opens reports on the oldest VS Code
    // engines.vscode admits); the cast keeps this line compiling against that version's @types/vscode.
    (panel as { iconPath?: unknown }).iconPath = new vscode.ThemeIcon("graph");
    const nonce = makeNonce();
    const asUri = (...parts: string[]) =>
      panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, ...parts)).toString();
    panel.webview.html = reportHtml({
      cspSource: panel.webview.cspSource,
      nonce,
      scriptUri: asUri("report", "main.js"),
      styleUris: [asUri("codicons", "codicon.css"), asUri("report", "main.css")],
      title: this.snapshot.title,
    });
    this.channel = new WebviewChannel(panel.webview, "report", (message) => host.log(message));
    this.disposables = [
      this.channel,
      this.channel.onRequest(ReadyRequest, () => this.answerReady()),
      this.channel.onCommand(OpenFileCommand, (params) => this.openFile(params)),
      this.channel.onCommand(CompareWithCommand, (params) => this.compareWith(params)),
      this.channel.onCommand(OpenModelGraphCommand, (params) => this.openModelGraph(params)),
      this.channel.onCommand(OpenProfileCommand, (params) => this.openProfile(params)),
      this.channel.onDidHandle((handled) => {
        if (handled.kind === "request" && handled.method === ReadyRequest.method && handled.error === undefined)
          this.events.didAnswerReady(this);
      }),
      panel.onDidDispose(() => {
        this.detach();
        this.events.didDispose(this);
      }),
    ];
  }

  async state(): Promise<ReportState> {
    const entries = await Promise.all(this.runDirs.map(loadRun));
    return entries.length >= 2
      ? { mode: "compare", runs: [entries[0], entries[1]] }
      : { mode: "single", runs: [entries[0]] };
  }

  /** Reloads the reports and sends them to the webview (a report rewritten). */
  async refresh(): Promise<void> {
    await this.channel.notify(DidChangeStateNotification, await this.state());
  }

  /** Stops listening to the webview (the panel closed, or the extension is deactivating). */
  detach(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private async answerReady(): Promise<ReportState> {
    this.snapshot.readyRequests++;
    const state = await this.state();
    this.snapshot.answeredState = state;
    return state;
  }

  private async openFile(params: ParamsOf<typeof OpenFileCommand>): Promise<void> {
    this.snapshot.openFileCommands.push(params);
    if (!this.runDirs.some((u) => u.toString() === params.runDir))
      throw new Error(`not a run this panel shows: ${params.runDir}`);
    await openRunFile(params.runDir, params.path);
  }

  /** Opens one of the run's models in the graph viewer; a model the run ran or produced opens with its overlays. */
  private async openModelGraph({ runDir, path }: ParamsOf<typeof OpenModelGraphCommand>): Promise<void> {
    if (!this.runDirs.some((u) => u.toString() === runDir)) throw new Error(`not a run this panel shows: ${runDir}`);
    const run = await loadRun(vscode.Uri.parse(runDir));
    const models = run.models;
    if (!models || (models.original !== path && !models.produced.includes(path)))
      throw new Error(`not a model of the run: ${path}`);
    // What the run measured (its profile, partitions, quantization error) is the produced model's, or the original's
    // when it produced none.
    const withOverlays = models.produced.length === 0 || models.produced.includes(path);
    const options = withOverlays ? { runDir: vscode.Uri.parse(runDir).fsPath } : {};
    await vscode.commands.executeCommand("edge.openModelGraph", vscode.Uri.file(path), options);
  }

  /** Opens the run's profile in the profile viewer (compared with the other run's, in compare mode). */
  private async openProfile({ runDir, compareRunDir }: ParamsOf<typeof OpenProfileCommand>): Promise<void> {
    const shown = (dir: string | undefined) => dir === undefined || this.runDirs.some((u) => u.toString() === dir);
    if (!shown(runDir) || !shown(compareRunDir)) throw new Error(`not a run this panel shows: ${runDir}`);
    const options = compareRunDir ? { compareRunDir: vscode.Uri.parse(compareRunDir).fsPath } : {};
    await vscode.commands.executeCommand("edge.openProfile", vscode.Uri.parse(runDir), options);
  }

  private async compareWith({ runDir }: ParamsOf<typeof CompareWithCommand>): Promise<void> {
    const base = vscode.Uri.parse(runDir);
    const other = await this.host.pickRunToCompare(base);
    if (other) this.events.show([base, other]);
  }
}

/** Opens a file of a run (a path relative to the run directory; never outside it). */
async function openRunFile(runDir: string, path: string): Promise<void> {
  const parts = path.split(/[\\/]/).filter((p) => p && p !== ".");
  if (parts.includes("..")) throw new Error(`not a file of the run: ${path}`);
  const uri = vscode.Uri.joinPath(vscode.Uri.parse(runDir), ...parts);
  if (/\.md$/i.test(path))
    await vscode.commands
      .executeCommand("markdown.showPreview", uri)
      .then(undefined, () => vscode.window.showTextDocument(uri));
  else await vscode.commands.executeCommand("vscode.open", uri);
}

function keyOf(runDirs: vscode.Uri[]): string {
  return runDirs.map((u) => u.toString()).join("\n");
}

function titleOf(runDirs: vscode.Uri[]): string {
  return runDirs.length >= 2
    ? `Compare ${runIdOf(runDirs[0])} ↔ ${runIdOf(runDirs[1])}`
    : `Report ${runIdOf(runDirs[0])}`;
}

/** Restores report panels after a reload from what the webview kept with setState. */
export class ReportPanelSerializer implements vscode.WebviewPanelSerializer<ReportPersistedState> {
  constructor(private readonly panels: ReportPanels) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: ReportPersistedState | undefined): Promise<void> {
    const runDirs = (state?.runDirs ?? []).map((s) => vscode.Uri.parse(s));
    if (runDirs.length === 0) {
      panel.dispose();
      return;
    }
    this.panels.revive(panel, runDirs);
  }
}

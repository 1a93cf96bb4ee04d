// The run report panel (a WebviewPanel of viewType `edge.report`): one per run (or per compared pair), a strict CSP,
// resources only from dist/webviews, the typed protocol of webviews/protocol/report.ts, and a serializer so an open
// report survives a window reload. The webview speaks first (ReadyRequest); the reply is the runs to show.
import * as vscode from "vscode";
import { isWebviewToHostMessage, type HostToWebviewMessage, type ParamsOf } from "../../webviews/protocol/ipc";
import {
  CompareWithCommand,
  DidChangeStateNotification,
  OpenFileCommand,
  ReadyRequest,
  REPORT_VIEW_TYPE,
  type ReportPersistedState,
  type ReportState,
} from "../../webviews/protocol/report";
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

const panels = new Map<string, ReportPanel>();
let lastPanel: ReportPanel | undefined;
const readyEmitter = new vscode.EventEmitter<ReportPanel>();
/** Fires when a panel has answered its webview's ready request. */
export const onDidAnswerReady = readyEmitter.event;

export class ReportPanel {
  readonly snapshot: ReportPanelSnapshot;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly runDirs: vscode.Uri[],
    private readonly host: ReportHost,
  ) {
    const key = keyOf(runDirs);
    panels.set(key, this);
    this.snapshot = { viewType: panel.viewType, title: titleOf(runDirs), runDirs: runDirs.map((u) => u.toString()), readyRequests: 0, openFileCommands: [] };
    const webviewRoot = vscode.Uri.joinPath(host.extensionUri, "dist", "webviews");
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    panel.title = this.snapshot.title;
    // A codicon as the tab's icon is VS Code 1.108's API (iconPath was Uri | { light, dark } before). Older versions
    // leave the tab without it and the panel works (the extension-host suite opens reports on the oldest VS Code
    // engines.vscode admits); the cast keeps this line compiling against that version's @types/vscode.
    (panel as { iconPath?: unknown }).iconPath = new vscode.ThemeIcon("graph");
    const nonce = makeNonce();
    const asUri = (...parts: string[]) => panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, ...parts)).toString();
    panel.webview.html = reportHtml({
      cspSource: panel.webview.cspSource,
      nonce,
      scriptUri: asUri("report", "main.js"),
      styleUris: [asUri("codicons", "codicon.css"), asUri("report", "main.css")],
      title: this.snapshot.title,
    });
    panel.webview.onDidReceiveMessage((message: unknown) => void this.receive(message));
    panel.onDidDispose(() => {
      if (panels.get(keyOf(this.runDirs)) === this) panels.delete(keyOf(this.runDirs));
      if (lastPanel === this) lastPanel = undefined;
    });
  }

  /** Shows `runDirs` (one run, or two to compare), revealing the panel that already shows them. */
  static show(host: ReportHost, runDirs: vscode.Uri[]): ReportPanel {
    const existing = panels.get(keyOf(runDirs));
    if (existing) {
      existing.panel.reveal();
      lastPanel = existing;
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, titleOf(runDirs), vscode.ViewColumn.Active, { enableScripts: true, retainContextWhenHidden: false });
    return (lastPanel = new ReportPanel(panel, runDirs, host));
  }

  /** Takes over a panel VS Code restored after a reload (the serializer). */
  static revive(host: ReportHost, panel: vscode.WebviewPanel, runDirs: vscode.Uri[]): ReportPanel {
    return (lastPanel = new ReportPanel(panel, runDirs, host));
  }

  /** Sends fresh state to every panel showing `runDir` (its report.json was written again). */
  static async refreshShowing(runDir: vscode.Uri): Promise<void> {
    const key = runDir.toString();
    await Promise.all([...panels.values()].filter((p) => p.runDirs.some((u) => u.toString() === key)).map((p) => p.refresh()));
  }

  static get last(): ReportPanel | undefined {
    return lastPanel;
  }

  async state(): Promise<ReportState> {
    const entries = await Promise.all(this.runDirs.map(loadRun));
    return entries.length >= 2 ? { mode: "compare", runs: [entries[0], entries[1]] } : { mode: "single", runs: [entries[0]] };
  }

  /** Reloads the reports and sends them to the webview (a report rewritten). */
  async refresh(): Promise<void> {
    this.post({ method: DidChangeStateNotification.method, params: await this.state() });
  }

  private post(message: HostToWebviewMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private async receive(message: unknown): Promise<void> {
    if (!isWebviewToHostMessage(message)) return;
    try {
      switch (message.method) {
        case ReadyRequest.method: {
          this.snapshot.readyRequests++;
          const state = await this.state();
          this.snapshot.answeredState = state;
          this.post({ method: message.method, responseTo: message.id, params: state });
          readyEmitter.fire(this);
          return;
        }
        case OpenFileCommand.method: {
          const params = message.params as ParamsOf<typeof OpenFileCommand>;
          this.snapshot.openFileCommands.push(params);
          if (!this.runDirs.some((u) => u.toString() === params.runDir)) throw new Error(`not a run this panel shows: ${params.runDir}`);
          await openRunFile(params.runDir, params.path);
          return;
        }
        case CompareWithCommand.method: {
          const { runDir } = message.params as ParamsOf<typeof CompareWithCommand>;
          const base = vscode.Uri.parse(runDir);
          const other = await this.host.pickRunToCompare(base);
          if (other) ReportPanel.show(this.host, [base, other]);
          return;
        }
        default:
          this.host.log(`report webview: unknown message ${message.method}`);
      }
    } catch (error) {
      this.host.log(`report webview: ${message.method} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (message.id !== undefined) this.post({ method: message.method, responseTo: message.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** Opens a file of a run (a path relative to the run directory; never outside it). */
async function openRunFile(runDir: string, path: string): Promise<void> {
  const parts = path.split(/[\\/]/).filter((p) => p && p !== ".");
  if (parts.includes("..")) throw new Error(`not a file of the run: ${path}`);
  const uri = vscode.Uri.joinPath(vscode.Uri.parse(runDir), ...parts);
  if (/\.md$/i.test(path)) await vscode.commands.executeCommand("markdown.showPreview", uri).then(undefined, () => vscode.window.showTextDocument(uri));
  else await vscode.commands.executeCommand("vscode.open", uri);
}

function keyOf(runDirs: vscode.Uri[]): string {
  return runDirs.map((u) => u.toString()).join("\n");
}

function titleOf(runDirs: vscode.Uri[]): string {
  return runDirs.length >= 2 ? `Compare ${runIdOf(runDirs[0])} ↔ ${runIdOf(runDirs[1])}` : `Report ${runIdOf(runDirs[0])}`;
}

/** Restores report panels after a reload from what the webview kept with setState. */
export class ReportPanelSerializer implements vscode.WebviewPanelSerializer<ReportPersistedState> {
  constructor(private readonly host: ReportHost) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: ReportPersistedState | undefined): Promise<void> {
    const runDirs = (state?.runDirs ?? []).map((s) => vscode.Uri.parse(s));
    if (runDirs.length === 0) {
      panel.dispose();
      return;
    }
    ReportPanel.revive(this.host, panel, runDirs);
  }
}

// The report feature: the Runs view, the open report panels (ReportPanels) and their serializer, the commands
// edge.openReport / edge.compareRuns / edge.refreshRuns / edge.revealRun, and openReport / compareReports for the rest
// of the extension (a finished run opens its report). Ctx creates the one Reports and disposes it.
// Cheap at activation: no file is read until the view is shown or a command runs.
import * as vscode from "vscode";
import { REPORT_VIEW_TYPE } from "../../webviews/protocol/report";
import { RUNS_VIEW_ID, RunsProvider, type RunInfo } from "./runs-provider";
import { ReportPanels, ReportPanelSerializer, type ReportHost, type ReportPanelSnapshot } from "./report-panel";

/** What the extension's API exposes of reports (for tests and other features). */
export interface ReportsApi {
  openReport(runDir: vscode.Uri): Promise<void>;
  compareReports(a: vscode.Uri, b: vscode.Uri): Promise<void>;
  /** The runs the Runs view lists, newest first. */
  listRuns(): Promise<{ uri: vscode.Uri; runId: string; status?: string }[]>;
  /** The most recently shown report panel, for tests. */
  lastPanel(): ReportPanelSnapshot | undefined;
  /** Fires when a panel answered its webview's ready request. */
  readonly onDidAnswerReady: vscode.Event<ReportPanelSnapshot>;
}

export class Reports implements ReportHost, vscode.Disposable {
  readonly runsView = new RunsProvider();
  readonly panels = new ReportPanels(this);
  private readonly disposables: vscode.Disposable[] = [this.runsView, this.panels];

  constructor(
    readonly extensionUri: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.window.registerTreeDataProvider(RUNS_VIEW_ID, this.runsView),
      vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, new ReportPanelSerializer(this.panels)),
    );
    // A report written again (a run finishing into a directory already shown) updates the panels showing it.
    const reportFiles = vscode.workspace.createFileSystemWatcher("**/.edge/runs/*/report.json");
    const changed = (file: vscode.Uri) => void this.panels.refreshShowing(vscode.Uri.joinPath(file, ".."));
    this.disposables.push(reportFiles, reportFiles.onDidChange(changed), reportFiles.onDidCreate(changed));
  }

  log(message: string): void {
    this.output.warn(message);
  }

  /** Opens a run's report (`runDir`: the `.edge/runs/<id>` directory). For the run features and CodeLens. */
  async openReport(runDir: vscode.Uri): Promise<void> {
    this.panels.show([runDir]);
  }

  /** Shows two runs side by side, with B's deltas against A. */
  async compareReports(a: vscode.Uri, b: vscode.Uri): Promise<void> {
    this.panels.show([a, b]);
  }

  async pickRun(placeHolder: string, except?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const runs = (await this.runsView.listRuns()).filter((r) => r.uri.toString() !== except?.toString());
    if (runs.length === 0) {
      void vscode.window.showInformationMessage("Edge: no runs in .edge/runs of this workspace yet.");
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((r) => ({
        label: r.report?.recipe.name ?? r.runId,
        description: `${r.report?.device.name ?? ""} ${r.report?.status ?? r.error ?? ""}`.trim(),
        detail: r.runId,
        uri: r.uri,
      })),
      { placeHolder, matchOnDetail: true },
    );
    return picked?.uri;
  }

  pickRunToCompare(runDir: vscode.Uri): Promise<vscode.Uri | undefined> {
    return this.pickRun(`Compare ${runDir.path.split("/").pop()} with…`, runDir);
  }

  /** `edge.openReport [runDir]`. */
  async openReportCommand(arg?: unknown): Promise<void> {
    const uri = runUriOf(arg) ?? (await this.pickRun("Open the report of…"));
    if (uri) await this.openReport(uri);
  }

  /** `edge.compareRuns [a] [b]` (the Runs view's "Compare with…" passes the item). */
  async compareRunsCommand(a?: unknown, b?: unknown): Promise<void> {
    const first = runUriOf(a) ?? (await this.pickRun("Compare runs: pick the first (A)"));
    if (!first) return;
    const second = runUriOf(b) ?? (await this.pickRunToCompare(first));
    if (second) await this.compareReports(first, second);
  }

  /** `edge.refreshRuns`. */
  refreshRuns(): void {
    this.runsView.refresh();
  }

  /** `edge.revealRun`: the run's folder in the Explorer. */
  async revealRun(arg?: unknown): Promise<void> {
    const uri = runUriOf(arg);
    if (uri) await vscode.commands.executeCommand("revealInExplorer", uri);
  }

  api(): ReportsApi {
    return {
      openReport: (u) => this.openReport(u),
      compareReports: (a, b) => this.compareReports(a, b),
      listRuns: async () =>
        (await this.runsView.listRuns()).map((r) => ({ uri: r.uri, runId: r.runId, status: r.report?.status })),
      lastPanel: () => this.panels.last?.snapshot,
      onDidAnswerReady: (listener, thisArg, disposables) =>
        this.panels.onDidAnswerReady((p) => listener.call(thisArg, p.snapshot), undefined, disposables),
    };
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** A command argument: a Uri, a Runs view item, or nothing (ask). */
function runUriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === "string") return vscode.Uri.file(arg);
  const info = arg as Partial<RunInfo> | undefined;
  return info?.uri instanceof vscode.Uri ? info.uri : undefined;
}

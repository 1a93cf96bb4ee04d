// The report feature's entry point: registers the Runs view, the report panel's serializer, and offers
// openReport / compareReports to the rest of the extension (the task provider opens a report when a run ends).
// Cheap at activation: no file is read until the view is shown or a command runs.
import * as vscode from "vscode";
import { REPORT_VIEW_TYPE } from "../../webviews/protocol/report";
import { RUNS_VIEW_ID, RunsProvider, type RunInfo } from "./runs-provider";
import { onDidAnswerReady, ReportPanel, ReportPanelSerializer, type ReportHost, type ReportPanelSnapshot } from "./report-panel";

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

let reports: Reports | undefined;

export class Reports implements ReportHost, vscode.Disposable {
  readonly runs = new RunsProvider();
  private readonly disposables: vscode.Disposable[] = [this.runs];

  constructor(
    readonly extensionUri: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.window.registerTreeDataProvider(RUNS_VIEW_ID, this.runs),
      vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, new ReportPanelSerializer(this)),
    );
    // A report written again (a run finishing into a directory already shown) updates the panels showing it.
    const reportFiles = vscode.workspace.createFileSystemWatcher("**/.edge/runs/*/report.json");
    const changed = (file: vscode.Uri) => void ReportPanel.refreshShowing(vscode.Uri.joinPath(file, ".."));
    this.disposables.push(reportFiles, reportFiles.onDidChange(changed), reportFiles.onDidCreate(changed));
  }

  log(message: string): void {
    this.output.warn(message);
  }

  async openReport(runDir: vscode.Uri): Promise<void> {
    ReportPanel.show(this, [runDir]);
  }

  async compareReports(a: vscode.Uri, b: vscode.Uri): Promise<void> {
    ReportPanel.show(this, [a, b]);
  }

  async pickRun(placeHolder: string, except?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const runs = (await this.runs.listRuns()).filter((r) => r.uri.toString() !== except?.toString());
    if (runs.length === 0) {
      void vscode.window.showInformationMessage("Edge: no runs in .edge/runs of this workspace yet.");
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((r) => ({ label: r.report?.recipe.name ?? r.runId, description: `${r.report?.device.name ?? ""} ${r.report?.status ?? r.error ?? ""}`.trim(), detail: r.runId, uri: r.uri })),
      { placeHolder, matchOnDetail: true },
    );
    return picked?.uri;
  }

  pickRunToCompare(runDir: vscode.Uri): Promise<vscode.Uri | undefined> {
    return this.pickRun(`Compare ${runDir.path.split("/").pop()} with…`, runDir);
  }

  api(): ReportsApi {
    return {
      openReport: (u) => this.openReport(u),
      compareReports: (a, b) => this.compareReports(a, b),
      listRuns: async () => (await this.runs.listRuns()).map((r) => ({ uri: r.uri, runId: r.runId, status: r.report?.status })),
      lastPanel: () => ReportPanel.last?.snapshot,
      onDidAnswerReady: (listener, thisArg, disposables) => onDidAnswerReady((p) => listener.call(thisArg, p.snapshot), undefined, disposables),
    };
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Registers the Runs view and the panel serializer; main.ts calls it once in activate. */
export function registerReports(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Reports {
  reports = new Reports(context.extensionUri, log);
  context.subscriptions.push(reports);
  return reports;
}

function current(): Reports {
  if (!reports) throw new Error("Edge Studio is not activated");
  return reports;
}

/** Opens a run's report (`runDir`: the `.edge/runs/<id>` directory). For the task provider and CodeLens. */
export function openReport(runDir: vscode.Uri): Promise<void> {
  return current().openReport(runDir);
}

/** Shows two runs side by side, with B's deltas against A. */
export function compareReports(a: vscode.Uri, b: vscode.Uri): Promise<void> {
  return current().compareReports(a, b);
}

/** A command argument: a Uri, a Runs view item, or nothing (ask). */
function runUriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === "string") return vscode.Uri.file(arg);
  const info = arg as Partial<RunInfo> | undefined;
  return info?.uri instanceof vscode.Uri ? info.uri : undefined;
}

/** `edge.openReport [runDir]`. */
export async function openReportCommand(arg?: unknown): Promise<void> {
  const r = current();
  const uri = runUriOf(arg) ?? (await r.pickRun("Open the report of…"));
  if (uri) await r.openReport(uri);
}

/** `edge.compareRuns [a] [b]` (the Runs view's "Compare with…" passes the item). */
export async function compareRunsCommand(a?: unknown, b?: unknown): Promise<void> {
  const r = current();
  const first = runUriOf(a) ?? (await r.pickRun("Compare runs: pick the first (A)"));
  if (!first) return;
  const second = runUriOf(b) ?? (await r.pickRunToCompare(first));
  if (second) await r.compareReports(first, second);
}

export function refreshRunsCommand(): void {
  current().runs.refresh();
}

/** `edge.revealRun`: the run's folder in the Explorer. */
export async function revealRunCommand(arg?: unknown): Promise<void> {
  const uri = runUriOf(arg);
  if (uri) await vscode.commands.executeCommand("revealInExplorer", uri);
}

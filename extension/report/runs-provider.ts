// The Runs view (`edge.runs`, in the Explorer): every `.edge/runs/*` directory of the workspace folders, newest first,
// with a status icon, the recipe, and device · p50 · p95 in the description. Watches report.json files to refresh.
import * as vscode from "vscode";
import type { RunReport } from "../../common/report";
import { loadRun } from "./load-run";

export const RUNS_VIEW_ID = "edge.runs";
export const RUN_ITEM_CONTEXT = "edgeRun";

export interface RunInfo {
  uri: vscode.Uri;
  runId: string;
  report?: RunReport;
  error?: string;
  /** For sorting: report.startedAt, else the directory's mtime (ISO). */
  sortKey: string;
}

export class RunsProvider implements vscode.TreeDataProvider<RunInfo>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher("**/.edge/runs/**");
    const later = () => this.refreshSoon();
    this.disposables.push(
      watcher,
      watcher.onDidCreate(later),
      watcher.onDidChange(later),
      watcher.onDidDelete(later),
      vscode.workspace.onDidChangeWorkspaceFolders(later),
    );
  }

  refresh(): void {
    this.changed.fire();
  }

  private refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 200);
  }

  /** Every run of every workspace folder, newest first. */
  async listRuns(): Promise<RunInfo[]> {
    const runs: RunInfo[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const root = vscode.Uri.joinPath(folder.uri, ".edge", "runs");
      let entries: [string, vscode.FileType][];
      try {
        entries = await vscode.workspace.fs.readDirectory(root);
      } catch {
        continue; // no runs in this folder
      }
      await Promise.all(
        entries
          .filter(([, type]) => type & vscode.FileType.Directory)
          .map(async ([name]) => {
            const uri = vscode.Uri.joinPath(root, name);
            const entry = await loadRun(uri);
            let sortKey = entry.report?.startedAt;
            if (!sortKey) {
              const stat = await vscode.workspace.fs.stat(uri).then(
                (s) => s,
                () => undefined,
              );
              sortKey = new Date(stat?.mtime ?? 0).toISOString();
            }
            runs.push({ uri, runId: name, report: entry.report, error: entry.error, sortKey });
          }),
      );
    }
    return runs.sort((a, b) =>
      a.sortKey === b.sortKey ? b.runId.localeCompare(a.runId) : a.sortKey < b.sortKey ? 1 : -1,
    );
  }

  getChildren(element?: RunInfo): Promise<RunInfo[]> | RunInfo[] {
    return element ? [] : this.listRuns();
  }

  getTreeItem(run: RunInfo): vscode.TreeItem {
    const r = run.report;
    const item = new vscode.TreeItem(r?.recipe.name ?? run.runId, vscode.TreeItemCollapsibleState.None);
    item.id = run.uri.toString();
    item.resourceUri = run.uri;
    item.contextValue = RUN_ITEM_CONTEXT;
    const ms = (x: number | undefined) => (x === undefined ? "—" : `${x.toFixed(x >= 100 ? 0 : 2)} ms`);
    item.description = r ? `${r.device.name} · p50 ${ms(r.latency?.p50Ms)} · p95 ${ms(r.latency?.p95Ms)}` : "no report";
    const status = r?.status ?? "unreadable";
    item.iconPath =
      status === "ok"
        ? new vscode.ThemeIcon("pass", new vscode.ThemeColor("testing.iconPassed"))
        : status === "aborted"
          ? new vscode.ThemeIcon("circle-slash")
          : new vscode.ThemeIcon("error", new vscode.ThemeColor("testing.iconFailed"));
    item.tooltip = new vscode.MarkdownString(
      `**${run.runId}**\n\nstatus: ${status}${r ? `\n\nstarted: ${new Date(r.startedAt).toLocaleString()}` : `\n\n${run.error ?? ""}`}`,
    );
    item.command = { title: "Open Report", command: "edge.openReport", arguments: [run.uri] };
    return item;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

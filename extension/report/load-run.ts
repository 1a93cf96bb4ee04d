// Reads a run directory's report.json into the webview's RunEntry, checking schemaVersion. Unreadable reports are
// entries with an error (shown in the view), never exceptions.
import * as vscode from "vscode";
import { REPORT_JSON_FILE, REPORT_SCHEMA_VERSION, type RunReport } from "../../common/report";
import type { RunEntry } from "../../webviews/protocol/report";
import { runModels } from "../graph/model-runs";

export function runIdOf(runDir: vscode.Uri): string {
  return runDir.path.split("/").filter(Boolean).pop() ?? runDir.path;
}

export async function loadRun(runDir: vscode.Uri): Promise<RunEntry> {
  const entry: RunEntry = { runDir: runDir.toString(), runId: runIdOf(runDir) };
  const file = vscode.Uri.joinPath(runDir, REPORT_JSON_FILE);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)));
  } catch (error) {
    return { ...entry, error: `cannot read ${file.fsPath}: ${error instanceof Error ? error.message : String(error)}` };
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== REPORT_SCHEMA_VERSION) {
    return {
      ...entry,
      error: `${file.fsPath} has schemaVersion ${String(version)}; this version of Edge Studio reads ${REPORT_SCHEMA_VERSION}`,
    };
  }
  const report = json as RunReport;
  let models: RunEntry["models"];
  try {
    models = runDir.scheme === "file" ? runModels(report, runDir.fsPath) : undefined;
  } catch {
    models = undefined; // a report with odd paths still shows; only its graph links are missing
  }
  return { ...entry, report, models };
}

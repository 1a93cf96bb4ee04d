// Finds a recipe's newest run report: `.edge/runs/<YYYYMMDD-HHMMSS>-<recipe name>-<device>/report.md` in the
// recipe's workspace folder (run ids sort by time). Opening it is the report feature's (extension/report/).
import * as vscode from "vscode";
import { sanitizeName } from "../../engine/report";

/** The newest run directory's report.md for the recipe named `recipeName`, or undefined. */
export async function findLastReport(folder: vscode.Uri, recipeName: string): Promise<vscode.Uri | undefined> {
  const runs = vscode.Uri.joinPath(folder, ".edge", "runs");
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(runs);
  } catch {
    return undefined; // no runs yet
  }
  const pattern = new RegExp(`^\\d{8}-\\d{6}-${escape(sanitizeName(recipeName))}-`);
  const candidates = entries
    .filter(([name, type]) => type === vscode.FileType.Directory && pattern.test(name))
    .map(([name]) => name)
    .sort()
    .reverse();
  for (const name of candidates) {
    const report = vscode.Uri.joinPath(runs, name, "report.md");
    try {
      await vscode.workspace.fs.stat(report);
      return report;
    } catch {
      // a run without a report (still running, or killed): try the one before
    }
  }
  return undefined;
}

/** The run directory of a report file (its report.md or report.json). */
export function runDirOf(report: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(report, "..");
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

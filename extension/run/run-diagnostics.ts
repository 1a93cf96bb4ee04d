// The "edge-run" diagnostics: errors a run reports (engine `error` events) placed on the recipe's lines. An error
// with where.file/line/column lands there; one without a line lands on line 1 of its file (or of the recipe).
// Recipe problems also show live from the language server; these are what the last run said.
import { isAbsolute, resolve } from "node:path";
import * as vscode from "vscode";
import type { ErrorEvent } from "../../engine/events";

export const RUN_DIAGNOSTICS = "edge-run";
export const RUN_DIAGNOSTIC_SOURCE = "edge run";

export class RunDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(RUN_DIAGNOSTICS);

  /** Forgets what earlier runs of this recipe said (called when a run starts). */
  clear(recipe: vscode.Uri): void {
    this.collection.delete(recipe);
  }

  add(event: ErrorEvent, cwd: string, recipe: vscode.Uri): void {
    const file = event.where.file
      ? vscode.Uri.file(isAbsolute(event.where.file) ? event.where.file : resolve(cwd, event.where.file))
      : recipe;
    const line = Math.max(0, (event.where.line ?? 1) - 1);
    const column = Math.max(0, (event.where.column ?? 1) - 1);
    const diagnostic = new vscode.Diagnostic(
      rangeOn(file, line, column),
      event.hint ? `${event.message}\nhint: ${event.hint}` : event.message,
      vscode.DiagnosticSeverity.Error,
    );
    diagnostic.source = RUN_DIAGNOSTIC_SOURCE;
    diagnostic.code = event.code;
    this.collection.set(file, [...(this.collection.get(file) ?? []), diagnostic]);
  }

  dispose(): void {
    this.collection.dispose();
  }
}

/** From the column to the end of the line when the document is open, else to a far column VS Code clamps. */
function rangeOn(file: vscode.Uri, line: number, column: number): vscode.Range {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.toString());
  const end = document && line < document.lineCount ? document.lineAt(line).range.end.character : column + 1000;
  return new vscode.Range(line, Math.min(column, end), line, Math.max(end, column));
}

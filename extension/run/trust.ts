// Workspace trust for the run features: in an untrusted workspace nothing runs a model or touches a device. The
// commands explain why and offer "Manage Workspace Trust"; CodeLens says so; the task provider provides no tasks.
import * as vscode from "vscode";

export const MANAGE_TRUST = "Manage Workspace Trust";

export function canRun(): boolean {
  return vscode.workspace.isTrusted;
}

/** Tells the user why `action` is disabled, with a button to the trust editor. */
export async function explainUntrusted(action: string): Promise<void> {
  const choice = await vscode.window.showWarningMessage(
    `Edge: ${action} is disabled in an untrusted workspace, because a run executes the recipe's model and tools from this folder. Trust the workspace to run.`,
    MANAGE_TRUST,
  );
  if (choice === MANAGE_TRUST) await vscode.commands.executeCommand("workbench.trust.manage");
}

/** Calls `listener` once the user trusts the workspace (never, when it is trusted already). */
export function onDidGrantTrust(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(listener);
}

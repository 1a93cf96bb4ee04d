// `edge.revealNodeKernels`, the host's side of the graph webview's RevealKernelsCommand: until the profile viewer
// (issue 11) exists, it opens the run's profile.json as text at the node's first kernel event and says in the status
// bar that the profile viewer will take this over. Small on purpose: the profile viewer replaces it.
import * as vscode from "vscode";
import type { NodeRef } from "../../webviews/protocol/node-links";
import { loadRun } from "../report/load-run";

/** Profiles larger than this open without searching for the node (the whole text would be held). */
const SEARCH_LIMIT_BYTES = 20e6;

export async function revealNodeKernels(ref: NodeRef): Promise<void> {
  if (!ref.runDir) {
    void vscode.window.showInformationMessage(
      `Edge: to see the kernels of ${ref.node}, turn on a run's overlays in the graph first (the run's profile has them).`,
    );
    return;
  }
  const run = await loadRun(vscode.Uri.file(ref.runDir));
  const profilePath = run.report?.profile.path;
  if (!profilePath) {
    void vscode.window.showInformationMessage(
      `Edge: run ${run.runId} has no profile${run.error ? ` (${run.error})` : ""}; run the recipe with profiling to see kernels.`,
    );
    return;
  }
  const profile = vscode.Uri.joinPath(vscode.Uri.file(ref.runDir), ...profilePath.split(/[\\/]/).filter(Boolean));
  const stat = await vscode.workspace.fs.stat(profile);
  if (stat.size > SEARCH_LIMIT_BYTES) {
    await vscode.commands.executeCommand("vscode.open", profile);
  } else {
    const document = await vscode.workspace.openTextDocument(profile);
    // onnxruntime names kernels by node: `"node_name":"<node>"` in args, or the event name `<node>_kernel_time`.
    const needle = JSON.stringify(ref.node).slice(0, -1);
    const at = document.getText().indexOf(needle);
    const selection =
      at >= 0 ? new vscode.Range(document.positionAt(at + 1), document.positionAt(at + needle.length)) : undefined;
    await vscode.window.showTextDocument(document, { selection, preview: true });
  }
  vscode.window.setStatusBarMessage(
    `Edge: kernels of ${ref.node} shown in ${run.runId}'s profile.json as text; the profile viewer will take this over.`,
    15_000,
  );
}

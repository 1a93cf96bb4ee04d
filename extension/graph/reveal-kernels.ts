// `edge.revealNodeKernels`, the host's side of the graph webview's RevealKernelsCommand: the node's kernels are
// shown by the profile viewer (extension/profile/: the run's profile.json in an edge.profile viewer, or the run's
// live timeline while it runs, with DidHighlightKernelsNotification). The graph features reach it through the
// command, so the graph viewer does not depend on the profile viewer's module.
import * as vscode from "vscode";
import type { NodeRef } from "../../webviews/protocol/node-links";

export const REVEAL_NODE_KERNELS_COMMAND = "edge.revealNodeKernels";

export async function revealNodeKernels(ref: NodeRef): Promise<void> {
  await vscode.commands.executeCommand(REVEAL_NODE_KERNELS_COMMAND, ref);
}

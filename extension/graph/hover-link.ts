// The language client's hover middleware for the graph viewer's link: the recipe language server's hover on
// `model.path` ends with `[Open graph](command:edge.openModelGraph?…)`, and VS Code runs a command link only from
// markdown trusted for it. Trusts exactly that one command, nothing else.
import * as vscode from "vscode";
import type { Middleware } from "vscode-languageclient/node";

export const TRUSTED_HOVER_COMMANDS = ["edge.openModelGraph"];

/** Marks the hover's markdown as trusted for `TRUSTED_HOVER_COMMANDS` only. */
export function trustHoverCommands(hover: vscode.Hover | null | undefined): vscode.Hover | null | undefined {
  for (const content of hover?.contents ?? [])
    if (content instanceof vscode.MarkdownString) content.isTrusted = { enabledCommands: TRUSTED_HOVER_COMMANDS };
  return hover;
}

export const hoverLinkMiddleware: Middleware = {
  provideHover: async (document, position, token, next) => trustHoverCommands(await next(document, position, token)),
};

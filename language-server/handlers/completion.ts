// textDocument/completion: keys, values and names from the world, as the language service computes them.
// Completion lists are marked incomplete by the service when it filters (node names of a big model), so the client
// asks again as the user types.
import type { CompletionList, CompletionOptions } from "vscode-languageserver/node";
import { type HandlerContext, onDocumentRequest } from "./context";

/** `:` after a key, ` ` after `key:`, `-` for a list item, `[`/`,` in flow lists, `/` in paths, `.` in `../`. */
export const COMPLETION_TRIGGER_CHARACTERS = [":", " ", "-", "[", ",", "/", "."];

export const completionOptions: CompletionOptions = {
  triggerCharacters: COMPLETION_TRIGGER_CHARACTERS,
  resolveProvider: false,
};

const emptyList = (): CompletionList => ({ isIncomplete: false, items: [] });

export function registerCompletionHandlers(context: HandlerContext): void {
  context.connection.onCompletion(
    onDocumentRequest(context, "completion", emptyList, (document, params) =>
      context.service.doComplete(document, params.position),
    ),
  );
}

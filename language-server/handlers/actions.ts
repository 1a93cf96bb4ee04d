// Code actions (quick fixes for the diagnostics in the requested range) and whole-document formatting that keeps
// comments and key order.
import { CodeActionKind, type CodeActionOptions } from "vscode-languageserver/node";
import { type HandlerContext, onDocumentRequest } from "./context";

export const codeActionOptions: CodeActionOptions = { codeActionKinds: [CodeActionKind.QuickFix] };

export function registerActionHandlers(context: HandlerContext): void {
  const { connection, service } = context;
  connection.onCodeAction(
    onDocumentRequest(
      context,
      "codeAction",
      () => [],
      (document, params) => service.getCodeActions(document, params.range, params.context.diagnostics),
    ),
  );
  connection.onDocumentFormatting(
    onDocumentRequest(
      context,
      "formatting",
      () => [],
      (document, params) => service.format(document, params.options),
    ),
  );
}

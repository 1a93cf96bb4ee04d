// Placeholder: replaced by the code actions feature.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { CodeAction, Diagnostic, Range } from "vscode-languageserver-types";
import type { ServiceContext } from "./language-service";
export function getCodeActions(_c: ServiceContext, _d: TextDocument, _r: Range, _diags: Diagnostic[]): CodeAction[] {
  throw new Error("not built yet");
}

// Placeholder: replaced by the document symbols feature.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { DocumentSymbol } from "vscode-languageserver-types";
import type { ServiceContext } from "./language-service";
export function findDocumentSymbols(_c: ServiceContext, _d: TextDocument): DocumentSymbol[] {
  throw new Error("not built yet");
}

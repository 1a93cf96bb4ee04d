// Placeholder: replaced by the document links feature.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { DocumentLink } from "vscode-languageserver-types";
import type { ServiceContext } from "./language-service";
export function findDocumentLinks(_c: ServiceContext, _d: TextDocument): DocumentLink[] {
  throw new Error("not built yet");
}

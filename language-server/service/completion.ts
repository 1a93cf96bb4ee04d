// Placeholder: replaced by the completion feature.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { CompletionList, Position } from "vscode-languageserver-types";
import type { ServiceContext } from "./language-service";
export async function doComplete(_c: ServiceContext, _d: TextDocument, _p: Position): Promise<CompletionList> {
  throw new Error("not built yet");
}

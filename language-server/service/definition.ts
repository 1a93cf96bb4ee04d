// Placeholder: replaced by the go-to-definition feature.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Location, Position } from "vscode-languageserver-types";
import type { ServiceContext } from "./language-service";
export async function findDefinition(_c: ServiceContext, _d: TextDocument, _p: Position): Promise<Location[]> {
  throw new Error("not built yet");
}

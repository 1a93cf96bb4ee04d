// Placeholder: replaced by the hover feature.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Hover, Position } from "vscode-languageserver-types";
import type { ServiceContext } from "./language-service";
export async function doHover(_c: ServiceContext, _d: TextDocument, _p: Position): Promise<Hover | null> {
  throw new Error("not built yet");
}

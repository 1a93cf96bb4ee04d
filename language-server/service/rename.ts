// Placeholder: replaced by the rename feature.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Position, Range, WorkspaceEdit } from "vscode-languageserver-types";
import type { ServiceContext } from "./language-service";
export function prepareRename(_c: ServiceContext, _d: TextDocument, _p: Position): Range | null {
  throw new Error("not built yet");
}
export function doRename(_c: ServiceContext, _d: TextDocument, _p: Position, _n: string): WorkspaceEdit | null {
  throw new Error("not built yet");
}

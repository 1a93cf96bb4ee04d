// Placeholder: replaced by the folding feature.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { FoldingRange } from "vscode-languageserver-types";
import type { ServiceContext } from "./language-service";
export function getFoldingRanges(_c: ServiceContext, _d: TextDocument): FoldingRange[] {
  throw new Error("not built yet");
}

// Placeholder: replaced by the formatting feature.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { FormattingOptions, TextEdit } from "vscode-languageserver-types";
import type { ServiceContext } from "./language-service";
export function format(_c: ServiceContext, _d: TextDocument, _o: FormattingOptions): TextEdit[] {
  throw new Error("not built yet");
}

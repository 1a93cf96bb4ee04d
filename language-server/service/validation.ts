// Placeholder: replaced by the diagnostics feature.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Diagnostic } from "vscode-languageserver-types";
import type { ServiceContext } from "./language-service";
export async function doValidation(_c: ServiceContext, _d: TextDocument): Promise<Diagnostic[]> {
  throw new Error("not built yet");
}

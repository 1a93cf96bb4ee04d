// Structure and navigation: document symbols (outline), folding ranges, document links for paths,
// go-to-definition (a referenced name to its definition, a path to its file), and rename of datasets and devices.
import type { Range } from "vscode-languageserver/node";
import { type HandlerContext, onDocumentRequest } from "./context";

export function registerNavigationHandlers(context: HandlerContext): void {
  const { connection, service } = context;
  connection.onDocumentSymbol(
    onDocumentRequest(
      context,
      "documentSymbol",
      () => [],
      (document) => service.findDocumentSymbols(document),
    ),
  );
  connection.onFoldingRanges(
    onDocumentRequest(
      context,
      "foldingRange",
      () => [],
      (document) => service.getFoldingRanges(document),
    ),
  );
  connection.onDocumentLinks(
    onDocumentRequest(
      context,
      "documentLink",
      () => [],
      (document) => service.findDocumentLinks(document),
    ),
  );
  connection.onDefinition(
    onDocumentRequest(
      context,
      "definition",
      () => [],
      (document, params) => service.findDefinition(document, params.position),
    ),
  );
  connection.onPrepareRename(
    onDocumentRequest(
      context,
      "prepareRename",
      (): Range | null => null,
      (document, params) => service.prepareRename(document, params.position),
    ),
  );
  connection.onRenameRequest(
    onDocumentRequest(
      context,
      "rename",
      () => null,
      (document, params) => service.doRename(document, params.position, params.newName),
    ),
  );
}

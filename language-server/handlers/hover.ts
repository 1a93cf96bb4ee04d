// textDocument/hover: the schema's description and example, and what the model says about a path, an op or a node.
import { type HandlerContext, onDocumentRequest } from "./context";

export function registerHoverHandlers(context: HandlerContext): void {
  context.connection.onHover(
    onDocumentRequest(
      context,
      "hover",
      () => null,
      (document, params) => context.service.doHover(document, params.position),
    ),
  );
}

// Document links for the file paths a recipe names (`model.path`, `data.*.path`, `data.*.tokenizer`,
// `devices.*.ssh.identity_file`), resolved as the engine resolves them: relative to the recipe's folder, `~/` to
// the home folder. Every written path gets a link, whether or not the file exists (a link is answered at once,
// without I/O; a missing file already has its diagnostic at the same place). The tooltip names the absolute path.
// Relative paths in an unsaved buffer mean nothing yet: no link.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { DocumentLink } from "vscode-languageserver-types";
import { pathToFileURL } from "node:url";
import type { ServiceContext } from "../service-context";
import { offsetRange, scalarContent } from "../recipe/nodes";
import { pathValues, resolveWritten } from "../recipe/references";

export function findDocumentLinks(context: ServiceContext, textDocument: TextDocument): DocumentLink[] {
  const document = context.documents.get(textDocument);
  const links: DocumentLink[] = [];
  for (const { node, written } of pathValues(document.parsed.source.doc)) {
    const absolute = resolveWritten(written, document.baseDir, context.world.homeDir);
    if (!absolute) continue;
    const [start, end] = scalarContent(node);
    links.push({
      range: offsetRange(textDocument, start, end),
      target: pathToFileURL(absolute).href,
      tooltip: `Open ${absolute}`,
    });
  }
  return links;
}

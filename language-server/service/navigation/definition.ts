// Go to definition: from a device or dataset name where it is used (`run.device: pixel8`, `evaluate.data: eval`)
// to its key under `devices` or `data`; from a file path (`model.path`, dataset paths, tokenizers, identity files)
// to the file, when it exists and is a file (a folder, or nothing, has no location to go to).
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Location, Position } from "vscode-languageserver-types";
import { pathToFileURL } from "node:url";
import type { ServiceContext } from "../service-context";
import { nodeAt, offsetRange } from "../recipe/nodes";
import { definitionKey, isPathValue, nameAt, resolveWritten } from "../recipe/references";
import { isScalar } from "yaml";

export async function findDefinition(
  context: ServiceContext,
  textDocument: TextDocument,
  position: Position,
): Promise<Location[]> {
  const document = context.documents.get(textDocument);
  const doc = document.parsed.source.doc;
  const hit = nodeAt(doc, textDocument.offsetAt(position));
  if (!hit) return [];

  const name = nameAt(doc, hit.path, hit.on, hit.node);
  if (name?.role === "use") {
    const key = definitionKey(doc, name.kind, name.name);
    return key?.range ? [{ uri: document.uri, range: offsetRange(textDocument, key.range[0], key.range[1]) }] : [];
  }

  if (hit.on === "value" && isPathValue(hit.path) && isScalar(hit.node) && typeof hit.node.value === "string") {
    const absolute = resolveWritten(hit.node.value, document.baseDir, context.world.homeDir);
    if (!absolute || (await context.world.pathKind(absolute)) !== "file") return [];
    return [
      {
        uri: pathToFileURL(absolute).href,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      },
    ];
  }
  return [];
}

// Rename a device or dataset across the recipe: its key under `devices` or `data` and every use (`run.device`;
// `quantize.calibration.data`, `evaluate.data`, `run.data`). Quotes around an occurrence are kept.
// prepareRename answers the name's range (without quotes) only on a name that is defined in the recipe, else null.
// doRename refuses a new name that is not a valid name or that is already taken by throwing a ResponseError
// (RequestFailed) whose message says why, so the editor shows it; it returns null where there is nothing to rename.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Position, Range, TextEdit, WorkspaceEdit } from "vscode-languageserver-types";
import { LSPErrorCodes, ResponseError } from "vscode-languageserver";
import { parse } from "yaml";
import { recipeSchema } from "../../../engine/recipe";
import type { ServiceContext } from "../service-context";
import { nodeAt, offsetRange, scalarContent } from "../recipe/nodes";
import {
  definedNames,
  definitionKey,
  type NameOccurrence,
  nameAt,
  nameSections,
  occurrences,
} from "../recipe/references";

const namePattern = new RegExp(String(recipeSchema.$defs.Name.pattern));
const nameMaxLength = Number(recipeSchema.$defs.Name.maxLength);

/** The name occurrence at a position, when it names something the recipe defines. */
function renameTarget(
  context: ServiceContext,
  textDocument: TextDocument,
  position: Position,
): NameOccurrence | undefined {
  const doc = context.documents.get(textDocument).parsed.source.doc;
  const hit = nodeAt(doc, textDocument.offsetAt(position));
  if (!hit) return undefined;
  const found = nameAt(doc, hit.path, hit.on, hit.node);
  if (!found || !definitionKey(doc, found.kind, found.name)) return undefined;
  return found;
}

export function prepareRename(context: ServiceContext, textDocument: TextDocument, position: Position): Range | null {
  const target = renameTarget(context, textDocument, position);
  if (!target) return null;
  const [start, end] = scalarContent(target.node);
  return offsetRange(textDocument, start, end);
}

export function doRename(
  context: ServiceContext,
  textDocument: TextDocument,
  position: Position,
  newName: string,
): WorkspaceEdit | null {
  const target = renameTarget(context, textDocument, position);
  if (!target) return null;
  if (newName === target.name) return { changes: { [textDocument.uri]: [] } };
  const what = target.kind === "device" ? "device" : "dataset";
  if (!namePattern.test(newName) || newName.length > nameMaxLength) {
    throw new ResponseError(
      LSPErrorCodes.RequestFailed,
      `\`${newName}\` is not a valid ${what} name: use only letters, digits, \`.\`, \`_\` and \`-\`, starting with a letter or digit (at most ${nameMaxLength})`,
    );
  }
  const doc = context.documents.get(textDocument).parsed.source.doc;
  if (definedNames(doc, target.kind).includes(newName)) {
    throw new ResponseError(
      LSPErrorCodes.RequestFailed,
      `a ${what} named \`${newName}\` already exists under \`${nameSections[target.kind].definedIn}\``,
    );
  }
  // A name YAML would read as something else (`1`, `true`, `1e3`) is written quoted where it was plain.
  const needsQuotes = typeof parse(newName) !== "string";
  const edits: TextEdit[] = occurrences(doc, target.kind, target.name).map(({ node }) => {
    const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE";
    const [start, end] = quoted ? scalarContent(node) : [node.range![0], node.range![1]];
    return { range: offsetRange(textDocument, start, end), newText: !quoted && needsQuotes ? `"${newName}"` : newName };
  });
  return { changes: { [textDocument.uri]: edits } };
}

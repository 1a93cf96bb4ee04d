// Completion: what may be written at the cursor. The cursor context comes from the text around the cursor (no
// parse of the document, which costs ~20 ms at 2,000 lines), names the recipe defines from a scan of their
// sections, the model from the world's cache (a read is started, never awaited: the list is then marked
// incomplete and the client asks again). Keys and values come from the schema (schema.ts) and from the
// world (world.ts). Never throws: an unknown position gives an empty list.
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { CompletionItem, CompletionList, Position } from "vscode-languageserver-types";
import { type PathSegment, schemaAt } from "../../../engine/recipe";
import type { CompletionRequest } from "./items";
import { cursorContext } from "../cursor/context";
import type { ServiceContext } from "../service-context";
import { modelNow } from "../recipe/model";
import { recipeFolder, type RecipeNames, recipeNames } from "../recipe/outline";
import { isMapAt, schemaKeyItems, schemaValueItems } from "./schema";
import { type ModelNow, worldKeyItems, worldValueItems } from "./world";

const EMPTY: CompletionList = { isIncomplete: false, items: [] };

export async function doComplete(
  context: ServiceContext,
  document: TextDocument,
  position: Position,
): Promise<CompletionList> {
  try {
    return await complete(context, document, position);
  } catch {
    // A surprise in one request must not break the editor: answer nothing for this position.
    return EMPTY;
  }
}

async function complete(context: ServiceContext, document: TextDocument, position: Position): Promise<CompletionList> {
  const text = document.getText();
  const cursor = cursorContext(text, document.offsetAt(position));
  if (!cursor) return EMPTY;
  const rangeOf = (start: number, end: number) => ({
    start: document.positionAt(start),
    end: document.positionAt(end),
  });
  const baseDir = recipeFolder(document.uri);
  const request: CompletionRequest = {
    text,
    cursor,
    range: rangeOf(cursor.start, cursor.end),
    rangeOf,
    world: context.world,
    baseDir,
    incomplete: false,
  };
  const names = recipeNames(text);
  const model: ModelNow = modelNow(text, baseDir, context.world);

  let items: CompletionItem[];
  const path = cursor.path;
  if ((cursor.kind === "key" || cursor.itemStart) && isMapAt(path)) {
    items = [...schemaKeyItems(request, path, names), ...worldKeyItems(request, path, model)];
  } else if (cursor.kind === "key" && schemaAt(path)?.type === "array") {
    // On the line below `ops:` before its dash: items, with the dash.
    items = rewrite(await valueItems(request, [...path, 0], model, names), (t) => `- ${t}`);
  } else if (
    cursor.kind === "value" &&
    !cursor.itemStart &&
    typeof path[path.length - 1] === "string" &&
    schemaAt(path)?.type === "array"
  ) {
    // `ops: |`: a whole list from the world (the model's shape), or a one-item flow list.
    items = [
      ...(await worldValueItems(request, path, model, names)),
      ...rewrite(await valueItems(request, [...path, 0], model, names), (t) => `[${t}]`),
    ];
  } else {
    items = await valueItems(request, path, model, names);
  }
  return { isIncomplete: request.incomplete, items };
}

async function valueItems(
  request: CompletionRequest,
  path: PathSegment[],
  model: ModelNow,
  names: RecipeNames,
): Promise<CompletionItem[]> {
  return [...schemaValueItems(request, path), ...(await worldValueItems(request, path, model, names))];
}

/** The same items writing `wrap(text)` (and showing it in the label's detail). */
function rewrite(items: CompletionItem[], wrap: (text: string) => string): CompletionItem[] {
  for (const item of items) {
    if (item.textEdit && "range" in item.textEdit) {
      const newText = item.textEdit.newText;
      const leading = newText.startsWith(" ") ? " " : "";
      item.textEdit.newText = leading + wrap(newText.slice(leading.length));
    }
  }
  return items;
}

// File and folder completion for paths in the recipe (`model.path`, dataset paths, tokenizers), relative to the
// recipe's folder (or absolute, or from `~/`): the entries of the folder typed so far, replacing only the last
// segment; folders re-open the list, and the preferred extension (`.onnx` for model.path) comes first.
import type { CompletionItem } from "vscode-languageserver-types";
import { resolveRecipePath } from "../../../engine/recipe";
import { completionItem, CompletionItemKind, type CompletionRequest, rank, retriggerSuggest } from "./items";

/** Most entries listed from one folder. */
const MAX_ENTRIES = 500;

export async function pathItems(
  request: CompletionRequest,
  options: { preferExtensions?: string[]; folders?: "first" | "normal" } = {},
): Promise<CompletionItem[]> {
  const { cursor, world } = request;
  const typed = cursor.prefix;
  const slash = typed.lastIndexOf("/");
  const folderPart = slash >= 0 ? typed.slice(0, slash + 1) : "";
  const absolute = folderPart.startsWith("/") || folderPart.startsWith("~/");
  if (!request.baseDir && !absolute) return [];
  const folder = resolveRecipePath(folderPart || ".", request.baseDir ?? "/", world.homeDir);
  const segment = typed.slice(slash + 1);
  const entries = await world.listDirectory(folder);
  const prefer = (options.preferExtensions ?? []).map((e) => e.toLowerCase());
  // Replace the last segment only, so the folders typed before it stay.
  const segmentRequest: CompletionRequest = {
    ...request,
    range: request.rangeOf(cursor.start + slash + 1, cursor.end),
  };
  const items: CompletionItem[] = [];
  const sorted = [...entries].sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_ENTRIES);
  sorted.forEach((entry, i) => {
    if (entry.name.startsWith(".") && !segment.startsWith(".")) return;
    const isFolder = entry.kind === "directory";
    const preferred = !isFolder && prefer.some((e) => entry.name.toLowerCase().endsWith(e));
    const group = preferred ? "a" : isFolder ? "b" : "c";
    const label = isFolder ? `${entry.name}/` : entry.name;
    items.push(
      completionItem(segmentRequest, label, label, {
        kind: isFolder ? CompletionItemKind.Folder : CompletionItemKind.File,
        sortText: rank(i, group),
        ...(isFolder ? { command: retriggerSuggest } : {}),
      }),
    );
  });
  return items;
}

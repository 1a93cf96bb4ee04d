// Hover: on a key or a value, the schema's description, type, default, allowed values and example; on
// `model.path`, the model's summary; on an op type or a node name in quantize filters, what the model has; on a
// reference to a device or a dataset, what the recipe defines. May wait for the model (read in the worker); with a
// cached summary it answers at once, whatever the model's size (lookups are indexed once per summary).
import type { TextDocument } from "vscode-languageserver-textdocument";
import { type Hover, MarkupKind, type Position } from "vscode-languageserver-types";
import { implicitLocalDevice, type PathSegment, resolveRecipePath, schemaAt } from "../../../engine/recipe";
import { cursorContext } from "../cursor/context";
import type { CursorContext } from "../cursor/types";
import {
  datasetMarkdown,
  deviceMarkdown,
  modelMarkdown,
  nodeMarkdown,
  openGraphLink,
  opTypeMarkdown,
} from "./markdown";
import type { ServiceContext } from "../service-context";
import { modelIndex } from "../../world/model-index";
import { modelLater, shapeText } from "../recipe/model";
import { mapKeysAt, recipeFolder, valueAt } from "../recipe/outline";
import { isMapAt, pathPattern } from "../completion/schema";
import { enumEntries, inlineYaml, markdownAt } from "./schema-docs";

export async function doHover(
  context: ServiceContext,
  document: TextDocument,
  position: Position,
): Promise<Hover | null> {
  try {
    return await hover(context, document, position);
  } catch {
    return null;
  }
}

async function hover(context: ServiceContext, document: TextDocument, position: Position): Promise<Hover | null> {
  const text = document.getText();
  const offset = document.offsetAt(position);
  const cursor = cursorContext(text, offset);
  if (!cursor || cursor.word === "" || offset < cursor.start || offset > cursor.end) return null;
  const markdown = await hoverMarkdown(context, document, text, cursor);
  if (!markdown) return null;
  return {
    contents: { kind: MarkupKind.Markdown, value: markdown },
    range: { start: document.positionAt(cursor.start), end: document.positionAt(cursor.end) },
  };
}

async function hoverMarkdown(
  context: ServiceContext,
  document: TextDocument,
  text: string,
  cursor: CursorContext,
): Promise<string | undefined> {
  const { world } = context;
  const baseDir = recipeFolder(document.uri);
  const model = async () => {
    const { result } = await modelLater(text, baseDir, world);
    return result?.ok ? modelIndex(result.summary) : undefined;
  };
  const isKey = cursor.kind === "key" && (isMapAt(cursor.path) || cursor.path.length === 0);
  if (isKey) {
    const keyPath: PathSegment[] = [...cursor.path, cursor.word];
    const pattern = pathPattern(keyPath);
    const schema = markdownAt(keyPath);
    const extra: string[] = [];
    if (pattern === "devices.*")
      extra.push(deviceMarkdown(cursor.word, valueAt(text, ["devices", cursor.word]), false));
    else if (pattern === "data.*") extra.push(datasetMarkdown(cursor.word, valueAt(text, ["data", cursor.word])));
    else if (pattern === "model.inputs.*" || pattern === "data.*.inputs.*") {
      const index = await model();
      const input = index?.inputsByName.get(cursor.word);
      if (index)
        extra.push(
          input
            ? `**model input ${"`"}${cursor.word}${"`"}**: ${shapeText(input)}`
            : `${"`"}${cursor.word}${"`"} is not an input of ${"`"}${index.fileName}${"`"}.`,
        );
    } else if (pattern === "compile.fixed_shapes.*") {
      const index = await model();
      const users = index?.summary.inputs
        .filter((i) => i.dims?.includes(cursor.word))
        .map((i) => `${"`"}${i.name}${"`"}: ${shapeText(i)}`);
      if (index)
        extra.push(
          users && users.length > 0
            ? `Symbolic dim of:\n${users.map((u) => `- ${u}`).join("\n")}`
            : `No input of ${"`"}${index.fileName}${"`"} has a dim named ${"`"}${cursor.word}${"`"}.`,
        );
    }
    return [...extra, schema].filter(Boolean).join("\n\n---\n\n") || undefined;
  }

  const path = cursor.path;
  const pattern = pathPattern(path);
  const word = cursor.word;
  switch (pattern) {
    case "model.path": {
      if (!baseDir && !word.startsWith("/")) return markdownAt(path);
      const absolute = resolveRecipePath(word, baseDir ?? "/", world.homeDir);
      const result = world.cachedModelSummary(absolute) ?? (await world.modelSummary(absolute));
      return result.ok ? `${modelMarkdown(result, word)}\n\n${openGraphLink(absolute)}` : modelMarkdown(result, word);
    }
    case "quantize.exclude.ops.#":
    case "quantize.include.ops.#": {
      const index = await model();
      return index ? opTypeMarkdown(word, index) : markdownAt(path.slice(0, -1));
    }
    case "quantize.exclude.nodes.#":
    case "quantize.include.nodes.#": {
      const index = await model();
      return index ? nodeMarkdown(word, index) : markdownAt(path.slice(0, -1));
    }
    case "evaluate.outputs.#": {
      const index = await model();
      const output = index?.outputsByName.get(word);
      return output ? `**model output ${"`"}${word}${"`"}**: ${shapeText(output)}` : markdownAt(path.slice(0, -1));
    }
    case "run.device": {
      const defined = mapKeysAt(text, ["devices"]);
      return deviceMarkdown(
        word,
        defined.includes(word) ? valueAt(text, ["devices", word]) : undefined,
        word === implicitLocalDevice,
      );
    }
    case "quantize.calibration.data":
    case "evaluate.data":
    case "run.data":
    case "run.generate.data":
      return datasetMarkdown(word, valueAt(text, ["data", word]));
  }
  return valueMarkdown(path, word);
}

/** An enum value's own description with its key's; the key's documentation for any other value. */
function valueMarkdown(path: PathSegment[], word: string): string | undefined {
  const node = schemaAt(path);
  if (!node) return undefined;
  const entry = enumEntries(node).find((e) => inlineYaml(e.value) === word);
  const keyPath = typeof path[path.length - 1] === "number" ? path.slice(0, -1) : path;
  if (entry) {
    const key = String(keyPath[keyPath.length - 1] ?? "");
    const isDefault = node.default !== undefined && inlineYaml(node.default) === word;
    return [
      `**${word}**${isDefault ? " (default)" : ""}${entry.description ? `: ${entry.description}` : ""}`,
      `\`${key}\`: ${typeof node.description === "string" ? node.description : ""}`,
    ].join("\n\n");
  }
  return markdownAt(keyPath, { enums: true });
}

// Quick fixes for our diagnostics, matched by code (and by "did you mean" in the message): replace a misspelt key,
// value or name with the close match; add a missing required key (or one of the transports a device needs);
// add a device or dataset that `run.device` or a dataset reference names; exclude a node from quantization from
// its per-node finding. Every edit keeps the YAML valid and in its style (yaml/edits.ts).
import { basename } from "node:path";
import type { TextDocument } from "vscode-languageserver-textdocument";
import {
  type CodeAction,
  CodeActionKind,
  type Diagnostic,
  type Range,
  type TextEdit,
} from "vscode-languageserver-types";
import { isMap, isScalar } from "yaml";
import { type DataPath, type PathSegment, schemaAt } from "../../../engine/recipe";
import { resolveRef, type SchemaNode } from "../../../engine/recipe";
import type { ServiceContext } from "../service-context";
import { keyName, mapAtPath, nodeAt, nodeAtPath, seqAtPath } from "../recipe/nodes";
import { definedNames } from "../recipe/references";
import { diagnosticSource, type QuantFindingData, quantFindingCode } from "../validation/validation";
import {
  appendToSeq,
  blockEntryText,
  type EditTarget,
  insertIntoMap,
  insertLine,
  scalarText,
  type YamlValue,
} from "../yaml/edits";

export function getCodeActions(
  context: ServiceContext,
  textDocument: TextDocument,
  _range: Range,
  diagnostics: Diagnostic[],
): CodeAction[] {
  const document = context.documents.get(textDocument);
  const target: EditTarget = { doc: document.parsed.source.doc, text: document.text, textDocument };
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== diagnosticSource) continue;
    const fix = (title: string, edit: TextEdit | undefined, isPreferred = false) => {
      if (edit)
        actions.push({
          title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred,
          edit: { changes: { [textDocument.uri]: [edit] } },
        });
    };
    const message = typeof diagnostic.message === "string" ? diagnostic.message : diagnostic.message.value;
    const suggestion = /did you mean `([^`]+)`\?/.exec(message)?.[1];
    if (suggestion !== undefined)
      fix(`Change to \`${suggestion}\``, replaceWith(target, diagnostic.range, suggestion), true);
    switch (diagnostic.code) {
      case "schema/missing-key":
        for (const [title, edit] of missingKeyFixes(target, diagnostic, message)) fix(title, edit, true);
        break;
      case "ref/unknown-device": {
        const name = writtenName(target, diagnostic.range);
        if (name === undefined) break;
        const transports: [string, YamlValue][] = [
          ["adb", { adb: {} }],
          ["ssh", { ssh: { host: name } }],
          ["local", { local: {} }],
        ];
        for (const [transport, value] of transports)
          fix(
            `Add device \`${name}\` (${transport}) under \`devices\``,
            insertIntoMap(target, ["devices"], name, value),
          );
        break;
      }
      case "ref/unknown-dataset": {
        const name = writtenName(target, diagnostic.range);
        if (name !== undefined)
          fix(
            `Add dataset \`${name}\` under \`data\``,
            insertIntoMap(target, ["data"], name, { path: `data/${name}.npy`, format: "npy" }),
          );
        break;
      }
      case quantFindingCode: {
        const node = (diagnostic.data as QuantFindingData | undefined)?.node;
        if (typeof node === "string") fix(`Exclude \`${node}\` from quantization`, excludeNode(target, node), true);
        break;
      }
    }
  }
  return actions;
}

/** Replaces the text in `range` (a key, a value, a name), keeping its quotes; not a key into one its map already has. */
function replaceWith(target: EditTarget, range: Range, replacement: string): TextEdit | undefined {
  const { doc, textDocument } = target;
  const hit = nodeAt(doc, textDocument.offsetAt(range.start));
  if (!hit) return undefined;
  if (hit.on === "key" && mapAtPath(doc, hit.path.slice(0, -1))?.items.some((p) => keyName(p.key) === replacement))
    return undefined;
  const current = textDocument.getText(range);
  const quote = /^(["'])[\s\S]*\1$/.exec(current)?.[1];
  const newText =
    quote === '"'
      ? JSON.stringify(replacement)
      : quote === "'"
        ? `'${replacement.replace(/'/g, "''")}'`
        : scalarText(replacement);
  return { range, newText };
}

/** The name a diagnostic's range covers (without quotes). */
function writtenName(target: EditTarget, range: Range): string | undefined {
  const hit = nodeAt(target.doc, target.textDocument.offsetAt(range.start));
  return hit && isScalar(hit.node) && hit.node.value !== null && typeof hit.node.value !== "object"
    ? String(hit.node.value)
    : undefined;
}

/** "the recipe is missing `model`", "`devices.pi.ssh` is missing `host`", "`devices.a` needs exactly one of …", an empty recipe. */
function missingKeyFixes(
  target: EditTarget,
  diagnostic: Diagnostic,
  message: string,
): [string, TextEdit | undefined][] {
  const firstLine = message.split("\n")[0];
  if (firstLine.startsWith("the recipe is empty")) {
    const name =
      basename(target.textDocument.uri)
        .replace(/\.edge\.ya?ml$/, "")
        .replace(/[^A-Za-z0-9._-]/g, "-")
        .replace(/^[^A-Za-z0-9]+/, "") || "my-recipe";
    const examples = schemaAt(["model", "path"])?.examples;
    const path = Array.isArray(examples) ? String(examples[0]) : "model.onnx";
    return [
      [
        "Add `name` and `model`",
        insertLine(
          target,
          target.text.length,
          blockEntryText("name", name, 0, 2) + "\n" + blockEntryText("model", { path }, 0, 2),
        ),
      ],
    ];
  }
  const parent = firstLine.startsWith("the recipe ")
    ? []
    : nodeAt(target.doc, target.textDocument.offsetAt(diagnostic.range.start))?.path;
  if (!parent) return [];
  const missing = /is missing `([^`]+)`$/.exec(firstLine)?.[1];
  if (missing !== undefined)
    return [[`Add \`${missing}\``, insertIntoMap(target, parent, missing, defaultFor(target, [...parent, missing]))]];
  const choices = /needs exactly one of (.*)$/.exec(firstLine)?.[1];
  if (choices === undefined) return [];
  return [...choices.matchAll(/`([^`]+)`/g)].map(([, key]) => [
    `Add \`${key}\``,
    insertIntoMap(target, parent, key, defaultFor(target, [...parent, key])),
  ]);
}

/** A value that satisfies the schema at `path`: its default, a name the recipe defines, or its required keys filled in. */
function defaultFor(target: EditTarget, path: DataPath): YamlValue {
  const last = path[path.length - 1];
  if (last === "data" && path.length >= 2) return definedNames(target.doc, "dataset")[0] ?? "calib";
  return skeleton(schemaAt(path as PathSegment[]), 0);
}

function skeleton(node: SchemaNode | undefined, depth: number): YamlValue {
  if (!node || depth > 4) return "";
  const schema = resolveRef(node);
  if (schema.default !== undefined) return schema.default as YamlValue;
  if (schema.type === "object" || schema.properties) {
    const out: Record<string, YamlValue> = {};
    for (const key of (schema.required as string[] | undefined) ?? [])
      out[key] = skeleton(schema.properties?.[key], depth + 1);
    const firstChoice = (schema.oneOf as { required?: string[] }[] | undefined)?.[0]?.required?.[0];
    if (firstChoice) out[firstChoice] = skeleton(schema.properties?.[firstChoice], depth + 1);
    return out;
  }
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0] as YamlValue;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0] as YamlValue;
  if (schema.type === "array") return [];
  if (schema.type === "boolean") return false;
  if (schema.type === "integer" || schema.type === "number")
    return typeof schema.minimum === "number" ? schema.minimum : 1;
  return "";
}

/** Adds the node to `quantize.exclude.nodes` (creating `exclude` and `nodes` as needed); nothing when it is there already. */
function excludeNode(target: EditTarget, node: string): TextEdit | undefined {
  if (!isMap(nodeAtPath(target.doc, ["quantize"]))) return undefined;
  const listed = seqAtPath(target.doc, ["quantize", "exclude", "nodes"]);
  if (listed?.items.some((i) => isScalar(i) && String(i.value) === node)) return undefined;
  return appendToSeq(target, ["quantize", "exclude", "nodes"], node);
}

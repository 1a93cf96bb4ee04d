// Document symbols (the outline): each top-level section with its keys; devices with their transport as detail
// ("adb 1A2B3C4D", "ssh ubuntu@jetson.local", "local"), datasets with format and path, model inputs with shape
// and dtype. Built from the YAML nodes, so a recipe with schema errors (or a half-typed one) still has an outline.
import type { TextDocument } from "vscode-languageserver-textdocument";
import { type DocumentSymbol, SymbolKind } from "vscode-languageserver-types";
import { type Document, isMap, isScalar, isSeq, type Node, type Pair } from "yaml";
import type { ServiceContext } from "../service-context";
import { contentEnd, isNode, keyName, offsetRange } from "../recipe/nodes";

/** Sections whose entries are named things (the names the recipe defines), and how to describe each. */
const namedSections: Record<string, { kind: SymbolKind; detail: (value: unknown) => string | undefined }> = {
  devices: { kind: SymbolKind.Object, detail: describeDevice },
  data: { kind: SymbolKind.File, detail: describeDataset },
};

export function findDocumentSymbols(context: ServiceContext, textDocument: TextDocument): DocumentSymbol[] {
  const document = context.documents.get(textDocument);
  const doc = document.parsed.source.doc;
  const root = doc.contents;
  if (!isMap(root)) return [];
  const symbols: DocumentSymbol[] = [];
  const make = (pair: Pair<unknown, unknown>, kind: SymbolKind, detail?: string, children?: DocumentSymbol[]) =>
    symbolOf(document.text, textDocument, pair, kind, detail, children);

  for (const section of root.items) {
    const name = keyName(section.key);
    if (name === undefined) continue;
    const value = section.value;
    let children: DocumentSymbol[] = [];
    const named = namedSections[name];
    if (named && isMap(value)) {
      children = value.items.flatMap((entry) => make(entry, named.kind, named.detail(plain(doc, entry.value))) ?? []);
    } else if (name === "model" && isMap(value)) {
      children = value.items.flatMap((entry) => {
        if (keyName(entry.key) === "inputs" && isMap(entry.value)) {
          const inputs = entry.value.items.flatMap(
            (input) => make(input, SymbolKind.Variable, describeInput(plain(doc, input.value))) ?? [],
          );
          return make(entry, SymbolKind.Namespace, undefined, inputs) ?? [];
        }
        return (
          make(
            entry,
            keyName(entry.key) === "path" ? SymbolKind.File : SymbolKind.Property,
            scalarDetail(entry.value),
          ) ?? []
        );
      });
    } else if (isMap(value)) {
      children = value.items.flatMap(
        (entry) =>
          make(entry, isMap(entry.value) ? SymbolKind.Namespace : SymbolKind.Property, scalarDetail(entry.value)) ?? [],
      );
    }
    const symbol = make(
      section,
      isMap(value) ? SymbolKind.Module : SymbolKind.Property,
      isMap(value) ? undefined : scalarDetail(value),
      children,
    );
    if (symbol) symbols.push(symbol);
  }
  return symbols;
}

function symbolOf(
  text: string,
  textDocument: TextDocument,
  pair: Pair<unknown, unknown>,
  kind: SymbolKind,
  detail?: string,
  children?: DocumentSymbol[],
): DocumentSymbol | undefined {
  const name = keyName(pair.key);
  if (name === undefined || !isNode(pair.key)) return undefined;
  const keyRange = pair.key.range!;
  const end =
    isNode(pair.value) && pair.value.range![1] > keyRange[1]
      ? Math.max(keyRange[1], contentEnd(text, pair.value))
      : keyRange[1];
  return {
    name: name || '""',
    kind,
    ...(detail ? { detail } : {}),
    range: offsetRange(textDocument, keyRange[0], end),
    selectionRange: offsetRange(textDocument, keyRange[0], keyRange[1]),
    ...(children ? { children } : {}),
  };
}

/** The value of a node as plain data (undefined for nodes that are not there). */
function plain(doc: Document, node: unknown): unknown {
  if (!isNode(node)) return undefined;
  try {
    return (node as Node).toJSON(doc) as unknown;
  } catch {
    return undefined;
  }
}

function scalarDetail(node: unknown): string | undefined {
  if (isScalar(node) && node.value !== null) return String(node.value);
  if (isSeq(node) && node.items.every((i) => isScalar(i)))
    return `[${node.items.map((i) => String((i as { value: unknown }).value)).join(", ")}]`;
  return undefined;
}

type Entry = Record<string, unknown>;
const asEntry = (value: unknown): Entry =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Entry) : {};

function describeDevice(value: unknown): string | undefined {
  const device = asEntry(value);
  const parts: string[] = [];
  if ("adb" in device) {
    const serial = asEntry(device.adb).serial;
    parts.push(serial !== undefined ? `adb ${String(serial)}` : "adb");
  }
  if ("ssh" in device) {
    const ssh = asEntry(device.ssh);
    const host = ssh.host !== undefined ? String(ssh.host) : "?";
    parts.push(
      `ssh ${ssh.user !== undefined ? `${String(ssh.user)}@` : ""}${host}${ssh.port !== undefined ? `:${String(ssh.port)}` : ""}`,
    );
  }
  if ("local" in device) parts.push("local");
  if (typeof device.provider === "string") parts.push(device.provider);
  return parts.join(", ") || undefined;
}

function describeDataset(value: unknown): string | undefined {
  const dataset = asEntry(value);
  const parts = [dataset.format, dataset.path].filter((p) => typeof p === "string");
  return parts.length ? parts.join(" ") : undefined;
}

function describeInput(value: unknown): string | undefined {
  const input = asEntry(value);
  const parts: string[] = [];
  if (Array.isArray(input.shape)) parts.push(`[${input.shape.map(String).join(", ")}]`);
  if (typeof input.dtype === "string") parts.push(input.dtype);
  if (input.value !== undefined) parts.push("value");
  else if (typeof input.fill === "string") parts.push(input.fill);
  return parts.join(" ") || undefined;
}

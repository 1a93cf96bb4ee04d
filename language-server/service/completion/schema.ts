// Completions the schema gives: the keys a map may still take (with their documentation, and snippets that write
// whole sections: `model:\n  path: $1`, a quantize method choice, device and dataset skeletons), and the values a
// key takes (enum values with their descriptions, booleans, the default preselected, numeric examples).
import type { CompletionItem } from "vscode-languageserver-types";
import { type PathSegment, schemaAt } from "../../../engine/recipe";
import type { SchemaNode } from "../../../engine/recipe";
import { completionItem, CompletionItemKind, type CompletionRequest, rank, snippetChoice, snippetText } from "./items";
import type { RecipeNames } from "../recipe/outline";
import { enumEntries, inlineYaml, markdownAt, typeLabel } from "../hover/schema-docs";

const TRANSPORTS = ["local", "ssh", "adb"];

/** Paths (map keys as `*`) whose string value names a dataset, or a device. */
const DATASET_REFERENCES = new Set(["quantize.calibration.data", "evaluate.data", "run.data", "run.generate.data"]);
const DEVICE_REFERENCES = new Set(["run.device"]);

/** `devices.*.adb.serial` for ["devices", "pixel8", "adb", "serial"]: names of map entries as `*`, indexes as `#`. */
export function pathPattern(path: readonly PathSegment[]): string {
  const out: string[] = [];
  let node = schemaAt([]);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (typeof segment === "number") out.push("#");
    else if (node?.properties && Object.hasOwn(node.properties, segment)) out.push(segment);
    else if (node && typeof node.additionalProperties === "object") out.push("*");
    else out.push(segment);
    node = node ? schemaAt(path.slice(0, i + 1)) : undefined;
  }
  return out.join(".");
}

const isObjectNode = (node: SchemaNode): boolean =>
  node.type === "object" ||
  node.properties !== undefined ||
  (typeof node.additionalProperties === "object" && node.additionalProperties !== null);

/** Whether the value at `path` is a map (so the cursor writes its keys) rather than a scalar or a list. */
export function isMapAt(path: readonly PathSegment[]): boolean {
  const node = schemaAt(path);
  return !!node && isObjectNode(node);
}

/** Keys the map at `path` may still take. */
export function schemaKeyItems(
  request: CompletionRequest,
  path: readonly PathSegment[],
  names: RecipeNames,
): CompletionItem[] {
  const node = schemaAt(path);
  if (!node?.properties) return [];
  const present = new Set(request.cursor.siblingKeys);
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  const isDevice = pathPattern(path) === "devices.*";
  const hasTransport = isDevice && TRANSPORTS.some((t) => present.has(t));
  const items: CompletionItem[] = [];
  let index = 0;
  for (const key of Object.keys(node.properties)) {
    index++;
    if (present.has(key) || (hasTransport && TRANSPORTS.includes(key))) continue;
    const childPath = [...path, key];
    const child = schemaAt(childPath);
    if (!child) continue;
    const newText = request.cursor.hasColon ? snippetText(key) : keySnippet(request, childPath, key, child, names);
    items.push(
      completionItem(request, key, newText, {
        kind: CompletionItemKind.Property,
        detail: typeLabel(child),
        documentation: markdownAt(childPath),
        snippet: true,
        sortText: rank(index, required.has(key) || (isDevice && TRANSPORTS.includes(key)) ? "a" : "b"),
      }),
    );
  }
  return items;
}

/** Counts snippet tab stops. */
class TabStops {
  private n = 0;
  next(): number {
    return ++this.n;
  }
}

/** The snippet for a value (placeholder, choice of enum values or of names the recipe defines). */
function valuePlaceholder(path: readonly PathSegment[], node: SchemaNode, stops: TabStops, names: RecipeNames): string {
  const pattern = pathPattern(path);
  if (DATASET_REFERENCES.has(pattern)) return snippetChoice(stops.next(), names.datasets());
  if (DEVICE_REFERENCES.has(pattern)) return snippetChoice(stops.next(), names.devices());
  const enums = enumEntries(node).map((e) => inlineYaml(e.value));
  const fallback = node.default !== undefined ? inlineYaml(node.default) : undefined;
  if (enums.length > 0)
    return snippetChoice(
      stops.next(),
      fallback && enums.includes(fallback) ? [fallback, ...enums.filter((e) => e !== fallback)] : enums,
    );
  if (node.type === "boolean")
    return snippetChoice(stops.next(), fallback === "false" ? ["false", "true"] : ["true", "false"]);
  if (node.type === "array") return `[$${stops.next()}]`;
  if (isObjectNode(node)) return `{ $${stops.next()} }`;
  if (fallback !== undefined) return snippetChoice(stops.next(), [fallback]);
  return `$${stops.next()}`;
}

/** The snippet that writes `key` and a skeleton of its value. */
function keySnippet(
  request: CompletionRequest,
  path: readonly PathSegment[],
  key: string,
  node: SchemaNode,
  names: RecipeNames,
): string {
  const { flow, indent } = request.cursor;
  const name = snippetText(key);
  const stops = new TabStops();
  const inner = "\n" + " ".repeat(indent + 2);
  const pattern = pathPattern(path);
  if (!flow) {
    if (pattern === "data") {
      return `${name}:${inner}\${1:calib}:${inner}  path: $2${inner}  format: ${snippetChoice(3, ["npy", "npz", "json", "text"])}`;
    }
    if (pattern === "devices") return `${name}:${inner}\${1:laptop}:${inner}  local: {}`;
    if (pattern === "evaluate")
      return `${name}:${inner}data: ${snippetChoice(1, names.datasets())}${inner}metrics: [\${2:latency, size, memory}]`;
    if (pattern === "budgets") return `${name}:${inner}latency_p95_ms: $1`;
  }
  if (pattern === "devices.*.local") return `${name}: {}`;
  if (!flow && pattern === "devices.*.adb") return `${name}:${inner}serial: $1`;
  if (!flow && (pattern === "quantize.exclude" || pattern === "quantize.include")) return `${name}:${inner}ops: [$1]`;
  if (isObjectNode(node)) {
    const required = Array.isArray(node.required) ? (node.required as string[]) : [];
    if (flow) {
      const fields = required.map((r) => `${snippetText(r)}: ${valueForChild(path, r, stops, names)}`);
      return fields.length > 0 ? `${name}: { ${fields.join(", ")} }` : `${name}: { $1 }`;
    }
    if (required.length === 0 && pattern === "run")
      return `${name}:${inner}device: ${snippetChoice(stops.next(), names.devices())}`;
    if (required.length === 0 && pattern === "compile")
      return `${name}:${inner}provider: ${valueForChild(path, "provider", stops, names)}`;
    if (required.length === 0) return `${name}:${inner}$1`;
    return `${name}:${required.map((r) => `${inner}${snippetText(r)}: ${valueForChild(path, r, stops, names)}`).join("")}`;
  }
  return `${name}: ${valuePlaceholder(path, node, stops, names)}`;
}

function valueForChild(path: readonly PathSegment[], key: string, stops: TabStops, names: RecipeNames): string {
  const child = schemaAt([...path, key]);
  return child ? valuePlaceholder([...path, key], child, stops, names) : `$${stops.next()}`;
}

/** Values the schema allows at `path`: enum values, booleans, the default and numeric examples. */
export function schemaValueItems(request: CompletionRequest, path: readonly PathSegment[]): CompletionItem[] {
  const node = schemaAt(path);
  if (!node) return [];
  const present = new Set(typeof path[path.length - 1] === "number" ? request.cursor.siblingItems : []);
  const fallback = node.default;
  const items: CompletionItem[] = [];
  const enums = enumEntries(node);
  const add = (value: unknown, documentation: string | undefined, index: number, detail?: string): void => {
    const text = inlineYaml(value);
    if (present.has(text)) return;
    const isDefault = fallback !== undefined && inlineYaml(fallback) === text;
    items.push(
      completionItem(request, text, text, {
        kind: enums.length > 0 ? CompletionItemKind.EnumMember : CompletionItemKind.Value,
        detail: isDefault ? "default" : detail,
        documentation,
        preselect: isDefault,
        sortText: rank(index, isDefault ? "a" : "b"),
      }),
    );
  };
  if (enums.length > 0) {
    enums.forEach((e, i) => add(e.value, e.description, i));
    return items;
  }
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes("boolean")) {
    add(true, undefined, 0);
    add(false, undefined, 1);
    return items;
  }
  if (types.includes("number") || types.includes("integer")) {
    if (fallback !== undefined) add(fallback, undefined, 0);
    const examples = Array.isArray(node.examples) ? node.examples : [];
    examples.forEach((example, i) => {
      if (example !== fallback && typeof example === "number") add(example, undefined, i + 1, "example");
    });
  }
  return items;
}

// Markdown for a schema node, as completion documentation and hovers show it: the description, the type, the
// default, the allowed values with their descriptions, and an example in YAML. Memoized by data path pattern,
// since the schema does not change while the server runs.
import { Document, isScalar, isSeq, stringify, visit } from "yaml";
import { type PathSegment, schemaAt } from "../../../engine/recipe";
import type { SchemaNode } from "../../../engine/recipe";

/** A short type label: `string`, `integer ≥ 1`, `boolean`, `object`, `array of string`, `one of 4 values`. */
export function typeLabel(node: SchemaNode): string {
  if (Array.isArray(node.enum)) return `one of ${node.enum.length} values`;
  const type = Array.isArray(node.type) ? node.type.join(" | ") : (node.type ?? (node.properties ? "object" : "value"));
  if (type === "array" && node.items) {
    const items = node.items.$ref ? node.items.$ref.replace("#/$defs/", "") : (node.items.type ?? "value");
    return `array of ${Array.isArray(items) ? items.join(" | ") : items}`;
  }
  const bounds: string[] = [];
  if (typeof node.minimum === "number") bounds.push(`≥ ${node.minimum}`);
  if (typeof node.exclusiveMinimum === "number") bounds.push(`> ${node.exclusiveMinimum}`);
  if (typeof node.maximum === "number") bounds.push(`≤ ${node.maximum}`);
  if (typeof node.exclusiveMaximum === "number") bounds.push(`< ${node.exclusiveMaximum}`);
  return bounds.length > 0 ? `${type} ${bounds.join(", ")}` : type;
}

/** The enum values of a node, with their descriptions. */
export function enumEntries(node: SchemaNode): { value: unknown; description?: string }[] {
  if (!Array.isArray(node.enum)) return [];
  const descriptions = Array.isArray(node.enumDescriptions) ? (node.enumDescriptions as unknown[]) : [];
  return node.enum.map((value, i) => ({
    value,
    description: typeof descriptions[i] === "string" ? descriptions[i] : undefined,
  }));
}

/** A scalar as YAML writes it inline: `int8`, `true`, `32`, `[1, 64]`. */
export function inlineYaml(value: unknown): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  return stringify(value, { collectionStyle: "flow" }).trim();
}

/** The markdown for the key `key` whose value the node describes (without a heading when `key` is undefined). */
export function schemaMarkdown(
  node: SchemaNode,
  key?: string,
  options: { enums?: boolean; example?: boolean } = {},
): string {
  const parts: string[] = [];
  const heading = key !== undefined ? `**${key}**: ${typeLabel(node)}` : typeLabel(node);
  parts.push(heading);
  if (typeof node.description === "string") parts.push(node.description);
  if (node.default !== undefined) parts.push(`Default: \`${inlineYaml(node.default)}\``);
  const enums = enumEntries(node);
  if (enums.length > 0 && options.enums !== false) {
    parts.push(enums.map((e) => `- \`${inlineYaml(e.value)}\`${e.description ? `: ${e.description}` : ""}`).join("\n"));
  }
  const examples = Array.isArray(node.examples) ? node.examples : [];
  if (examples.length > 0 && options.example !== false && enums.length === 0) {
    const example = exampleYaml(key !== undefined ? { [key]: examples[0] } : examples[0]);
    parts.push("Example:\n```yaml\n" + example + "\n```");
  }
  return parts.join("\n\n");
}

/** An example as YAML, with lists of scalars written inline (`shape: [1, 64]`). */
function exampleYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Seq(_, node) {
      if (isSeq(node) && node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false }).trimEnd();
}

const memo = new Map<string, string>();

/** `schemaMarkdown` for the value at a data path, memoized by the path with map keys and indexes generalized. */
export function markdownAt(
  path: readonly PathSegment[],
  options: { enums?: boolean; example?: boolean } = {},
): string | undefined {
  const node = schemaAt(path);
  if (!node) return undefined;
  const last = path[path.length - 1];
  const memoKey = `${JSON.stringify(path.map((s) => (typeof s === "number" ? 0 : s)))}${options.enums === false ? "-e" : ""}${options.example === false ? "-x" : ""}`;
  let markdown = memo.get(memoKey);
  if (markdown === undefined) {
    markdown = schemaMarkdown(node, typeof last === "string" ? last : undefined, options);
    if (memo.size < 2000) memo.set(memoKey, markdown);
  }
  return markdown;
}

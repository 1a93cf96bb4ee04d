// YAML parsing in linear time. The yaml library checks duplicate keys by comparing each new key with every key
// before it in its map (`uniqueKeys`), which is quadratic: 200,000 device keys took over ten minutes. So the
// library parses with `uniqueKeys: false`, and duplicates are found here with a Set per map, reported as the library
// reports them (DUPLICATE_KEY "Map keys must be unique" at the repeated key's first character), among the
// document's other errors in the order of their position.
import {
  type Document,
  isScalar,
  type LineCounter,
  type Node,
  parseDocument,
  visit,
  type YAMLMap,
  YAMLParseError,
} from "yaml";

export interface ParseYamlOptions {
  lineCounter?: LineCounter;
}

/** `parseDocument` with the library's options for recipes, duplicate keys checked in linear time. */
export function parseYaml(text: string, options: ParseYamlOptions = {}): Document.Parsed {
  const doc = parseDocument(text, {
    lineCounter: options.lineCounter,
    prettyErrors: false,
    keepSourceTokens: false,
    uniqueKeys: false,
  });
  const duplicates = duplicateKeyErrors(doc);
  if (duplicates.length > 0) doc.errors = mergeByPosition(doc.errors, duplicates);
  return doc;
}

/**
 * The library's duplicate-key errors, found with a Set per map: a key is a duplicate when a scalar key before it in
 * the same map has the same value (===, as the library compares them; so NaN never repeats).
 */
export function duplicateKeyErrors(doc: Document): YAMLParseError[] {
  const errors: YAMLParseError[] = [];
  const check = (map: YAMLMap<unknown, unknown>) => {
    if (map.items.length < 2) return;
    const seen = new Set<unknown>();
    for (const pair of map.items) {
      const key = pair.key as Node | null;
      if (!isScalar(key)) continue;
      const value = key.value;
      if (typeof value === "number" && Number.isNaN(value)) continue;
      if (seen.has(value)) {
        const at = key.range?.[0] ?? 0;
        errors.push(new YAMLParseError([at, at + 1], "DUPLICATE_KEY", "Map keys must be unique"));
      } else seen.add(value);
    }
  };
  visit(doc, { Map: (_, map) => void check(map) });
  return errors;
}

/** Both lists in one, by start offset, the library's own errors first at equal offsets. */
function mergeByPosition(own: YAMLParseError[], added: YAMLParseError[]): YAMLParseError[] {
  const sorted = [...added].sort((a, b) => a.pos[0] - b.pos[0]);
  const merged: YAMLParseError[] = [];
  let i = 0;
  for (const error of own) {
    while (i < sorted.length && sorted[i].pos[0] < error.pos[0]) merged.push(sorted[i++]);
    merged.push(error);
  }
  while (i < sorted.length) merged.push(sorted[i++]);
  return merged;
}

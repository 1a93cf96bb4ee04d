// Recipe parsing in linear time: `parseRecipe` (YAML, the duplicate-key check, the schema) on recipes with N and 4N
// device keys (test/recipe/big-recipe.ts), against the yaml library's own `YAML.parse` of the same text (its
// duplicate-key check off: on, it is quadratic, which is what this guards against), each the best of a few rounds
// in this process. Goals: 4× the keys take at most 5× the time, and parseRecipe at most 1.5× of YAML.parse.
// Also printed: the editor's block parse after a one-character edit of a recipe just under the editor's 1 MB limit.
// Run: node --import tsx bench/recipe-parse.bench.ts [-- --keys N --rounds N]
import { parse as yamlParse } from "yaml";
import { parseRecipe, YamlBlockCache } from "../engine/recipe";
import { manyDevicesRecipe } from "../test/recipe/big-recipe";

const GOAL = { growth: 5, overhead: 1.5 };

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const keys = option("keys", 25_000);
const rounds = option("rounds", 3);

function best(run: () => void): number {
  let fastest = Infinity;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

const ms = (t: number) => `${t.toFixed(0)} ms`;
// Warm up the schema validator and the parser's code paths.
parseRecipe(manyDevicesRecipe(1000), "warm-up.edge.yaml");
yamlParse(manyDevicesRecipe(1000), { uniqueKeys: false });

const figures: { keys: number; sizeMB: number; ours: number; library: number }[] = [];
for (const n of [keys, 4 * keys]) {
  const text = manyDevicesRecipe(n);
  const ours = best(() => {
    const parsed = parseRecipe(text, "big.edge.yaml");
    if (parsed.problems.length > 0) throw new Error(`unexpected problems: ${parsed.problems[0].message}`);
  });
  const library = best(() => yamlParse(text, { uniqueKeys: false }));
  figures.push({ keys: n, sizeMB: text.length / 1e6, ours, library });
  console.log(
    `${n} device keys (${(text.length / 1e6).toFixed(2)} MB): parseRecipe ${ms(ours)}, YAML.parse ${ms(library)}`,
  );
}

// The editor's incremental parse: a one-character edit near the top of a recipe just under 1 MB moves every block.
const editorText = manyDevicesRecipe(30_000);
const blocks = new YamlBlockCache();
parseRecipe(editorText, "editor.edge.yaml", { blocks });
let flip = false;
const edit = best(() => {
  flip = !flip;
  const text = editorText.replace(
    "device_5: { local: {} }",
    flip ? "device_5: { local: { } }" : "device_5: { local: {} }",
  );
  parseRecipe(text, "editor.edge.yaml", { blocks });
});
const full = best(() => parseRecipe(editorText, "editor.edge.yaml"));
console.log(
  `editor: 30000 device keys (${(editorText.length / 1e6).toFixed(2)} MB), block parse after an edit ${ms(edit)}, full parse ${ms(full)}`,
);

const [small, large] = figures;
const growth = large.ours / small.ours;
const overhead = large.ours / large.library;
const goals: [string, boolean][] = [
  [
    `recipe-parse: ${growth.toFixed(2)}× the time for 4× the device keys (goal ≤ ${GOAL.growth}×)`,
    growth <= GOAL.growth,
  ],
  [
    `recipe-parse: parseRecipe ${overhead.toFixed(2)}× YAML.parse on ${large.keys} device keys (goal ≤ ${GOAL.overhead}×)`,
    overhead <= GOAL.overhead,
  ],
];
for (const [line, met] of goals) console.log(`${line}${met ? "" : "  ← missed"}`);
const met = goals.filter(([, ok]) => ok).length;
console.log(`recipe-parse: ${met}/${goals.length} goals met`);

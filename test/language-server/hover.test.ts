// Hover: the schema's documentation on keys and values; on model.path the model's summary (real models through the
// real world host); op types and node names in quantize filters; device and dataset references. Fast on a cached
// 50,000-node model.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import type { Hover } from "vscode-languageserver-types";
import { createLanguageService } from "../../language-server/service/language-service";
import { createNodeWorldHost } from "../../language-server/world/node-world-host";
import type { WorldHost } from "../../language-server/world/world-host";
import { docWithCursor, fakeModelSummary, fakeWorld } from "./helpers";
import { ocrModel, sileroModel, tempFolder, writeBigModel } from "./model-fixtures";

const temp = tempFolder("edge-hover-");
const world = createNodeWorldHost({ homeDir: temp.dir });
after(async () => {
  await world.dispose();
  temp.remove();
});
const recipeUri = pathToFileURL(join(temp.dir, "recipe.edge.yaml")).href;

async function hover(
  textWithCursor: string,
  host: WorldHost = fakeWorld({ models: { "/tmp/edge-test/models/model.onnx": fakeModelSummary() } }),
  uri?: string,
): Promise<Hover | null> {
  const { document, position } = docWithCursor(textWithCursor, uri);
  return createLanguageService(host).doHover(document, position);
}

const markdown = (h: Hover | null): string => {
  assert.ok(h, "a hover");
  const contents = h.contents;
  assert.ok(typeof contents === "object" && "kind" in contents && contents.kind === "markdown");
  return contents.value;
};

void test("on a key: its description, type, default and example, over the key's range", async () => {
  const h = await hover("run:\n  war|mup: 3");
  const text = markdown(h);
  assert.match(text, /^\*\*warmup\*\*: integer/);
  assert.match(text, /Default: `5`/);
  assert.match(text, /```yaml\nwarmup: 5\n```/);
  assert.deepEqual(h?.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 8 } });
  assert.match(markdown(await hover("mo|del:\n  path: m.onnx")), /ONNX model/);
  assert.match(markdown(await hover("model:\n  inputs:\n    x: { sha|pe: [1] }")), /One entry per dim/);
});

void test("on an enum value: what that value means", async () => {
  const text = markdown(await hover("quantize:\n  method: int4-we|ight-only"));
  assert.match(text, /^\*\*int4-weight-only\*\*: MatMul weights to 4 bits/);
  assert.match(markdown(await hover("quantize:\n  format: qd|q")), /\(default\)/);
  assert.match(markdown(await hover("evaluate:\n  metrics: [lat|ency]")), /^\*\*latency\*\*/);
});

void test("on a model input's key and a symbolic dim: what the model says", async () => {
  assert.match(
    markdown(await hover("model:\n  path: models/model.onnx\n  inputs:\n    input_i|ds: { shape: [1, 64] }")),
    /\*\*model input `input_ids`\*\*: int64 \[1, sequence\]/,
  );
  assert.match(
    markdown(await hover("model:\n  path: models/model.onnx\ncompile:\n  fixed_shapes: { seq|uence: 64 }")),
    /Symbolic dim of:\n- `input_ids`/,
  );
});

void test("nothing on blank space and comments", async () => {
  assert.equal(await hover("run:\n  |\n"), null);
  assert.equal(await hover("run: # com|ment"), null);
});

void test("on model.path: the model's summary (real model, read in the worker)", async () => {
  const text = markdown(await hover(`model:\n  path: ${sileroModel.slice(0, -5)}|.onnx`, world, recipeUri));
  assert.match(text, /^\*\*silero_vad\.onnx\*\*: [\d.]+ (kB|MB), [\d.]+ [KM] parameters/);
  assert.match(text, /IR \d+ · opset ai\.onnx \d+/);
  assert.match(text, /\d+ nodes, \d+ op types: /);
  assert.match(text, /\*\*Inputs\*\*\n- `input`: float32 \[/);
  assert.match(text, /- `sr`: int64 \[\]/);
  assert.match(text, /\*\*Outputs\*\*/);
});

void test("on model.path of a bad file: the engine's message", async () => {
  writeFileSync(join(temp.dir, "bad.onnx"), "hello");
  const text = markdown(await hover("model:\n  path: bad.o|nnx", world, recipeUri));
  assert.match(text, /^\*\*Cannot read the model\*\* `bad\.onnx`/);
  assert.match(text, /not a readable ONNX model/);
});

void test("on an op type: how often it occurs in the model", async () => {
  const text = markdown(
    await hover(`model:\n  path: ${ocrModel}\nquantize:\n  exclude:\n    ops:\n      - Co|nv`, world, recipeUri),
  );
  assert.match(
    text,
    /^\*\*Conv\*\*: \d+ nodes in `ch_PP-OCRv4_rec_infer\.onnx` \([\d.]+% of \d+; #\d+ of \d+ op types\)/,
  );
  assert.match(
    markdown(await hover(`model:\n  path: ${ocrModel}\nquantize:\n  exclude: { ops: [Lstm|X] }`, world, recipeUri)),
    /does not occur/,
  );
});

void test("on a node name: its op, inputs and outputs with shapes where known", async () => {
  const big = writeBigModel(temp.dir, 200, "small-lm.onnx");
  const text = markdown(
    await hover(
      `model:\n  path: ${big}\nquantize:\n  exclude: { nodes: ["/model/layers.0/input_layer|norm/Mul", /lm_head/MatMul] }`,
      world,
      recipeUri,
    ),
  );
  assert.match(text, /^\*\*`\/model\/layers\.0\/input_layernorm\/Mul`\*\*: Mul/);
  assert.match(text, /- `hidden_0`: float32 \[batch, sequence, 4\]/);
  const head = markdown(
    await hover(`model:\n  path: ${big}\nquantize:\n  exclude: { nodes: [/lm_head/Mat|Mul] }`, world, recipeUri),
  );
  assert.match(head, /- `lm_head\.weight`: float32 \[4, 8\]/);
  assert.match(head, /- `logits`: float32 \[batch, sequence, 32000\]/);
  assert.match(
    markdown(await hover(`model:\n  path: ${big}\nquantize:\n  exclude: { nodes: [/nope|] }`, world, recipeUri)),
    /No node named/,
  );
});

void test("on device and dataset references, and on their definitions", async () => {
  const recipe =
    "data:\n  calib: { path: data/calib, format: npy }\ndevices:\n  jetson: { ssh: { host: jetson.local, user: ubuntu }, provider: cuda }\n  pixel8:\n    adb: { serial: 1A2B }\n";
  assert.match(
    markdown(await hover(`${recipe}run:\n  device: jet|son`)),
    /^\*\*device `jetson`\*\*: SSH to `ubuntu@jetson\.local`\s+provider: `cuda`/,
  );
  assert.match(markdown(await hover(`${recipe}run:\n  device: pix|el8`)), /adb device `1A2B`/);
  assert.match(markdown(await hover(`${recipe}run:\n  device: lo|cal`)), /this machine/);
  assert.match(
    markdown(await hover(`${recipe}quantize:\n  calibration: { data: ca|lib }`)),
    /\*\*dataset `calib`\*\*\s+path: `data\/calib`\s+format: `npy`/,
  );
  assert.match(markdown(await hover(`data:\n  ca|lib: { path: data/calib, format: npy }`)), /\*\*dataset `calib`\*\*/);
});

void test("a cached 50,000-node model: hovers on node names and op types answer from the index", async () => {
  const big = writeBigModel(temp.dir, 50_000, "llm-50k.onnx");
  const read = await world.modelSummary(big);
  assert.ok(read.ok && read.summary.nodeCount === 50_000);
  const service = createLanguageService(world);
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const layer = (i * 97) % 3500;
    const { document, position } = docWithCursor(
      `model:\n  path: ${big}\nquantize:\n  exclude:\n    nodes:\n      - /model/layers.${layer}/mlp/down_pro|j/MatMul\n    ops: [Mat⟨⟩Mul]`
        .replace("⟨⟩", i % 2 ? "" : "⟨⟩")
        .replace("|", i % 2 ? "|" : ""),
      recipeUri,
    );
    const started = performance.now();
    const h = await service.doHover(document, position);
    times.push(performance.now() - started);
    assert.match(markdown(h), i % 2 ? /: MatMul/ : /\*\*MatMul\*\*: [\d,]+ nodes/);
  }
  const worst = Math.max(...times);
  console.log(
    `hover on a 50,000-node model: first ${times[0].toFixed(1)} ms, worst ${worst.toFixed(1)} ms, median ${[...times].sort((a, b) => a - b)[10].toFixed(2)} ms`,
  );
  // Timing is printed, not asserted: speed is judged by `npm run bench:lsp`, not by tests.
});

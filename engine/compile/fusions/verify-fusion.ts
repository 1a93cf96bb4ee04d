// Checks a fused model against the unfused one on the same inputs, in onnxruntime, before compile keeps it.
// A decoder with a KV cache (engine/onnx/decoder-layout.ts) gets a prefill of a short random prompt, greedy decode
// steps that feed each model its own cache, and a prefill with a padded (masked) first position; any other model
// one forward pass on seeded synthetic inputs. Every float32 output is compared at every step.
//
// Tolerance: the relative difference of an output is max |fused − reference| / max |reference| over its elements
// (one scale per tensor, so logits near zero do not inflate it); it must stay ≤ 1e-4 for every output at every step,
// and the greedy tokens (argmax of the last position) must be equal. A fused model that fails to load or run fails.
import type { ModelSignature, TensorSignature } from "../../onnx/signature";
import { decoderLayout } from "../../onnx/decoder-layout";
import { dimExpression } from "../../run/decoder-feeds";
import { loadOrt, type Ort, type OrtSession } from "../../run/ort";
import { createRng, syntheticTensor } from "../../run/synthetic";
import type { Dtype } from "../../data/typed-tensor";
import type { GraphOptimization as OptimizationLevel, ReportFusionCheck } from "../../../common/optimization";

export const FUSION_TOLERANCE = 1e-4;

/** What the check found (report.json's `optimization.compile.fusions.verification`). */
export type FusionCheck = ReportFusionCheck;

export interface VerifyOptions {
  signature: ModelSignature;
  optimization: OptimizationLevel;
  /** Sizes for named dims the compile fixed. */
  fixedShapes?: Record<string, number>;
  promptTokens?: number;
  decodeSteps?: number;
  seed?: number;
}

type Tensor = InstanceType<Ort["Tensor"]>;
type Feeds = Record<string, Tensor>;

class Comparison {
  worst = 0;
  where = "";
  tokensEqual = true;
  add(label: string, reference: Record<string, Tensor>, fused: Record<string, Tensor>, outputs: TensorSignature[]) {
    for (const o of outputs) {
      const a = reference[o.name];
      const b = fused[o.name];
      if (!a || !b || a.type !== "float32") continue;
      if (a.dims.join() !== b.dims.join()) {
        this.record(Infinity, `${o.name} (${label}: dims ${a.dims.join("×")} vs ${b.dims.join("×")})`);
        continue;
      }
      const x = a.data as Float32Array;
      const y = b.data as Float32Array;
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < x.length; i++) {
        const d = Math.abs(x[i] - y[i]);
        if (d > diff || Number.isNaN(d)) diff = Number.isNaN(d) ? Infinity : d;
        const m = Math.abs(x[i]);
        if (m > scale) scale = m;
      }
      this.record(scale > 0 ? diff / scale : diff, `${o.name} (${label})`);
    }
  }
  private record(value: number, where: string) {
    if (value > this.worst || this.where === "") {
      this.worst = Math.max(this.worst, value);
      this.where = where;
    }
  }
}

function argmaxLast(logits: Tensor): number {
  const data = logits.data as Float32Array;
  const vocab = logits.dims[logits.dims.length - 1];
  const row = data.subarray(data.length - vocab);
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

function size(dim: number | string | null, dims: Record<string, number>, fallback: number): number {
  if (typeof dim === "number") return dim;
  if (typeof dim === "string") return dims[dim] ?? dimExpression(dim, dims) ?? fallback;
  return fallback;
}

async function session(ort: Ort, path: string, optimization: OptimizationLevel): Promise<OrtSession> {
  return ort.InferenceSession.create(path, {
    executionProviders: ["cpu"],
    graphOptimizationLevel: optimization,
    logSeverityLevel: 3,
  });
}

/** A check that compared nothing yet (and has not passed), of `kind`; `problem` says why it could not run. */
export function emptyCheck(kind: FusionCheck["kind"], problem?: string): FusionCheck {
  return {
    kind,
    maxRelativeDiff: 0,
    worst: "",
    tolerance: FUSION_TOLERANCE,
    decodeSteps: 0,
    tokensEqual: true,
    passed: false,
    ...(problem === undefined ? {} : { problem }),
  };
}

/** Runs `reference` and `fused` (model paths) side by side; see the header for what is compared. */
export async function verifyFusion(reference: string, fused: string, options: VerifyOptions): Promise<FusionCheck> {
  const ort = await loadOrt();
  const layout = decoderLayout(options.signature);
  const kind = layout ? "decoder" : "forward";
  const base = emptyCheck(kind);
  const a = await session(ort, reference, options.optimization);
  let b: OrtSession | undefined;
  try {
    try {
      b = await session(ort, fused, options.optimization);
    } catch (e) {
      return { ...base, problem: `the fused model does not load: ${(e as Error).message}` };
    }
    const cmp = new Comparison();
    const run: Runner = async (label, feeds, fusedFeeds = feeds) => {
      const ra = await a.run(feeds);
      let rb: Record<string, Tensor>;
      try {
        rb = await b!.run(fusedFeeds);
      } catch (e) {
        throw new FusedRunError(`the fused model fails to run (${label}): ${(e as Error).message}`);
      }
      cmp.add(label, ra, rb, options.signature.outputs);
      return [ra, rb] as const;
    };
    let steps = 0;
    try {
      if (layout) steps = await checkDecoder(ort, options, run, cmp);
      else await run("forward pass", forwardFeeds(ort, options));
    } catch (e) {
      if (e instanceof FusedRunError) return { ...base, problem: e.message };
      throw e;
    }
    const passed = cmp.worst <= FUSION_TOLERANCE && cmp.tokensEqual;
    return {
      ...base,
      maxRelativeDiff: cmp.worst,
      worst: cmp.where,
      decodeSteps: steps,
      tokensEqual: cmp.tokensEqual,
      passed,
    };
  } finally {
    await a.release();
    await b?.release();
  }
}

class FusedRunError extends Error {}

/** Runs the reference on `feeds` and the fused model on `fusedFeeds` (the same by default) and compares them. */
type Runner = (
  label: string,
  feeds: Feeds,
  fusedFeeds?: Feeds,
) => Promise<readonly [Record<string, Tensor>, Record<string, Tensor>]>;

/** Prefill, greedy decode with each model's own cache, then a prefill with its first position masked. */
async function checkDecoder(ort: Ort, options: VerifyOptions, run: Runner, cmp: Comparison): Promise<number> {
  const layout = decoderLayout(options.signature)!;
  const fixed = options.fixedShapes ?? {};
  const idsDims = layout.inputIds.dims ?? [];
  const batch = size(idsDims[0] ?? 1, fixed, 1);
  const seqFixed = typeof idsDims[1] === "number" || (typeof idsDims[1] === "string" && idsDims[1] in fixed);
  const prompt = size(idsDims[1] ?? null, fixed, options.promptTokens ?? 6);
  const pastFixed = layout.pastDim !== undefined && layout.pastDim in fixed;
  const pastLength = pastFixed ? fixed[layout.pastDim!] : 0;
  const rng = createRng(options.seed ?? 7);
  const vocabDim = options.signature.outputs.find((o) => o.name === "logits")?.dims?.at(-1);
  const vocab = typeof vocabDim === "number" ? vocabDim : 256;
  const ids = (n: number) =>
    new ort.Tensor(
      "int64",
      BigInt64Array.from({ length: batch * n }, () => BigInt(Math.floor(rng() * Math.min(vocab, 256)))),
      [batch, n],
    );
  const cache = (past: number, values: () => number): Feeds => {
    const feeds: Feeds = {};
    for (const p of layout.past) {
      const dims = (p.dims ?? []).map((d, i) => (i === 2 ? past : size(d, fixed, 1)));
      dims[0] = batch;
      const count = dims.reduce((x, y) => x * y, 1);
      feeds[p.name] = new ort.Tensor("float32", Float32Array.from({ length: count }, values), dims);
    }
    return feeds;
  };
  const mask = (total: number, masked = 0): Feeds =>
    layout.attentionMask
      ? {
          [layout.attentionMask.name]: new ort.Tensor(
            "int64",
            BigInt64Array.from({ length: batch * total }, (_, i) => (i % total < masked ? 0n : 1n)),
            [batch, total],
          ),
        }
      : {};
  const pastValues = () => (rng() * 2 - 1) * 0.5;

  let [ra, rb] = await run("prefill", {
    input_ids: ids(prompt),
    ...mask(pastLength + prompt),
    ...cache(pastLength, pastValues),
  });
  let steps = 0;
  // Decode steps need sequence length 1 and a cache that grows: not possible when either dim was fixed.
  const decodeSteps = seqFixed || pastFixed ? 0 : (options.decodeSteps ?? 4);
  let total = pastLength + prompt;
  for (let s = 0; s < decodeSteps; s++) {
    const token = argmaxLast(ra.logits);
    if (argmaxLast(rb.logits) !== token) cmp.tokensEqual = false;
    const next = (r: Record<string, Tensor>): Feeds => {
      const feeds: Feeds = {};
      for (const p of layout.past)
        feeds[p.name] = r[p.name.replace(/^past_key_values\./, "present.").replace(/^past\./, "present.")];
      return feeds;
    };
    const common = {
      input_ids: new ort.Tensor("int64", new BigInt64Array(batch).fill(BigInt(token)), [batch, 1]),
      ...mask(total + 1),
    };
    const feedsA = { ...common, ...next(ra) };
    const feedsB = { ...common, ...next(rb) };
    if (Object.values(feedsA).some((t) => t === undefined) || Object.values(feedsB).some((t) => t === undefined)) break;
    // Each model continues from its own cache; the reference's token feeds both, so they stay in step.
    [ra, rb] = await run(`decode step ${s + 1}`, feedsA, feedsB);
    total++;
    steps++;
  }
  if (steps > 0 && argmaxLast(ra.logits) !== argmaxLast(rb.logits)) cmp.tokensEqual = false;
  if (!seqFixed && layout.attentionMask && prompt > 1)
    await run("prefill with the first position masked", {
      input_ids: ids(prompt),
      ...mask(pastLength + prompt, 1),
      ...cache(pastLength, pastValues),
    });
  return steps;
}

function forwardFeeds(ort: Ort, options: VerifyOptions): Feeds {
  const feeds: Feeds = {};
  const fixed = options.fixedShapes ?? {};
  for (const input of options.signature.inputs) {
    const shape = (input.dims ?? []).map((d) => size(d, fixed, 1));
    const data = syntheticTensor({ name: input.name, dtype: input.dtype as Dtype, shape }, options.seed ?? 7);
    feeds[input.name] = new ort.Tensor(input.dtype as "float32", data.data as Float32Array, shape);
  }
  return feeds;
}

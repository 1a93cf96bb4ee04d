// Per-node error of a quantized model: for each quantized node whose output tensor exists (by name) in both the
// float and the quantized model, both models are run with that tensor exposed as an extra output, on the same
// inputs, and SQNR_dB = 10·log10(Σ ref² / Σ (ref − q)²) is accumulated over all samples. Sorted worst first, and
// written as `quant-error.json` (the format the language server reads: language-server/world/quant-findings.ts).
import { resolve } from "node:path";
import { EdgeError } from "../errors";
import { writeFileAtomic } from "../fs/atomic";
import { evaluationSamples } from "./compare-models";
import { type ExposableModel, readExposable, sessionWithOutputs } from "./expose-outputs";
import { checkSameInputs, loadOrt, runSession } from "./model-pair";
import { SqnrAccumulator } from "./output-metrics";
import type { NodeError, NodeErrorResult, PerNodeErrorOptions, QuantErrorFile, QuantizedNode } from "./types";

const DEFAULT_OUTPUTS_PER_PASS = 256;

/** Sort key: lower is worse; a zero-signal or non-finite tensor is worst, an identical one best. */
function severity(e: NodeError): number {
  if (e.sqnr_db !== null) return e.sqnr_db;
  return e.note === "identical" ? Infinity : -Infinity;
}

function nodeError(q: QuantizedNode, acc: SqnrAccumulator): NodeError {
  const { sqnrDb, maxAbs, meanAbs } = acc.result();
  const base = {
    node: q.node,
    op_type: q.op_type ?? q.opType ?? "",
    output: q.output,
    max_abs: maxAbs,
    mean_abs: meanAbs,
    elements: acc.elements,
  };
  if (Number.isFinite(sqnrDb)) return { ...base, sqnr_db: sqnrDb };
  // 0/0 (all zeros in both) and x/0 are no error at all; 0/x is all error; NaN data is reported as non-finite.
  if (sqnrDb === Infinity || (Number.isNaN(sqnrDb) && maxAbs === 0))
    return { ...base, sqnr_db: null, note: "identical" };
  if (sqnrDb === -Infinity) return { ...base, sqnr_db: null, note: "zero-signal" };
  return { ...base, sqnr_db: null, note: "not-finite" };
}

/** Which quantized nodes can be measured, and why the others cannot. */
function measurable(
  nodes: QuantizedNode[],
  a: ExposableModel,
  b: ExposableModel,
): { measured: QuantizedNode[]; skipped: NodeErrorResult["skipped"] } {
  const measured: QuantizedNode[] = [];
  const skipped: NodeErrorResult["skipped"] = [];
  const seen = new Set<string>();
  for (const q of nodes) {
    const reason = !a.tensors.has(q.output)
      ? "the float model has no tensor of this name in its main graph"
      : !b.tensors.has(q.output)
        ? "the optimized model has no tensor of this name in its main graph"
        : seen.has(q.output)
          ? "another quantized node has the same output"
          : undefined;
    if (reason) skipped.push({ node: q.node, output: q.output, reason });
    else {
      seen.add(q.output);
      measured.push(q);
    }
  }
  return { measured, skipped };
}

export async function perNodeError(options: PerNodeErrorOptions): Promise<NodeErrorResult> {
  const a = await readExposable(options.original);
  const b = await readExposable(options.optimized);
  checkSameInputs(a.signature, b.signature, options.optimized);
  const { measured, skipped } = measurable(options.quantizedNodes, a, b);
  const samples = evaluationSamples(a.signature, options.original, options, []).slice(
    0,
    options.maxSamples ?? Infinity,
  );
  const accumulators = new Map(measured.map((q) => [q.output, new SqnrAccumulator()]));
  const perPass = options.maxOutputsPerPass ?? DEFAULT_OUTPUTS_PER_PASS;
  if (!(perPass >= 1)) throw new EdgeError("run/input", `maxOutputsPerPass must be at least 1, got ${perPass}`);
  const ort = await loadOrt();
  for (let start = 0; start < measured.length; start += perPass) {
    const names = measured.slice(start, start + perPass).map((q) => q.output);
    const sessionA = await sessionWithOutputs(ort, a, names);
    try {
      const sessionB = await sessionWithOutputs(ort, b, names);
      try {
        for (let i = 0; i < samples.length; i++) {
          options.signal?.throwIfAborted();
          const ra = await runSession(
            ort,
            { session: sessionA, path: a.model.path, signature: a.signature },
            samples[i],
            i,
            names,
          );
          const rb = await runSession(
            ort,
            { session: sessionB, path: b.model.path, signature: b.signature },
            samples[i],
            i,
            names,
          );
          for (const name of names) accumulators.get(name)!.add(ra[name], rb[name]);
        }
      } finally {
        await sessionB.release();
      }
    } finally {
      await sessionA.release();
    }
  }
  const nodes: NodeError[] = [];
  for (const q of measured) {
    const acc = accumulators.get(q.output)!;
    if (acc.problem) skipped.push({ node: q.node, output: q.output, reason: acc.problem });
    else nodes.push(nodeError(q, acc));
  }
  nodes.sort((x, y) => severity(x) - severity(y) || x.node.localeCompare(y.node));
  return { nodes, skipped, samples: samples.length };
}

/** The content of quant-error.json for a result. */
export function quantErrorFile(
  result: NodeErrorResult,
  models: { original: string; optimized: string },
  created = new Date(),
): QuantErrorFile {
  return {
    method: "sqnr",
    original: resolve(models.original),
    optimized: resolve(models.optimized),
    created: created.toISOString(),
    samples: result.samples,
    nodes: result.nodes,
    skipped: result.skipped,
  };
}

/** Writes quant-error.json atomically (a temporary file beside it, then a rename). */
export async function writeQuantErrorJson(
  path: string,
  result: NodeErrorResult,
  models: { original: string; optimized: string },
): Promise<QuantErrorFile> {
  const file = quantErrorFile(result, models);
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
  return file;
}

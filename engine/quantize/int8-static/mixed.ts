// int8-static's precision choice for the calibrated model: each quantized tensor's scale, zero point and element
// type under a PrecisionChoice, and the search that makes the choice — LayerNormalization inputs kept float, then
// a sensitivity pass and trials on the calibration samples until the target cosine holds (options.targetCosine,
// default 0.99; 0 turns the search off). What moved to 16 bits or stayed float is summarised in the warnings.
import type { ModelProto } from "onnx-buf";
import { TensorProto_DataType as DT } from "onnx-buf";
import { EdgeError, isEdgeError } from "../../errors";
import type { TensorRange } from "../calibrate/run";
import type { QuantizeContext } from "../graph/context";
import {
  copyChoice,
  LAYER_NORM,
  layerNormInputs,
  type PrecisionChoice,
  searchLadder,
  type SearchResult,
  SENSITIVE,
  type Unit,
} from "./precision";
import type { ActivationType, Planned } from "./plan";
import { scaleAndZeroPoint } from "../kernels/arithmetic";
import { measureSensitivity, type QuantGrid, trialCosine, weightedSqnr } from "./sensitivity";
import { channelGains, readerAxis } from "./sensitivity-gain";

/** How much wider than calibrated a tensor moved to 16 bits is quantized (2 of its 16 bits). */
const WIDE_RANGE = 4;

/** Samples the sensitivity pass measures noise on (all of them are used for the trials). */
const MEASURED_SAMPLES = 4;

export interface QParams {
  scale: number;
  zeroPoint: number;
  act: ActivationType;
}

/**
 * Parameters of each tensor under `choice` (undefined: float); outputs of pass-through ops follow their input.
 * 8-bit tensors use the calibrated `ranges`, 16-bit ones the `extremes` seen.
 */
export function tensorParams(
  ranges: Map<string, TensorRange>,
  extremes: Map<string, TensorRange>,
  sharedFrom: Map<string, string>,
  choice: PrecisionChoice,
  act: ActivationType,
  wide?: ActivationType,
): (name: string) => QParams | undefined {
  const cache = new Map<string, QParams | null>();
  const of = (name: string): QParams | undefined => {
    const known = cache.get(name);
    if (known !== undefined) return known ?? undefined;
    let found: QParams | undefined;
    const source = sharedFrom.get(name);
    if (choice.float.has(name)) found = undefined;
    else if (source !== undefined) found = of(source);
    else {
      const type = wide && choice.wide.has(name) ? wide : act;
      const range = type === act ? ranges.get(name) : (extremes.get(name) ?? ranges.get(name));
      if (range) {
        // 16 bits have resolution to spare: the whole range seen (not clipped by percentile or entropy), WIDE_RANGE×
        // wider so that unseen inputs clip far less.
        const f = type === act ? 1 : WIDE_RANGE;
        const [scale, zeroPoint] = scaleAndZeroPoint(range.lo * f, range.hi * f, type.qmin, type.qmax, type.symmetric);
        found = { scale, zeroPoint, act: type };
      }
    }
    cache.set(name, found ?? null);
    return found;
  };
  return of;
}

export interface MixedInputs {
  planned: Planned[];
  /** Indexes into `planned` of the nodes calibration saw. */
  kept: number[];
  sharedFrom: Map<string, string>;
  ranges: Map<string, TensorRange>;
  act: ActivationType;
  wide?: ActivationType;
  types: Map<string, number>;
  /** The candidate model (a copy) quantized under a choice. */
  build: (choice: PrecisionChoice) => Promise<ModelProto>;
}

const listed = (names: Iterable<string>, max = 5) => {
  const all = [...names];
  return (
    all
      .slice(0, max)
      .map((n) => `"${n}"`)
      .join(", ") + (all.length > max ? `, … (${all.length - max} more)` : "")
  );
};

export async function choosePrecision(ctx: QuantizeContext, m: MixedInputs): Promise<PrecisionOutcome> {
  const normalized = layerNormInputs(ctx.model.proto);
  const base: PrecisionChoice = { wide: new Set(), float: new Set(), floatNodes: new Map(), normalized };
  const producerOf = new Map<string, number>();
  for (const i of m.kept) if (m.planned[i].rule.output === "calibrated") producerOf.set(m.planned[i].node.output[0], i);
  // Tensors a LayerNormalization reads stay float, and so does the node making them (the residual Add).
  const candidates = new Set<string>();
  for (const i of m.kept) {
    const p = m.planned[i];
    for (const name of p.activations.values()) candidates.add(name);
    if (p.rule.output === "calibrated") candidates.add(p.node.output[0]);
  }
  for (const name of candidates) {
    if (!normalized.has(name)) continue;
    base.float.add(name);
    const producer = producerOf.get(name);
    if (producer !== undefined) base.floatNodes.set(producer, LAYER_NORM);
  }
  if (base.float.size > 0)
    ctx.warnings.push(
      `kept ${base.float.size} tensor${base.float.size === 1 ? "" : "s"} read by LayerNormalization in float: ${listed(base.float)}`,
    );
  const target = ctx.options.targetCosine ?? 0.99;
  if (!(target >= 0 && target < 1))
    throw new EdgeError(
      "recipe/invalid",
      `target cosine ${target} is not in [0, 1)`,
      { file: ctx.file },
      "e.g. 0.99 (the default); 0 turns mixed precision off",
    );
  const samples = ctx.options.calibration!.samples;
  // Weighted readers of each tensor: their weights say how much each of its channels matters.
  const readers = new Map<string, Planned[]>();
  for (const i of m.kept) {
    const p = m.planned[i];
    const x = p.activations.get(0);
    if (x !== undefined && p.rule.weight !== undefined && p.constants.has(p.rule.weight))
      readers.set(x, [...(readers.get(x) ?? []), p]);
  }
  const grids = new Map<string, QuantGrid>();
  for (const name of candidates) {
    const range = m.ranges.get(name);
    if (!range || base.float.has(name) || m.sharedFrom.has(name)) continue;
    const [scale, zeroPoint] = scaleAndZeroPoint(range.lo, range.hi, m.act.qmin, m.act.qmax, m.act.symmetric);
    const axis = (readers.get(name) ?? []).some((p) => readerAxis(p.node) === "conv") ? "conv" : "last";
    grids.set(name, { scale, zeroPoint, qmin: m.act.qmin, qmax: m.act.qmax, axis });
  }
  if (!(target > 0) || grids.size === 0) return { choice: base };
  const float32 = (name: string) => m.types.get(name) === DT.FLOAT;
  const pass = await measureSensitivity(ctx.model, grids, samples, float32, MEASURED_SAMPLES, ctx.signal);
  const units: Unit[] = [];
  for (const tensor of grids.keys()) {
    const energy = pass.energy.get(tensor);
    let sqnr = energy ? weightedSqnr(energy) : Infinity;
    for (const p of readers.get(tensor) ?? []) {
      const gain = energy && (await channelGains(ctx.model, p));
      if (gain && gain.length === energy.signal.length) sqnr = Math.min(sqnr, weightedSqnr(energy, gain));
    }
    const i = producerOf.get(tensor);
    const p = i === undefined ? undefined : m.planned[i];
    const weighted = p !== undefined && p.rule.weight !== undefined && p.constants.has(p.rule.weight);
    units.push({ tensor, producer: weighted ? i : undefined, sqnr });
  }
  units.sort((a, b) => a.sqnr - b.sqnr);
  let step = 0;
  // The choice is fitted on the calibration samples; unseen inputs lose more (on PP-OCR det, a choice just at 0.995 on
  // 8 images gave 0.984 on 10 others), so the search aims at a quarter of the allowed loss.
  const aim = 1 - (1 - target) / 4;
  const result = await searchLadder(base, units, m.wide !== undefined, aim, async (choice) => {
    ctx.onProgress?.({
      done: step++,
      total: 2 * Math.ceil(Math.log2(2 * units.length + 2)),
      tensor: "precision trials",
    });
    try {
      return await trialCosine(ctx.model, await m.build(choice), samples, pass.reference, ctx.signal);
    } catch (e) {
      // A candidate onnxruntime cannot load or run (its QDQ fusions have gaps, e.g. weights of an outer scope read
      // inside an If branch) is not a choice: score it as failing and search on.
      if (isEdgeError(e) && e.code === "run/failed" && !ctx.signal?.aborted) return 0;
      throw e;
    }
  });
  return { choice: copyChoice(result.choice), search: { ...result, target, aim } };
}

/** What the search found, for the warnings written once the model is rewritten. */
export interface PrecisionOutcome {
  choice: PrecisionChoice;
  search?: SearchResult & { target: number; aim: number };
}

/** Summarises in the warnings what went to 16 bits (tensors that really got a 16-bit pair) and what stayed float. */
export function reportPrecision(
  ctx: QuantizeContext,
  act: ActivationType,
  outcome: PrecisionOutcome,
  paired: Map<string, ActivationType>,
): void {
  const { choice, search } = outcome;
  if (!search) return;
  const wide = [...paired].filter(([, type]) => type !== act).map(([name]) => name);
  const float = [...choice.float].filter((n) => !choice.normalized.has(n));
  const moved: string[] = [];
  const plural = (n: number) => `${n} tensor${n === 1 ? "" : "s"}`;
  if (wide.length) moved.push(`${plural(wide.length)} to ${paired.get(wide[0])!.name}: ${listed(wide)}`);
  if (float.length) moved.push(`${plural(float.length)} to float: ${listed(float)}`);
  const cos = (c: number) => c.toFixed(4);
  const nodes = [...choice.floatNodes.values()].filter((r) => r === SENSITIVE).length;
  if (moved.length) {
    ctx.warnings.push(
      `mixed precision: with every activation ${act.name} the calibration samples' cosine was ${cos(search.initial)} (target ${search.target}, aiming at ${search.aim.toFixed(4)} on them); moved ${moved.join("; ")}${nodes ? ` (their ${nodes} producing node${nodes === 1 ? "" : "s"} float too)` : ""}; worst SQNR first, ${search.trials} trials → cosine ${cos(search.cosine)}`,
    );
  }
  if (search.cosine < search.target)
    ctx.warnings.push(
      `mixed precision: the calibration samples' cosine stays ${cos(search.cosine)}, below the target ${search.target}, even with the sensitive tensors in float`,
    );
}

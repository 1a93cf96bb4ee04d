// What the fp16 method must know about operators: the ones whose ONNX schema has no float16 for a float slot
// (they stay float32 whole), the non-T float inputs and outputs that stay float32 inside a converted node, and the
// default block list for onnxruntime's CPU provider. Schema facts come from Debian's python3-onnx 1.12 defs
// (`onnx.defs.get_all_schemas_with_history()`: every slot allowing tensor(float) but not tensor(float16)).

/** Ops a converted model must keep in float32 because their schema (at this opset) takes no float16 in a T slot. */
export function schemaBlocks(opType: string, opset: number): boolean {
  switch (opType) {
    case "Celu": // Celu-12: T is tensor(float) only
    case "Range": // Range-11: float, double, int16, int32, int64
    case "NonMaxSuppression": // boxes, scores, thresholds: tensor(float)
    case "DynamicQuantizeLinear": // x: tensor(float)
    case "QLinearConv": // scales: tensor(float)
    case "QLinearMatMul":
    case "TfIdfVectorizer": // output: tensor(float)
      return true;
    case "CumSum": // float16 from CumSum-14
      return opset < 14;
    case "IsInf": // float16 from IsInf-20
      return opset < 20;
    case "QuantizeLinear": // x and y_scale float16 from opset 19
    case "DequantizeLinear":
      return opset < 19;
    default:
      return false;
  }
}

/** Inputs of a converted node that its schema types as tensor(float) apart from T: they stay float32. */
export function fixedFloatInputs(opType: string, opset: number): readonly number[] {
  switch (opType) {
    case "Resize": // Resize-10 scales (1); Resize-11+ roi (2, T2, read as float by CPU kernels) and scales (2)
      return opset < 11 ? [1] : [1, 2];
    case "Upsample": // Upsample-9/10 scales: tensor(float)
      return [1];
    default:
      return [];
  }
}

/** Outputs of a converted node typed apart from T as float (LayerNormalization's Mean and InvStdDev: U from stash_type). */
export function fixedFloatOutputs(opType: string): readonly number[] {
  return opType === "LayerNormalization" ? [1, 2] : [];
}

/** Ops holding subgraphs: they cannot be blocked (their bodies are converted scope by scope instead). */
export const controlFlowOps: ReadonlySet<string> = new Set(["If", "Loop", "Scan", "SequenceMap"]);

/**
 * Ops kept in float32 by default. onnxruntime's CPU provider runs most float16 nodes by casting to float32 around
 * kernels it lacks, so little fails outright; found by converting every libonnx-testdata node test to float16 and
 * running it in onnxruntime-node 1.30 against the float model:
 *  - fail on the CPU provider: EyeLike (no kernel), MelWeightMatrix (its inserted cast has the wrong type),
 *    MeanVarianceNormalization (its function body mixes float32 constants in), and ScatterElements/ScatterND with a
 *    `reduction` (see `blockedByDefault`);
 *  - precision: TopK and RoiAlign pick indices and sample coordinates, which float16 rounding moves; Range and
 *    CumSum count up past float16's 2048 integer limit; ReduceSumSquare, ReduceProd and Det overflow 65504 easily.
 */
export const defaultFp16BlockOps: readonly string[] = [
  "EyeLike",
  "MelWeightMatrix",
  "MeanVarianceNormalization",
  "TopK",
  "RoiAlign",
  "NonMaxSuppression",
  "Range",
  "CumSum",
  "ReduceSumSquare",
  "ReduceProd",
  "Det",
];

/** Nodes onnxruntime's CPU provider cannot run in float16 though their op type can: scatters that reduce. */
export function blockedByDefault(opType: string, reduction: string | undefined): boolean {
  return (opType === "ScatterElements" || opType === "ScatterND") && reduction !== undefined && reduction !== "none";
}

/** Where each op's float-typed attributes live, so a converted node makes float16: attribute name and its default. */
export const dtypeAttrs: Readonly<Record<string, { name: string; defaultFloat: boolean }>> = {
  RandomNormal: { name: "dtype", defaultFloat: true },
  RandomUniform: { name: "dtype", defaultFloat: true },
  RandomNormalLike: { name: "dtype", defaultFloat: false },
  RandomUniformLike: { name: "dtype", defaultFloat: false },
  Bernoulli: { name: "dtype", defaultFloat: false },
  EyeLike: { name: "dtype", defaultFloat: false },
  SequenceEmpty: { name: "dtype", defaultFloat: true },
  HannWindow: { name: "output_datatype", defaultFloat: true },
  HammingWindow: { name: "output_datatype", defaultFloat: true },
  BlackmanWindow: { name: "output_datatype", defaultFloat: true },
  MelWeightMatrix: { name: "output_datatype", defaultFloat: true },
};

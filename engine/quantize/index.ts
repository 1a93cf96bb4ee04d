// The quantize module's public surface: `quantizeModel` and what it takes and reports. The recipe's `quantize:` step
// (engine/pipeline), `edge quantize` (engine/cli) and the report import from here (or from the two files behind it,
// quantize-model.ts and types.ts), never from the methods' folders.
export { modelBytes, quantizeModel, type QuantizeHooks } from "./quantize-model";
export {
  type CalibrationMethod,
  type CalibrationOptions,
  type NodeFilter,
  type QuantizedNode,
  type QuantizeOptions,
  type QuantizeProgress,
  type QuantizeResult,
  type QuantMethod,
  quantMethods,
  type SkippedNode,
} from "./types";

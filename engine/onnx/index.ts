// The onnx module's public surface for code outside the engine (the language server reads models with it): read a
// model, its signature, its graphs and dtypes. Inside the engine, modules import the files behind it directly.
export { dtypeName } from "./dtypes";
export { readModel, type OnnxModel, type ReadModelOptions } from "./read-model";
// The language server decodes a model's structure it read itself (without weights; language-server/world/).
export { decodeModel, MAX_PROTOBUF_BYTES } from "./read-model";
export { modelSignature, tensorSignature, type ModelSignature, type TensorSignature } from "./signature";
export { isConstantNode, opKey, walkGraphs } from "./walk";
export { decoderLimits, type DecoderGraphView, type DecoderLimits } from "./decoder-limits";

// The ONNX format plug-in: recognizes a ModelProto from its first field tags, and opens it with the ONNX reader.
import { extname } from "node:path";
import { readModel } from "../onnx/read-model";
import type { ModelFormat } from "./model-format";

/** Wire tags a ModelProto can start with: a known field number with its wire type (ir_version first in practice). */
const modelProtoTags = new Set([
  0x08, // 1 ir_version, varint
  0x12, // 2 producer_name
  0x1a, // 3 producer_version
  0x22, // 4 domain
  0x28, // 5 model_version, varint
  0x32, // 6 doc_string
  0x3a, // 7 graph
  0x42, // 8 opset_import
]);

const onnxExtensions = [".onnx"];

export const onnxFormat: ModelFormat = {
  id: "onnx",
  name: "ONNX",
  extensions: onnxExtensions,
  match(head, path) {
    const byName = onnxExtensions.includes(extname(path).toLowerCase());
    // ir_version (field 1) first, with a small version number: what every exporter writes.
    if (head.length >= 2 && head[0] === 0x08 && head[1] >= 1 && head[1] <= 0x7f) return "yes";
    if (byName || (head.length > 0 && modelProtoTags.has(head[0]))) return "maybe";
    return "no";
  },
  async open(path, options) {
    const onnx = await readModel(path, options);
    return { format: "onnx", path: onnx.path, sizeBytes: onnx.sizeBytes, onnx };
  },
};

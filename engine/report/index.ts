// The report module's public surface for code outside the engine: how run folders are named (the extension finds
// the last report, the language server a model's quantization findings). Inside the engine, modules import the
// files behind it directly.
export { sanitizeName } from "./run-dir";

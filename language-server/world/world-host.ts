// What the language service knows of the world beyond the document: models (summarized off the request path and
// cached by path, size and modification time), attached adb devices, ssh hosts, files, and a previous run's
// per-node quantization findings. Injected, so unit tests pass a fake world and the server passes the real one.
import type { TensorSignature } from "../../engine/onnx";

export interface ModelNodeSummary {
  name: string;
  opType: string;
  /** Domain of the op ("" for ai.onnx). */
  domain: string;
  inputs: string[];
  outputs: string[];
}

/** A model as the editor needs it: small enough to keep for every model a recipe names (no weights). */
export interface ModelSummary {
  /** Absolute path, and the file facts the cache is keyed by. */
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  irVersion: number;
  producer: string;
  opsetImports: { domain: string; version: number }[];
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** Parameters: elements and bytes of initializers and Constant tensors (external data counted, not read). */
  parameterCount: number;
  parameterBytes: number;
  /** Nodes of the main graph and of subgraphs (names may repeat across subgraphs). */
  nodeCount: number;
  /** Op type → occurrences, all graphs. */
  opCounts: Record<string, number>;
  nodes: ModelNodeSummary[];
  /** Known shapes of values (graph inputs/outputs and value_info), by value name. */
  valueShapes: Record<string, TensorSignature>;
}

/** Reading a model failed: the editor shows this at `model.path`. */
export interface ModelSummaryError {
  code: string;
  message: string;
  hint?: string;
}

export type ModelSummaryResult = { ok: true; summary: ModelSummary } | { ok: false; error: ModelSummaryError };

export interface AdbDevice {
  serial: string;
  /** "device", "offline", "unauthorized", … as `adb devices` says. */
  state: string;
  model?: string;
  product?: string;
}

/** One entry of a previous run's quant-error.json: how much a quantized node's output differs from the float model. */
export interface QuantNodeFinding {
  node: string;
  opType?: string;
  /** Signal-to-quantization-noise ratio of the node's output, in dB (lower is worse). */
  sqnrDb: number;
}

export interface WorldHost {
  /** The model's summary, reading it if needed (off the request path); cached by path, size and mtime. */
  modelSummary(absolutePath: string): Promise<ModelSummaryResult>;
  /** The cached summary if it is current, without reading anything: for requests that must answer at once. */
  cachedModelSummary(absolutePath: string): ModelSummaryResult | undefined;
  /** Devices attached to adb (empty when adb is not installed or not running); cached for a few seconds. */
  adbDevices(): Promise<AdbDevice[]>;
  /** `Host` names from ~/.ssh/config (and the files it includes), without patterns. */
  sshHosts(): Promise<string[]>;
  /** "file", "directory", or undefined when nothing is there. */
  pathKind(absolutePath: string): Promise<"file" | "directory" | undefined>;
  /** Entries of a folder (for path completion); empty when it cannot be read. */
  listDirectory(absolutePath: string): Promise<{ name: string; kind: "file" | "directory" }[]>;
  /**
   * Per-node findings of the newest run of this recipe (`.edge/runs/*\/quant-error.json`, format in
   * world/quant-findings.ts), if any. With `recipeName` (the recipe's `name`), only runs of that recipe count.
   */
  quantFindings(recipeAbsolutePath: string, recipeName?: string): Promise<QuantNodeFinding[]>;
  /** The home folder, for `~/` in paths. */
  homeDir?: string;
}

// What a language model's weights say about its limits: the vocabulary (the logits' last dim, else the rows of the
// token embedding that input_ids index) and the context length (the rows of a learned position table, or of a
// rotary cos/sin cache). Pure, on a light view of the graph (initializer dims and nodes), so the recipe checks get it
// from the model here and the language server from its model summary. Sinusoidal positions computed in the graph,
// and anything not recognized, leave the context length unknown: callers say they cannot tell.
import type { ModelProto } from "onnx-buf";
import type { ModelSignature } from "./signature";

export interface DecoderGraphView {
  signature: ModelSignature;
  /** Dims of the main graph's initializers (and Constant tensors), by name. */
  initializerDims: Record<string, readonly number[]>;
  nodes: readonly { opType: string; inputs: readonly string[] }[];
}

export interface DecoderLimits {
  /** Token ids the model takes: logits' last dim, else the token embedding's rows. */
  vocabSize?: number;
  /** Where vocabSize was read, for messages ("the logits' last dim", "the rows of model.embed_tokens.weight"). */
  vocabFrom?: string;
  /** Positions the model holds. */
  contextLength?: number;
  contextFrom?: string;
}

const GATHERS = new Set(["Gather", "GatherBlockQuantized"]);
const POSITION_TABLE = /pos|wpe/i;
const ROTARY_CACHE = /(cos|sin)_cache|(cos|sin)_cached/i;

export function decoderLimits(view: DecoderGraphView): DecoderLimits {
  const out: DecoderLimits = {};
  const logits = view.signature.outputs.find((o) => o.name === "logits");
  const last = logits?.dims?.[logits.dims.length - 1];
  if (logits && typeof last === "number" && last > 0) {
    out.vocabSize = last;
    out.vocabFrom = `the last dim of output \`${logits.name}\``;
  }
  const table = (name: string | undefined) => {
    const dims = name === undefined ? undefined : view.initializerDims[name];
    return dims && dims.length === 2 ? dims : undefined;
  };
  const embedding = view.nodes.find((n) => GATHERS.has(n.opType) && n.inputs[1] === "input_ids" && table(n.inputs[0]));
  const hidden = embedding ? table(embedding.inputs[0])?.[1] : undefined;
  if (embedding && out.vocabSize === undefined) {
    out.vocabSize = table(embedding.inputs[0])![0];
    out.vocabFrom = `the rows of \`${embedding.inputs[0]}\``;
  }
  for (const node of view.nodes) {
    if (!GATHERS.has(node.opType) || node === embedding) continue;
    const name = node.inputs[0];
    const dims = table(name);
    if (!dims || !POSITION_TABLE.test(name) || (hidden !== undefined && dims[1] !== hidden)) continue;
    out.contextLength = dims[0];
    out.contextFrom = `the rows of \`${name}\``;
    return out;
  }
  for (const [name, dims] of Object.entries(view.initializerDims)) {
    if (dims.length === 2 && ROTARY_CACHE.test(name)) {
      out.contextLength = dims[0];
      out.contextFrom = `the rows of \`${name}\``;
      break;
    }
  }
  return out;
}

/** The view of a decoded model's main graph. */
export function decoderGraphView(proto: ModelProto, signature: ModelSignature): DecoderGraphView {
  const graph = proto.graph;
  const initializerDims: Record<string, number[]> = {};
  for (const t of graph?.initializer ?? []) initializerDims[t.name] = t.dims.map(Number);
  for (const node of graph?.node ?? []) {
    if (node.opType !== "Constant" || node.domain !== "") continue;
    const value = node.attribute.find((a) => a.name === "value")?.t;
    if (value && node.output[0]) initializerDims[node.output[0]] = value.dims.map(Number);
  }
  return {
    signature,
    initializerDims,
    nodes: (graph?.node ?? []).map((n) => ({ opType: n.opType, inputs: n.input })),
  };
}

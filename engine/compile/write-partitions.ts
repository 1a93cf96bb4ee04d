// partitions.json: the provider support analysis in the file the graph viewer reads, written atomically. The format
// is declared in common/partitions.ts (version 1, snake_case as the other run artifacts), in short:
// {
//   "format": "edge-partitions", "version": 1,
//   "provider": "nnapi", "variant"?: "mlprogram", "title": "...",
//   "model"?: "/abs/path/model.onnx",
//   "source": { "documents": [{ "title", "url"?, "repository"?, "path"?, "commit"?, "note"? }], "retrieved": "YYYY-MM-DD" },
//   "nodes": [{ "node": "conv1", "index": 12, "op_type": "Conv", "domain"?: "com.microsoft",
//               "placement": "provider" | "cpu", "reason"?: "op LSTM is not supported by nnapi",
//               "reason_kind"?: "op" | "external-data" | "dynamic-shape" | "rank" | "dim" | "dtype" | "constant" | "attribute" | "fusion" | "partition",
//               "partition"?: 0, "flops": 1234 }],        // main-graph nodes in topological order; Constant nodes omitted
//   "partitions": [{ "id": 0, "nodes": 17, "flops": 123, "first": "conv1", "last": "relu9" }],
//   "summary": { "nodes", "provider_nodes", "cpu_nodes", "cpu_node_share", "flops", "cpu_flops", "cpu_flop_share",
//                "partitions", "transitions", "unsupported_ops": { "Op": n }, "reasons": { "kind": n },
//                "symbolic_dims": ["input x dim 0 (batch)"], "notes": ["..."] },
//   "caveats": { "Gemm": "If input B is not constant, transB should be 1." }
// }
import { join } from "node:path";
import { PARTITIONS_FILE, PARTITIONS_FORMAT, PARTITIONS_VERSION, type PartitionsFile } from "../../common/partitions";
import { writeFileAtomic } from "../fs/atomic";
import type { SupportAnalysis } from "./analyze-support";

export { PARTITIONS_FILE } from "../../common/partitions";

/** The JSON document of an analysis (see the format above). */
export function partitionsDocument(analysis: SupportAnalysis, modelPath?: string): PartitionsFile {
  const s = analysis.summary;
  return {
    format: PARTITIONS_FORMAT,
    version: PARTITIONS_VERSION,
    provider: analysis.provider,
    ...(analysis.variant ? { variant: analysis.variant } : {}),
    title: analysis.title,
    ...(modelPath ? { model: modelPath } : {}),
    source: analysis.source,
    nodes: analysis.nodes.map((n) => ({
      node: n.node,
      index: n.index,
      op_type: n.opType,
      ...(n.domain && n.domain !== "ai.onnx" ? { domain: n.domain } : {}),
      placement: n.placement,
      ...(n.reason ? { reason: n.reason, reason_kind: n.reasonKind } : {}),
      ...(n.partition !== undefined ? { partition: n.partition } : {}),
      flops: n.flops,
    })),
    partitions: analysis.partitions,
    summary: {
      nodes: s.nodes,
      provider_nodes: s.providerNodes,
      cpu_nodes: s.cpuNodes,
      cpu_node_share: s.cpuNodeShare,
      flops: s.flops,
      cpu_flops: s.cpuFlops,
      cpu_flop_share: s.cpuFlopShare,
      partitions: s.partitions,
      transitions: s.transitions,
      unsupported_ops: s.unsupportedOps,
      reasons: s.reasons,
      symbolic_dims: s.symbolicDims,
      notes: s.notes,
    },
    caveats: analysis.caveats,
  };
}

/** Writes `dir/partitions.json` atomically; returns its path. Throws `io/write` on failure. */
export async function writePartitions(dir: string, analysis: SupportAnalysis, modelPath?: string): Promise<string> {
  const path = join(dir, PARTITIONS_FILE);
  await writeFileAtomic(path, `${JSON.stringify(partitionsDocument(analysis, modelPath), null, 2)}\n`);
  return path;
}

// partitions.json: which nodes of a model a provider (nnapi, coreml, qnn, xnnpack) takes and which stay on the CPU,
// written beside the compiled model by `edge compile` and by a run's compile step (engine/compile/write-partitions.ts)
// and read by the graph viewer. Version 1; snake_case like the other run artifacts.

export const PARTITIONS_FILE = "partitions.json";
export const PARTITIONS_FORMAT = "edge-partitions";
export const PARTITIONS_VERSION = 1;

/** Why a node stays on the CPU. */
export type PlacementReasonKind =
  | "op"
  | "external-data"
  | "dynamic-shape"
  | "rank"
  | "dim"
  | "dtype"
  | "constant"
  | "attribute"
  | "fusion"
  | "partition";

/** A document the provider's support table was taken from. */
export interface SourceDocument {
  title: string;
  url?: string;
  repository?: string;
  path?: string;
  commit?: string;
  note?: string;
}

export interface PartitionsNode {
  node: string;
  /** Index in the main graph's nodes. */
  index: number;
  op_type: string;
  /** Absent for the default ONNX domain. */
  domain?: string;
  placement: "provider" | "cpu";
  /** e.g. "op LSTM is not supported by nnapi"; with `reason_kind`. */
  reason?: string;
  reason_kind?: PlacementReasonKind;
  partition?: number;
  /** Estimated FLOPs at the analysed shapes. */
  flops: number;
}

export interface PartitionsPartition {
  id: number;
  nodes: number;
  flops: number;
  first: string;
  last: string;
}

export interface PartitionsSummary {
  nodes: number;
  provider_nodes: number;
  cpu_nodes: number;
  cpu_node_share: number;
  flops: number;
  cpu_flops: number;
  cpu_flop_share: number;
  partitions: number;
  transitions: number;
  unsupported_ops: Record<string, number>;
  reasons: Partial<Record<PlacementReasonKind, number>>;
  /** e.g. "input x dim 0 (batch)". */
  symbolic_dims: string[];
  notes: string[];
}

export interface PartitionsFile {
  format: typeof PARTITIONS_FORMAT;
  version: typeof PARTITIONS_VERSION;
  provider: string;
  /** Core ML: "mlprogram" or "neuralnetwork". */
  variant?: string;
  title: string;
  /** Absolute path of the analysed model. */
  model?: string;
  source: { documents: SourceDocument[]; retrieved: string };
  /** Main-graph nodes in topological order; Constant nodes omitted. */
  nodes: PartitionsNode[];
  partitions: PartitionsPartition[];
  summary: PartitionsSummary;
  /** Caveats of the source table for ops placed on the provider that the rules do not fully check. */
  caveats: Record<string, string>;
}

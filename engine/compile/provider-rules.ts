// The provider support tables as data: the types of engine/compile/providers/<provider>.json (each taken from a
// provider's documented support table, with its source named) and the lookup of one op's rule in a table.
import type { SourceDocument } from "../../common/partitions";
import coreml from "./providers/coreml.json" with { type: "json" };
import cpu from "./providers/cpu.json" with { type: "json" };
import nnapi from "./providers/nnapi.json" with { type: "json" };
import qnn from "./providers/qnn.json" with { type: "json" };
import xnnpack from "./providers/xnnpack.json" with { type: "json" };
import { EdgeError } from "../errors";

/** Rules that hold for every op of a provider unless the op's own rule overrides them. */
export interface GeneralRules {
  /** Element types (dtypeName: "float32", "uint8", …) accepted on the inputs in `dtypeInputs`. */
  dtypes?: string[];
  /** Which inputs the dtype rule checks (default [0], as the providers' base op builders do). */
  dtypeInputs?: number[];
  /** Every input needs a fully known shape (no symbolic dims). */
  staticShapes?: boolean;
  /** Highest rank an input may have. */
  maxRank?: number;
  /** Largest size one dim of an input may have. */
  maxDim?: number;
  /** false: a node reading an initializer stored as external data is refused. */
  externalInitializers?: boolean;
}

export interface AttributeRule {
  allowed: (string | number)[];
  /** The ONNX default, used when the node does not set the attribute. */
  default?: string | number;
  /** Only checked when these other attributes have these values. */
  when?: Record<string, string | number>;
}

export interface OpRule extends GeneralRules {
  /** The caveat text of the source table (shown; checked only as far as the fields below express it). */
  note?: string;
  /** Allowed ranks of input 0. */
  ranks?: number[];
  /** Dims of input 0 that must be known numbers. */
  staticDims?: number[];
  /** Inputs that must be constant (initializers, Constant outputs, or DequantizeLinear of a constant) when present. */
  constInputs?: number[];
  /** Attribute values the provider accepts. */
  attrs?: Record<string, AttributeRule>;
  /** Taken only next to a node of these ops that the provider takes (fusions, QDQ groups). */
  attachTo?: { ops: string[]; via: "producer" | "consumer" };
}

export type { SourceDocument };

export interface ProviderTable {
  provider: string;
  title: string;
  source: { documents: SourceDocument[]; retrieved: string };
  /** The CPU provider: every op is taken. */
  allOps?: boolean;
  defaults: GeneralRules;
  partition: { dropSingleNodeOps?: string[]; perNodeKernels?: boolean; note?: string };
  notes?: string[];
  /** Op rules keyed by `OpType` (default ONNX domain) or `domain:OpType`. */
  ops: Record<string, OpRule>;
  defaultVariant?: string;
  /** Other model formats of the same provider (Core ML's NeuralNetwork), replacing `ops` and merging `defaults`. */
  variants?: Record<string, { title: string; defaults?: GeneralRules; ops: Record<string, OpRule> }>;
}

/** The providers the analysis knows. */
export const ANALYSED_PROVIDERS = ["cpu", "xnnpack", "nnapi", "qnn", "coreml"] as const;
export type AnalysedProvider = (typeof ANALYSED_PROVIDERS)[number];

const tables: Record<AnalysedProvider, ProviderTable> = {
  cpu: cpu as ProviderTable,
  xnnpack: xnnpack as ProviderTable,
  nnapi: nnapi as ProviderTable,
  qnn: qnn as ProviderTable,
  coreml: coreml as ProviderTable,
};

export function isAnalysedProvider(name: string): name is AnalysedProvider {
  return (ANALYSED_PROVIDERS as readonly string[]).includes(name);
}

/** A provider's table with the variant applied; `recipe/invalid` for an unknown provider or variant. */
export function providerTable(provider: string, variant?: string): ProviderTable & { variant?: string } {
  if (!isAnalysedProvider(provider)) {
    throw new EdgeError(
      "recipe/invalid",
      `no support table for provider "${provider}"`,
      {},
      `the analysis knows ${ANALYSED_PROVIDERS.join(", ")}`,
    );
  }
  const table = tables[provider];
  const chosen = variant ?? table.defaultVariant;
  if (!chosen || chosen === table.defaultVariant) return { ...table, ...(chosen ? { variant: chosen } : {}) };
  const v = table.variants?.[chosen];
  if (!v) {
    const known = [table.defaultVariant, ...Object.keys(table.variants ?? {})].filter(Boolean);
    throw new EdgeError(
      "recipe/invalid",
      `provider "${provider}" has no variant "${chosen}"`,
      {},
      known.length ? `variants: ${known.join(", ")}` : `${provider} has no variants`,
    );
  }
  return {
    ...table,
    defaults: { ...table.defaults, ...v.defaults },
    ops: v.ops,
    variant: chosen,
    title: `${table.title}, ${v.title}`,
  };
}

/** The rule key of a node: `OpType` in the default domain, `domain:OpType` elsewhere. */
export function ruleKey(domain: string, opType: string): string {
  return domain === "" || domain === "ai.onnx" ? opType : `${domain}:${opType}`;
}

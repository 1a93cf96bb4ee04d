// The interpreter of the provider tables: checks one node against its op's rule and the provider's general rules
// (dtype, static shape, rank, dim size, constant inputs, attribute values, external data) and says why not.
import type { PlacementReasonKind } from "../../common/partitions";
import type { NodeProto } from "onnx-buf";
import { dtypeName } from "../onnx/dtypes";
import { attrInt, attrString } from "../onnx/node-attrs";
import type { AttributeRule, GeneralRules, OpRule, ProviderTable } from "./provider-rules";
import { ruleKey } from "./provider-rules";

/** What the analysis knows about one value at a node's input. */
export interface ValueFacts {
  dtype: number;
  /** Dims as analysed (symbolic dims at their probe value); undefined when even the rank is unknown. */
  shape?: number[];
  /** Per dim: true when it depends on a dim that is not fixed. Undefined with `shape`. */
  dynamic?: boolean[];
  constant: boolean;
  external: boolean;
}

/** Why a node stays on the CPU: the kinds partitions.json records. */
export type ReasonKind = PlacementReasonKind;

export type Verdict = { ok: true } | { ok: false; kind: ReasonKind; reason: string };

const shapeText = (f: ValueFacts) => `[${f.shape!.map((d, i) => (f.dynamic?.[i] ? "?" : String(d))).join(",")}]`;

function attributeValue(node: NodeProto, name: string, rule: AttributeRule | undefined): string | number | undefined {
  const a = node.attribute.find((x) => x.name === name);
  if (!a) return rule?.default;
  return a.s.length > 0 || typeof rule?.default === "string" || typeof rule?.allowed[0] === "string"
    ? attrString(node, name)
    : attrInt(node, name);
}

function checkAttributes(node: NodeProto, attrs: Record<string, AttributeRule>): Verdict {
  for (const [name, rule] of Object.entries(attrs)) {
    if (
      rule.when &&
      !Object.entries(rule.when).every(([other, value]) => attributeValue(node, other, attrs[other]) === value)
    )
      continue;
    const value = attributeValue(node, name, rule);
    if (value === undefined) continue;
    if (!rule.allowed.includes(value)) {
      return {
        ok: false,
        kind: "attribute",
        reason: `attribute ${name}=${JSON.stringify(value)} is not supported (supported: ${rule.allowed.map((v) => JSON.stringify(v)).join(", ")})`,
      };
    }
  }
  return { ok: true };
}

/**
 * Checks one node against the table, ignoring `attachTo` (the caller resolves fusions once every node has a base
 * verdict). `facts[k]` describes input k (undefined for an absent optional input); entries past the node's inputs
 * are the outer-scope values its subgraphs read (`names` names them all).
 */
export function checkNode(
  node: NodeProto,
  facts: (ValueFacts | undefined)[],
  table: ProviderTable & { variant?: string },
  names: string[] = node.input,
): Verdict {
  if (table.allOps) return { ok: true };
  const key = ruleKey(node.domain, node.opType);
  const rule: OpRule | undefined = table.ops[key];
  if (!rule)
    return {
      ok: false,
      kind: "op",
      reason: `op ${key} is not supported by ${table.provider}${table.variant ? ` (${table.variant})` : ""}`,
    };
  const general: GeneralRules = { ...table.defaults, ...rule };
  const named = (k: number) =>
    k < node.input.length ? `input ${k} "${names[k]}"` : `outer-scope input "${names[k]}" of its subgraphs`;

  if (general.externalInitializers === false) {
    const k = facts.findIndex((f) => f?.external);
    if (k >= 0)
      return {
        ok: false,
        kind: "external-data",
        reason: `${named(k)} is an initializer in external data, which ${table.provider} does not take`,
      };
  }
  for (let k = 0; k < facts.length; k++) {
    const f = facts[k];
    if (!f) continue;
    if (general.staticShapes) {
      if (!f.shape)
        return {
          ok: false,
          kind: "dynamic-shape",
          reason: `${named(k)} has no known shape; ${table.provider} needs static shapes`,
        };
      if (f.dynamic?.some(Boolean))
        return {
          ok: false,
          kind: "dynamic-shape",
          reason: `dynamic shape on ${named(k)} ${shapeText(f)}; ${table.provider} needs static shapes (fix the dims)`,
        };
    }
    if (general.maxRank !== undefined && f.shape && f.shape.length > general.maxRank) {
      return { ok: false, kind: "rank", reason: `${named(k)} has rank ${f.shape.length} > ${general.maxRank}` };
    }
    if (general.maxDim !== undefined && f.shape) {
      const big = f.shape.findIndex((d, i) => d > general.maxDim! && !f.dynamic?.[i]);
      if (big >= 0)
        return {
          ok: false,
          kind: "dim",
          reason: `${named(k)} has dim ${big} of size ${f.shape[big]} > ${general.maxDim}`,
        };
    }
  }
  const x = facts[0];
  if (rule.ranks && x?.shape && !rule.ranks.includes(x.shape.length)) {
    return {
      ok: false,
      kind: "rank",
      reason: `${named(0)} has rank ${x.shape.length}; ${key} takes rank ${rule.ranks.join(" or ")}`,
    };
  }
  if (rule.ranks && x && !x.shape)
    return {
      ok: false,
      kind: "rank",
      reason: `${named(0)} has an unknown rank; ${key} takes rank ${rule.ranks.join(" or ")}`,
    };
  if (rule.staticDims && x) {
    const unknown = rule.staticDims.filter((d) => !x.shape || (d < x.shape.length && x.dynamic?.[d]));
    if (unknown.length > 0)
      return {
        ok: false,
        kind: "dynamic-shape",
        reason: `dynamic shape on ${named(0)}${x.shape ? ` ${shapeText(x)}` : ""}: dims ${unknown.join(", ")} must be known`,
      };
  }
  if (general.dtypes) {
    for (const k of general.dtypeInputs ?? [0]) {
      const f = facts[k];
      if (!f || f.dtype === 0) continue;
      const name = dtypeName(f.dtype);
      if (!general.dtypes.includes(name))
        return {
          ok: false,
          kind: "dtype",
          reason: `dtype ${name} of ${named(k)} is not supported (supported: ${general.dtypes.join(", ")})`,
        };
    }
  }
  for (const k of rule.constInputs ?? []) {
    const f = facts[k];
    if (f && !f.constant) return { ok: false, kind: "constant", reason: `${named(k)} must be constant` };
  }
  if (rule.attrs) {
    const verdict = checkAttributes(node, rule.attrs);
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}

// Upgrades an in-memory model to a newer opset of the default ONNX domain, node by node: each operator whose schema
// changed between the model's opset and the target goes through the rules of opset-adapters (rewrite, accept, or
// refuse with `model/unsupported-opset` naming the node). The versions come from op-versions.json (ONNX 1.12 defs).
import { create } from "@bufbuild/protobuf";
import {
  type FunctionProto,
  type ModelProto,
  type NodeProto,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  type TensorProto,
  TensorProto_DataType as DT,
  TensorProtoSchema,
} from "onnx-buf";
import { EdgeError } from "../errors";
import { analyseModel, type BodyShapes } from "./shape-propagation";
import { SymbolTable } from "./dim-bindings";
import { type AdaptContext, ruleFor } from "./opset-adapters";
import opVersionData from "./op-versions.json" with { type: "json" };
import { smallTensorValues } from "./tensor-proto";
import { type GraphScope, isConstantNode, nodeLabel, walkGraphs } from "./walk";

export interface OpsetUpgrade {
  from: number;
  to: number;
  /** One line per node that changed or was checked: `node (Op v→w): what was done`. */
  changes: string[];
}

const opVersions: Record<string, number[]> = opVersionData.ops;
export const MAX_KNOWN_OPSET: number = opVersionData.maxOpset;

/** The IR version each opset first needs (the ONNX release that introduced the opset). */
const IR_FOR_OPSET: [number, number][] = [
  [15, 8],
  [12, 7],
  [11, 6],
  [10, 5],
  [9, 4],
  [8, 3],
];

function isDefaultDomain(domain: string): boolean {
  return domain === "" || domain === "ai.onnx";
}

/** The model's opset of the default domain (0 when it imports none). */
export function defaultOpset(model: ModelProto | FunctionProto): number {
  return Number(model.opsetImport.find((o) => isDefaultDomain(o.domain))?.version ?? 0n);
}

/** The version of `op`'s schema in effect at `opset` (undefined for an unknown op or one newer than the opset). */
export function opVersionAt(op: string, opset: number): number | undefined {
  const versions = opVersions[op];
  if (!versions) return undefined;
  let found: number | undefined;
  for (const v of versions) if (v <= opset) found = v;
  return found;
}

function float16Bits(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp8 = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp8 === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const exp = exp8 - 127 + 15;
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let h = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  let h = (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
  return sign | h;
}

function makeTensor(name: string, dtype: number, dims: number[], values: number[]): TensorProto {
  let raw: Uint8Array<ArrayBuffer>;
  if (dtype === DT.INT64) raw = new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(Math.trunc(v)))).buffer);
  else if (dtype === DT.FLOAT) raw = new Uint8Array(Float32Array.from(values).buffer);
  else if (dtype === DT.DOUBLE) raw = new Uint8Array(Float64Array.from(values).buffer);
  else if (dtype === DT.FLOAT16) raw = new Uint8Array(Uint16Array.from(values.map(float16Bits)).buffer);
  else throw new EdgeError("internal/bug", `opset upgrade cannot write a constant of element type ${dtype}`);
  return create(TensorProtoSchema, { name, dataType: dtype, dims: dims.map(BigInt), rawData: raw });
}

/** Ranks and element types known for sure: declared (inputs, value_info, outputs) or propagated by an op rule. */
class ValueFacts {
  private readonly known = new Map<string, { rank?: number; dtype?: number }>();

  constructor(model: ModelProto, fromOpset: number) {
    for (const scope of walkGraphs(model)) {
      const g = scope.graph;
      if (!g) continue;
      for (const vi of [...g.input, ...g.valueInfo, ...g.output]) {
        if (vi.type?.value.case !== "tensorType") continue;
        const t = vi.type.value.value;
        this.known.set(vi.name, { rank: t.shape ? t.shape.dim.length : undefined, dtype: t.elemType || undefined });
      }
      for (const t of g.initializer) this.known.set(t.name, { rank: t.dims.length, dtype: t.dataType });
    }
    if (!model.graph) return;
    const shapes = analyseModel(model, new SymbolTable(new Map()), [], { opset: fromOpset });
    this.addShapes(shapes);
  }

  private addShapes(shapes: BodyShapes): void {
    for (const [name, info] of shapes.info) {
      const source = shapes.source.get(name);
      const sure = source === "input" || source === "weight" || source === "value_info" || source === "rule";
      const entry = this.known.get(name) ?? {};
      if (sure && info.shape && entry.rank === undefined) entry.rank = info.shape.length;
      if (sure && info.dtype && entry.dtype === undefined) entry.dtype = info.dtype;
      this.known.set(name, entry);
    }
    for (const inner of shapes.inner.values()) for (const s of inner) this.addShapes(s);
  }

  rank(name: string): number | undefined {
    return this.known.get(name)?.rank;
  }

  dtype(name: string): number | undefined {
    return this.known.get(name)?.dtype;
  }
}

function allNames(model: ModelProto): Set<string> {
  const names = new Set<string>();
  for (const scope of walkGraphs(model)) {
    if (scope.graph)
      for (const x of [
        ...scope.graph.input,
        ...scope.graph.output,
        ...scope.graph.valueInfo,
        ...scope.graph.initializer,
      ])
        names.add(x.name);
    if (scope.fn) for (const x of [...scope.fn.input, ...scope.fn.output]) names.add(x);
    for (const node of scope.nodes) {
      for (const x of [...node.input, ...node.output]) names.add(x);
      if (node.name) names.add(node.name);
    }
  }
  return names;
}

/**
 * Moves the model (mutated in place; the caller owns it) to default-domain opset `target`. A no-op when the model
 * is already there or newer (it never downgrades). Throws `model/unsupported-opset` naming the first node that
 * cannot be moved with the same meaning; the model may then be partly rewritten, so callers upgrade a copy.
 */
export function upgradeOpset(model: ModelProto, target: number, options: { file?: string } = {}): OpsetUpgrade {
  const from = defaultOpset(model);
  if (from >= target) return { from, to: from, changes: [] };
  if (target > MAX_KNOWN_OPSET)
    throw new EdgeError(
      "model/unsupported-opset",
      `cannot upgrade to opset ${target}: the operator tables know opsets up to ${MAX_KNOWN_OPSET} (${opVersionData.source})`,
      { file: options.file },
      `choose a target opset ≤ ${MAX_KNOWN_OPSET}`,
    );
  if (from < 1)
    throw new EdgeError(
      "model/unsupported-opset",
      "the model imports no opset of the default ONNX domain",
      { file: options.file },
      "re-export the model with an opset_import for the default domain",
    );

  const names = allNames(model);
  const unique = (base: string): string => {
    let name = base;
    for (let k = 1; names.has(name); k++) name = `${base}_${k}`;
    names.add(name);
    return name;
  };
  const constants = new Map<string, TensorProto>();
  for (const scope of walkGraphs(model)) {
    if (scope.graph) for (const t of scope.graph.initializer) constants.set(t.name, t);
    for (const n of scope.nodes)
      if (isConstantNode(n) && n.output[0]) {
        const t = n.attribute.find((a) => a.name === "value")?.t;
        if (t) constants.set(n.output[0], t);
      }
  }
  let facts: ValueFacts | undefined;
  const lazyFacts = () => (facts ??= new ValueFacts(model, from));
  const irNeeded = IR_FOR_OPSET.find(([opset]) => target >= opset)?.[1] ?? 3;
  const changes: string[] = [];
  const acceptedSteps = new Map<string, { count: number; reasons: string }>();

  for (const scope of [...walkGraphs(model)]) {
    const scopeFrom = scope.fn ? defaultOpset(scope.fn) : from;
    if (scope.fn && (scopeFrom === 0 || scopeFrom >= target)) continue;
    upgradeScope(scope, scopeFrom);
    if (scope.fn) setDefaultOpset(scope.fn.opsetImport, target);
  }
  for (const [step, { count, reasons }] of acceptedSteps) changes.push(`${count} × ${step} kept as is: ${reasons}`);
  setDefaultOpset(model.opsetImport, target);
  if (Number(model.irVersion) < irNeeded) model.irVersion = BigInt(irNeeded);
  return { from, to: target, changes };

  function upgradeScope(scope: GraphScope, scopeFrom: number): void {
    const inserts: { before: NodeProto; nodes: NodeProto[] }[] = [];
    const shared = new Map<string, string>();
    const nodes = [...scope.nodes];
    for (let index = 0; index < nodes.length; index++) {
      const node = nodes[index];
      if (!isDefaultDomain(node.domain)) continue;
      const label = nodeLabel(node, index);
      const where = { file: options.file, node: label };
      const inScope = scope.path === "main" ? "" : ` in ${scope.path}`;
      const refuse = (reason: string, hint?: string): never => {
        throw new EdgeError(
          "model/unsupported-opset",
          `cannot upgrade node ${label}${inScope} (${node.opType}) from opset ${scopeFrom} to ${target}: ${reason}`,
          where,
          hint ?? `re-export the model at opset ≥ ${target}, or keep it at opset ${scopeFrom}`,
        );
      };
      let version = opVersionAt(node.opType, scopeFrom);
      if (version === undefined)
        refuse(
          `${node.opType} is not an operator of the default domain at opset ${scopeFrom} in ${opVersionData.source}`,
        );
      const startOp = node.opType;
      const startVersion = version!;
      const notes: string[] = [];
      const acceptedNotes: string[] = [];
      let rewritten = false;
      for (;;) {
        const next = opVersions[node.opType]?.find((v) => v > version! && v <= target);
        if (next === undefined) break;
        const rule = ruleFor(node.opType, next);
        if (rule === undefined)
          return refuse(`${node.opType} changed in version ${next} and no rule says how to keep its meaning`);
        if (typeof rule === "string") {
          notes.push(`${node.opType}-${next}: ${rule}`);
          acceptedNotes.push(`${node.opType}-${next}: ${rule}`);
        } else {
          const before = node.opType;
          const ctx: AdaptContext = {
            node,
            to: next,
            constInput: (base, dtype, dims, values) => {
              const key = `${base}|${dtype}|${dims.join(",")}|${values.join(",")}`;
              const known = shared.get(key);
              if (known) return known;
              const name = unique(`${node.name || node.opType}_${base}`);
              const t = makeTensor(name, dtype, dims, values);
              if (scope.graph && irNeeded >= 4) scope.graph.initializer.push(t);
              else
                inserts.push({
                  before: node,
                  nodes: [
                    create(NodeProtoSchema, {
                      opType: "Constant",
                      name: unique(`${name}_const`),
                      output: [name],
                      attribute: [{ name: "value", type: 4, t }],
                    }),
                  ],
                });
              constants.set(name, t);
              shared.set(key, name);
              return name;
            },
            constValues: (name) => {
              const t = constants.get(name);
              return t ? smallTensorValues(t, 1024) : undefined;
            },
            rank: (name) => lazyFacts().rank(name),
            dtype: (name) => lazyFacts().dtype(name),
            refuse,
          };
          const did = rule(ctx);
          notes.push(`${before}-${next}: ${did}`);
          if (did.startsWith("unchanged")) acceptedNotes.push(`${before}-${next}: ${did}`);
          else rewritten = true;
          if (node.opType !== before) {
            version = opVersionAt(node.opType, next) ?? refuse(`${node.opType} has no version ${next}`);
            continue;
          }
        }
        version = next;
      }
      const step = `${startOp} v${startVersion} → ${node.opType} v${version}`;
      if (rewritten) changes.push(`${label}${inScope} (${step}): ${notes.join("; ")}`);
      else if (notes.length > 0) {
        const seen = acceptedSteps.get(step) ?? { count: 0, reasons: acceptedNotes.join("; ") };
        seen.count++;
        acceptedSteps.set(step, seen);
      }
    }
    for (const { before, nodes: added } of inserts) scope.nodes.splice(scope.nodes.indexOf(before), 0, ...added);
  }
}

function setDefaultOpset(imports: ModelProto["opsetImport"], target: number): void {
  const entry = imports.find((o) => isDefaultDomain(o.domain));
  if (entry) entry.version = BigInt(target);
  else imports.push(create(OperatorSetIdProtoSchema, { domain: "", version: BigInt(target) }));
}

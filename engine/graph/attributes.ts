// A node's attributes for the graph viewer: a canonical digest of the non-graph attributes (equal attributes give
// equal digests, so a diff compares nodes without their values), and each attribute's value as short text for the
// properties panel (long lists and tensors shortened, with the full length said).
import { type AttributeProto, AttributeProto_AttributeType as AT, type NodeProto, type TensorProto } from "onnx-buf";
import type { AttributeDetails } from "../../common/graph/node-details";
import { dtypeName } from "../onnx/dtypes";
import { externalRef, isExternal, smallTensorValues, tensorElementCount } from "../onnx/tensor-proto";

/** The attribute's type, also for old models that leave `type` unset (taken from the field that holds a value). */
export function attributeType(a: AttributeProto): AT {
  if (a.type !== AT.UNDEFINED) return a.type;
  if (a.g) return AT.GRAPH;
  if (a.graphs.length) return AT.GRAPHS;
  if (a.t) return AT.TENSOR;
  if (a.tensors.length) return AT.TENSORS;
  if (a.floats.length) return AT.FLOATS;
  if (a.ints.length) return AT.INTS;
  if (a.strings.length) return AT.STRINGS;
  if (a.s.length) return AT.STRING;
  if (a.f !== 0) return AT.FLOAT;
  return AT.INT;
}

function isGraphAttribute(a: AttributeProto): boolean {
  const type = attributeType(a);
  return type === AT.GRAPH || type === AT.GRAPHS;
}

/** FNV-1a over 32 bits, two seeds: 16 hex digits, enough to tell attribute sets apart. */
class Digest {
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193 ^ 0x5bd1e995;
  text(s: string): void {
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i) & 0xffff);
    this.byte(0);
  }
  bytes(b: Uint8Array): void {
    for (let i = 0; i < b.length; i++) this.byte(b[i]);
    this.byte(0);
  }
  private byte(v: number): void {
    this.h1 = Math.imul(this.h1 ^ v, 0x01000193);
    this.h2 = Math.imul(this.h2 ^ v, 0x0100019b);
  }
  hex(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, "0") + (this.h2 >>> 0).toString(16).padStart(8, "0");
  }
}

const decoder = new TextDecoder();
const text = (b: Uint8Array) => decoder.decode(b);

function digestTensor(d: Digest, t: TensorProto): void {
  d.text(`${t.dataType}:${t.dims.join(",")}`);
  if (isExternal(t)) d.text(t.externalData.map((e) => `${e.key}=${e.value}`).join(";"));
  else if (t.rawData.length) d.bytes(t.rawData);
  else
    d.text(
      [t.floatData, t.int32Data, t.int64Data, t.doubleData, t.uint64Data, t.stringData.map(text)]
        .map((f) => f.join(","))
        .join("|"),
    );
}

/** The digest of a node's attributes other than subgraphs; undefined when it has none. */
export function attributesDigest(node: NodeProto): string | undefined {
  const attrs = node.attribute.filter((a) => !isGraphAttribute(a));
  if (attrs.length === 0) return undefined;
  const d = new Digest();
  for (const a of [...attrs].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
    const type = attributeType(a);
    d.text(`${a.name}:${type}`);
    switch (type) {
      case AT.FLOAT:
        d.text(String(a.f));
        break;
      case AT.INT:
        d.text(String(a.i));
        break;
      case AT.STRING:
        d.bytes(a.s);
        break;
      case AT.FLOATS:
        d.text(a.floats.join(","));
        break;
      case AT.INTS:
        d.text(a.ints.join(","));
        break;
      case AT.STRINGS:
        d.text(a.strings.map(text).join("\u0001"));
        break;
      case AT.TENSOR:
        if (a.t) digestTensor(d, a.t);
        break;
      case AT.TENSORS:
        a.tensors.forEach((t) => digestTensor(d, t));
        break;
      default:
        d.text(a.refAttrName);
    }
  }
  return d.hex();
}

const MAX_LIST = 16;
const MAX_STRING = 200;

function shortList(values: readonly (number | bigint | string)[]): string {
  const shown = values.slice(0, MAX_LIST).map(String).join(", ");
  return values.length > MAX_LIST ? `[${shown}, … (${values.length} values)]` : `[${shown}]`;
}

function shortString(s: string): string {
  return s.length > MAX_STRING
    ? `${JSON.stringify(s.slice(0, MAX_STRING))}… (${s.length} characters)`
    : JSON.stringify(s);
}

/** A tensor attribute in one line: dtype, dims, and its values when it is small. */
export function tensorText(t: TensorProto): string {
  const head = `${dtypeName(t.dataType)}[${t.dims.join(", ")}]`;
  if (isExternal(t)) return `${head} (external: ${externalRef(t).location})`;
  const values = smallTensorValues(t, MAX_LIST);
  if (values) return `${head} ${values.length === 1 && t.dims.length === 0 ? values[0] : shortList(values)}`;
  const n = tensorElementCount(t);
  return `${head} (${Number.isNaN(n) ? "?" : n} values)`;
}

function valueText(a: AttributeProto, type: AT): string {
  switch (type) {
    case AT.FLOAT:
      return String(a.f);
    case AT.INT:
      return String(a.i);
    case AT.STRING:
      return shortString(text(a.s));
    case AT.FLOATS:
      return shortList(a.floats);
    case AT.INTS:
      return shortList(a.ints);
    case AT.STRINGS:
      return shortList(a.strings.map((s) => shortString(text(s))));
    case AT.TENSOR:
      return a.t ? tensorText(a.t) : "(none)";
    case AT.TENSORS:
      return `${a.tensors.length} tensors: ${a.tensors.slice(0, 4).map(tensorText).join("; ")}${a.tensors.length > 4 ? "; …" : ""}`;
    case AT.GRAPH:
      return a.g ? `graph "${a.g.name}" (${a.g.node.length} nodes)` : "(none)";
    case AT.GRAPHS:
      return `${a.graphs.length} graphs`;
    case AT.SPARSE_TENSOR:
      return a.sparseTensor ? `sparse [${a.sparseTensor.dims.join(", ")}]` : "(none)";
    default:
      return a.refAttrName ? `ref ${a.refAttrName}` : "(not shown)";
  }
}

/** Each attribute with its type name and value as text. */
export function attributeDetails(node: NodeProto): AttributeDetails[] {
  return node.attribute.map((a) => {
    const type = attributeType(a);
    return { name: a.name, type: AT[type] ?? String(type), value: valueText(a, type) };
  });
}

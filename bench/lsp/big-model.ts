// A big ONNX model for bench:lsp: a chain of MatMul → Add → Relu blocks with unique node names (`/block.N/MatMul`),
// tiny weights shared by every block, and a few graph inputs that the Add nodes take in turn. 50,000 nodes make a
// file of a few MB whose summary (every node's name, op and inputs) is what the language server must not block on.
import { create, toBinary } from "@bufbuild/protobuf";
import {
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  TensorProto_DataType as DT,
  TensorProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from "onnx-buf";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export const BIG_MODEL_WIDTH = 4;

export interface BigModelFacts {
  path: string;
  nodeCount: number;
  inputNames: string[];
  /** Names of every node, in graph order. */
  nodeNames: string[];
}

function floatInput(name: string): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: {
      value: {
        case: "tensorType",
        value: {
          elemType: DT.FLOAT,
          shape: {
            dim: [
              { value: { case: "dimValue", value: 1n } },
              { value: { case: "dimValue", value: BigInt(BIG_MODEL_WIDTH) } },
            ],
          },
        },
      },
    },
  });
}

export function bigModelNodeName(index: number): string {
  const block = Math.floor(index / 3);
  return `/block.${block}/${["MatMul", "Add", "Relu"][index % 3]}`;
}

/** Writes the model (unless a file of the same node count is there already) and returns what the bench needs. */
export function writeBigModel(path: string, nodeCount = 50_000, inputCount = 8): BigModelFacts {
  const inputNames = Array.from({ length: inputCount }, (_, i) => `input_${i}`);
  const nodeNames = Array.from({ length: nodeCount }, (_, i) => bigModelNodeName(i));
  const facts = { path, nodeCount, inputNames, nodeNames };
  const marker = `${path}.nodes-${nodeCount}`;
  if (existsSync(path) && existsSync(marker) && statSync(marker).mtimeMs >= statSync(path).mtimeMs) return facts;

  const weights = create(TensorProtoSchema, {
    name: "W",
    dims: [BigInt(BIG_MODEL_WIDTH), BigInt(BIG_MODEL_WIDTH)],
    dataType: DT.FLOAT,
    rawData: new Uint8Array(
      Float32Array.from({ length: BIG_MODEL_WIDTH * BIG_MODEL_WIDTH }, (_, i) => (i % 5) / 10).buffer,
    ),
  });
  const nodes: NodeProto[] = [];
  let previous = inputNames[0];
  for (let i = 0; i < nodeCount; i++) {
    const output = `t${i}`;
    const kind = i % 3;
    const inputs =
      kind === 0 ? [previous, "W"] : kind === 1 ? [previous, inputNames[Math.floor(i / 3) % inputCount]] : [previous];
    nodes.push(
      create(NodeProtoSchema, {
        name: nodeNames[i],
        opType: ["MatMul", "Add", "Relu"][kind],
        input: inputs,
        output: [output],
      }),
    );
    previous = output;
  }
  const model = create(ModelProtoSchema, {
    irVersion: 8n,
    producerName: "edge-studio bench:lsp",
    opsetImport: [{ domain: "", version: 17n }],
    graph: {
      name: "big-chain",
      node: nodes,
      initializer: [weights],
      input: inputNames.map(floatInput),
      output: [floatInput(previous)],
    },
  });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, toBinary(ModelProtoSchema, model));
  writeFileSync(marker, "");
  return facts;
}

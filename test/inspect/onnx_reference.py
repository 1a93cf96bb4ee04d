#!/usr/bin/python3
"""Reference counts and shapes from Debian's python3-onnx (ONNX 1.12), to check `edge inspect` against.

Run with /usr/bin/python3 (the interpreter that sees Debian's packages). Reads one JSON request on stdin:
  {"counts": [MODEL_PATH, ...], "shapes": [{"path": MODEL_PATH, "inputs": {NAME: [D1, ...]}}, ...]}
and prints one JSON object: {"counts": {PATH: {...}}, "shapes": {PATH: {VALUE_NAME: [D1, ...]}}}.

counts, per model (the same definitions as engine/inspect/graph-stats.ts):
  nodes_top, nodes_subgraphs, nodes_functions: node counts of the main graph, of every subgraph under it
  (GRAPH and GRAPHS attributes, recursively), and of model-local function bodies (and their subgraphs);
  subgraphs: how many subgraphs; ops_all / ops_top: op histograms ("OpType", or "domain.OpType" outside the
  default domain); initializers / constants: {elem_type: [tensors, elements, bytes]} over every scope, where
  constants are Constant nodes' value tensors and value_float(s)/value_int(s); inputs / outputs: name,
  elem_type and dims (int, symbol name, or null) of graph inputs that are not initializers, and graph outputs.
shapes: the model with its inputs set to the given dims and its value_info dropped, through ONNX shape inference;
  the fully known shapes of main-graph values.
"""
import json
import sys

import numpy as np
import onnx
from onnx import helper, mapping, shape_inference


def op_key(node):
    return node.op_type if node.domain in ("", "ai.onnx") else node.domain + "." + node.op_type


def subgraphs(node):
    for attr in node.attribute:
        if attr.HasField("g"):
            yield attr.g
        for g in attr.graphs:
            yield g


def walk(nodes, scope, out):
    """Counts nodes per scope kind ("main", "subgraph", "function") and recurses into subgraphs."""
    for node in nodes:
        out["ops_all"][op_key(node)] = out["ops_all"].get(op_key(node), 0) + 1
        if scope == "main":
            out["nodes_top"] += 1
            out["ops_top"][op_key(node)] = out["ops_top"].get(op_key(node), 0) + 1
        elif scope == "subgraph":
            out["nodes_subgraphs"] += 1
        else:
            out["nodes_functions"] += 1
        if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
            count_constant(node, out["constants"])
        for g in subgraphs(node):
            if scope != "function":
                out["subgraphs"] += 1
            count_initializers(g, out["initializers"])
            walk(g.node, "function" if scope == "function" else "subgraph", out)


def elements(dims):
    n = 1
    for d in dims:
        n *= d
    return n


def tensor_bytes(t):
    if t.data_location == onnx.TensorProto.EXTERNAL:
        return int({e.key: e.value for e in t.external_data}.get("length", 0))
    if t.HasField("raw_data"):
        return len(t.raw_data)
    if t.data_type == onnx.TensorProto.STRING:
        return sum(len(s) for s in t.string_data)
    return elements(t.dims) * np.dtype(mapping.TENSOR_TYPE_TO_NP_TYPE[t.data_type]).itemsize


def add(table, elem_type, n, nbytes):
    row = table.setdefault(str(elem_type), [0, 0, 0])
    row[0] += 1
    row[1] += n
    row[2] += nbytes


def count_initializers(graph, table):
    for t in graph.initializer:
        add(table, t.data_type, elements(t.dims), tensor_bytes(t))


def count_constant(node, table):
    for attr in node.attribute:
        if attr.name == "value":
            add(table, attr.t.data_type, elements(attr.t.dims), tensor_bytes(attr.t))
        elif attr.name == "value_float":
            add(table, onnx.TensorProto.FLOAT, 1, 4)
        elif attr.name == "value_floats":
            add(table, onnx.TensorProto.FLOAT, len(attr.floats), 4 * len(attr.floats))
        elif attr.name == "value_int":
            add(table, onnx.TensorProto.INT64, 1, 8)
        elif attr.name == "value_ints":
            add(table, onnx.TensorProto.INT64, len(attr.ints), 8 * len(attr.ints))


def signature(values, exclude=()):
    out = []
    for v in values:
        if v.name in exclude:
            continue
        t = v.type.tensor_type
        dims = None
        if t.HasField("shape"):
            dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param if d.dim_param else None) for d in t.shape.dim]
        out.append({"name": v.name, "elem_type": t.elem_type if v.type.HasField("tensor_type") else 0, "dims": dims})
    return out


def counts(path):
    model = onnx.load(path, load_external_data=False)
    out = {
        "ir_version": model.ir_version,
        "opsets": [[o.domain, o.version] for o in model.opset_import],
        "producer": [model.producer_name, model.producer_version],
        "nodes_top": 0, "nodes_subgraphs": 0, "nodes_functions": 0, "subgraphs": 0,
        "ops_all": {}, "ops_top": {}, "initializers": {}, "constants": {},
    }
    count_initializers(model.graph, out["initializers"])
    walk(model.graph.node, "main", out)
    for f in model.functions:
        walk(f.node, "function", out)
    init_names = {t.name for t in model.graph.initializer}
    out["inputs"] = signature(model.graph.input, init_names)
    out["outputs"] = signature(model.graph.output)
    return out


def shapes(path, inputs):
    model = onnx.load(path)
    for value in model.graph.input:
        if value.name in inputs:
            dims = value.type.tensor_type.shape.dim
            del dims[:]
            for d in inputs[value.name]:
                dims.add().dim_value = d
    del model.graph.value_info[:]
    inferred = shape_inference.infer_shapes(model, strict_mode=False)
    out = {}
    for value in inferred.graph.value_info:
        t = value.type.tensor_type
        if not value.type.HasField("tensor_type") or not t.HasField("shape"):
            continue
        if all(d.HasField("dim_value") for d in t.shape.dim):
            out[value.name] = [d.dim_value for d in t.shape.dim]
    return out


def main():
    request = json.load(sys.stdin)
    result = {"counts": {}, "shapes": {}}
    for path in request.get("counts", []):
        result["counts"][path] = counts(path)
    for item in request.get("shapes", []):
        result["shapes"][item["path"]] = shapes(item["path"], item["inputs"])
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

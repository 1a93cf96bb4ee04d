# A user's own exporter, for the tests of `model.export`: writes a small real ONNX model (y = x + 1, x float32
# [1, 4]) with the onnx package into the output folder, and appends a line to a log so tests can tell whether it ran.
# Usage: exporter.py OUT [--name model.onnx] [--fail CODE] [--garbage] [--sleep S] [--log FILE] [--tag T]
import os
import sys
import time

import onnx
from onnx import TensorProto, helper


def main(argv):
    out = argv[1]
    opts = dict(zip(argv[2::2], argv[3::2]))
    if "--log" in opts:
        with open(opts["--log"], "a") as log:
            log.write(f"ran {opts.get('--tag', '')}\n")
    print(f"exporting into {out}", flush=True)
    if "--sleep" in opts:
        time.sleep(float(opts["--sleep"]))
    if "--fail" in opts:
        print("Traceback (most recent call last):\nValueError: the checkpoint has no lm_head", file=sys.stderr, flush=True)
        return int(opts["--fail"])
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, opts.get("--name", "model.onnx"))
    if opts.get("--garbage") == "1":
        with open(path, "wb") as f:
            f.write(b"this is not protobuf \xff\xff\xff")
        return 0
    one = helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "one"], ["y"], name="/add/Add")],
        "exported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        [one],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)
    with open(os.path.join(out, "config.json"), "w") as f:
        f.write('{"exported_by": "exporter.py"}\n')
    print(f"wrote {path}", flush=True)
    return 0


sys.exit(main(sys.argv))

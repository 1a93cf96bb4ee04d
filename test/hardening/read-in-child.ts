// Child-process entry for the non-regular-file tests: one engine reader on one path, its error printed as one JSON
// line. The parent runs it with a time limit, because a reader that opens a FIFO blocks the whole process (a
// blocked open cannot be cancelled), which would otherwise hang the test file.
//   read-in-child.ts model PATH | recipe PATH | dataset PATH [OPTIONS_JSON]
import { readDataset } from "../../engine/data/dataset";
import { isEdgeError } from "../../engine/errors";
import { readModel } from "../../engine/onnx/read-model";
import { loadRecipe } from "../../engine/recipe";

export interface ChildOutcome {
  ok: boolean;
  code?: string;
  message?: string;
  /** A non-EdgeError. */
  crash?: string;
}

const [kind, path, options] = process.argv.slice(2);
let outcome: ChildOutcome;
try {
  if (kind === "model") await (await readModel(path)).close();
  else if (kind === "recipe") await loadRecipe(path);
  else if (kind === "dataset") await readDataset(path, options ? (JSON.parse(options) as object) : {});
  else throw new Error(`unknown reader ${kind}`);
  outcome = { ok: true };
} catch (e) {
  outcome = isEdgeError(e)
    ? { ok: false, code: e.code, message: e.message }
    : { ok: false, crash: (e as Error)?.stack ?? String(e) };
}
process.stdout.write(`${JSON.stringify(outcome)}\n`);

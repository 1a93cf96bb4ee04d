// Child-process entry for the bad-input tests: reads each model given on the command line with readModel and
// prints one JSON line per model as soon as it is done, so the parent can enforce a time limit per file and a
// small heap (--max-old-space-size) turns any allocation a bogus length declares into a visible crash.
import { isEdgeError } from "../../engine/errors";
import { readModel } from "../../engine/onnx/read-model";

export interface ReadOutcome {
  index: number;
  ok: boolean;
  code?: string;
  message?: string;
  hint?: string;
  file?: string;
  offset?: number;
  /** A non-EdgeError: a crash. */
  crash?: string;
  ms: number;
}

const paths = process.argv.slice(2);
for (let index = 0; index < paths.length; index++) {
  const started = performance.now();
  let outcome: Omit<ReadOutcome, "ms" | "index">;
  try {
    await readModel(paths[index]);
    outcome = { ok: true };
  } catch (e) {
    outcome = isEdgeError(e)
      ? { ok: false, code: e.code, message: e.message, hint: e.hint, file: e.where.file, offset: e.where.offset }
      : { ok: false, crash: (e as Error)?.stack ?? String(e) };
  }
  process.stdout.write(`${JSON.stringify({ index, ...outcome, ms: performance.now() - started })}\n`);
}

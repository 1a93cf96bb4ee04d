// The model reader's limits: the summary of a big model comes from its structure without weights (the same summary
// as from the whole file), only regular files are read (a pipe or a device is refused from a stat, without opening
// it), and the worker's reads are bounded: a read that takes too long, is cancelled, or is superseded by a newer
// version of the file ends with a result and a new worker for the next read.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, openSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { ModelSummaryCache } from "../../language-server/world/model-summary-cache";
import { summarizeModelFile } from "../../language-server/world/model-summary";
import { readModelSkeleton } from "../../language-server/world/model-skeleton";
import { ModelSummaryWorker } from "../../language-server/world/model-summary-worker-client";
import { createNodeWorldHost } from "../../language-server/world/node-world-host";
import { readRegularTextFile } from "../../engine/fs";
import type { ModelSummaryResult } from "../../language-server/world/world-host";
import { bytesOf, constant, DT, graph, model, node, tensor, valueInfo, values } from "../onnx/model-builder";
import { ocrModel, sileroModel, tempFolder } from "./model-fixtures";

const temp = tempFolder("edge-model-reader-");
after(() => temp.remove());

/** A model whose weights (an initializer and a Constant, 1 MB of floats each) are far bigger than its graph. */
function heavyModelPath(): string {
  const path = join(temp.dir, "heavy.onnx");
  const n = 256 * 1024;
  const m = model(
    graph({
      name: "heavy",
      nodes: [
        constant("B", tensor("B", [n], values(n, 2)), "const_B"),
        node("Add", ["x", "A"], ["h"], {}, { name: "add" }),
        node("Mul", ["h", "B"], ["y"], {}, { name: "mul" }),
      ],
      inputs: [valueInfo("x", DT.FLOAT, [n])],
      outputs: [valueInfo("y", DT.FLOAT, [n])],
      initializers: [tensor("A", [n], values(n, 1))],
    }),
  );
  writeFileSync(path, bytesOf(m));
  return path;
}

void test("the summary from the structure without weights equals the summary of the whole file", async () => {
  for (const path of [heavyModelPath(), ocrModel, sileroModel]) {
    const whole = await summarizeModelFile(path);
    const skimmed = await summarizeModelFile(path, { wholeReadMaxBytes: 0 });
    assert.ok(whole.ok && skimmed.ok, JSON.stringify([!whole.ok && whole.error, !skimmed.ok && skimmed.error]));
    assert.deepEqual(skimmed, whole, path);
  }
});

void test("the skeleton leaves the weights out", () => {
  const path = heavyModelPath();
  const fd = openSync(path, "r");
  try {
    const size = 2 * 4 * 256 * 1024;
    const skeleton = readModelSkeleton(fd, statSync(path).size, 1e9);
    assert.ok(skeleton.bytes.length < 4096, `${skeleton.bytes.length} bytes kept`);
    assert.ok(skeleton.skippedBytes >= size, `${skeleton.skippedBytes} bytes skipped`);
    // Its structure limit holds.
    assert.throws(() => readModelSkeleton(fd, size + 1000, 100), /without its weights passes 100 bytes/);
  } finally {
    closeSync(fd);
  }
});

void test("a broken big model is reported with the file's byte offset", async () => {
  const path = join(temp.dir, "truncated.onnx");
  const bytes = bytesOf(model(graph({ nodes: [], outputs: [] })));
  // A graph field (7, length-delimited) declaring 1 MB that is not there.
  writeFileSync(path, Buffer.concat([Buffer.from(bytes), Buffer.from([0x3a, 0x80, 0x80, 0x40])]));
  const result = await summarizeModelFile(path, { wholeReadMaxBytes: 0 });
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.error.message, new RegExp(`at byte ${bytes.length}: field 7 runs past`));
});

void test("pipes and devices are refused without being opened, as results", async () => {
  const fifo = join(temp.dir, "pipe.onnx");
  execFileSync("mkfifo", [fifo]);
  // Without a worker, so a blocking open would hang this very test.
  const host = createNodeWorldHost({ summaryWorker: false, homeDir: temp.dir });
  for (const [path, kind] of [
    [fifo, /not a regular file \(a FIFO\)/],
    ["/dev/zero", /not a regular file \(a character device\)/],
    [temp.dir, /a directory, not a regular file/],
  ] as const) {
    const result = await host.modelSummary(path);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.code, "model/invalid");
      assert.match(result.error.message, kind);
    }
    // The reader itself refuses them too (a path that changed after the server's stat).
    const direct = await summarizeModelFile(path);
    assert.equal(direct.ok, false);
    if (!direct.ok) assert.match(direct.error.message, kind);
  }
  // quant-error.json is read the same way (the engine's reader of regular files).
  for (const path of [fifo, "/dev/zero"])
    await assert.rejects(readRegularTextFile(path, { code: "data/invalid", maxBytes: 1000 }), /not a regular file/);
  await host.dispose();
});

/** A worker that never answers: every read through it hangs until the client stops it. */
function silentWorker(): URL {
  const path = join(temp.dir, "silent-worker.mjs");
  writeFileSync(path, 'import { parentPort } from "node:worker_threads";\nparentPort.on("message", () => {});\n');
  return pathToFileURL(path);
}

void test("a read that takes too long ends with a result, and the next read gets a new worker", async () => {
  const worker = new ModelSummaryWorker({ url: silentWorker() }, { timeoutMs: 200 });
  try {
    const [first, second] = await Promise.all([worker.summarize("/a.onnx"), worker.summarize("/b.onnx")]);
    for (const result of [first, second]) {
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error.message, /took longer than 0.2 s; the editor stopped reading it/);
    }
    assert.equal(worker.busy, false);
  } finally {
    await worker.dispose();
  }
});

void test("a cancelled read ends at once; dispose ends the pending ones", async () => {
  const worker = new ModelSummaryWorker({ url: silentWorker() }, { timeoutMs: 60_000 });
  const controller = new AbortController();
  const running = worker.summarize("/a.onnx", controller.signal);
  const queued = worker.summarize("/b.onnx");
  controller.abort();
  const cancelled = await running;
  assert.equal(cancelled.ok, false);
  if (!cancelled.ok) assert.match(cancelled.error.message, /cancelled/);
  assert.equal(worker.busy, true, "the queued read runs next");
  await worker.dispose();
  const stopped = await queued;
  assert.equal(stopped.ok, false);
  if (!stopped.ok) assert.match(stopped.error.message, /stopped/);
  assert.equal(worker.busy, false);
});

void test("the cache: a read of a file that changed meanwhile is superseded and its result not kept", async () => {
  const path = join(temp.dir, "changing.onnx");
  writeFileSync(path, "one");
  const signals: AbortSignal[] = [];
  const answers: ((r: ModelSummaryResult) => void)[] = [];
  const cache = new ModelSummaryCache((_path, signal) => {
    signals.push(signal);
    return new Promise((resolve) => answers.push(resolve));
  });
  const old = cache.get(path);
  await new Promise((r) => setTimeout(r, 20));
  writeFileSync(path, "two, longer");
  const fresh = cache.get(path);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(signals.length, 2);
  assert.equal(signals[0].aborted, true, "the older read is cancelled");
  assert.equal(signals[1].aborted, false);
  const newer: ModelSummaryResult = { ok: false, error: { code: "model/invalid", message: "new" } };
  answers[1](newer);
  assert.equal(await fresh, newer);
  answers[0]({ ok: false, error: { code: "internal/bug", message: "the model read was cancelled" } });
  await old;
  assert.equal(cache.cached(path), newer, "the superseded result does not replace the newer one");
});

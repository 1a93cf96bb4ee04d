// A generator of onnxruntime-like Chrome traces of any size, for the trace parser's tests, the profile tests and
// bench/trace-parse.bench.ts. The events look like onnxruntime 1.30's (one per line, `"key" :value` spacing, kernel
// events with ~1 kB of args, each run's `model_run` event written after its kernels with an earlier `ts`), and their
// durations follow a formula, so the expected summary is known without reading the trace back.
import { once } from "node:events";
import { createWriteStream } from "node:fs";

export interface OrtTraceShape {
  /** model_run events (warm-up included). */
  runs: number;
  /** Kernels per run. */
  nodes: number;
  /** Wrap the events as `{"traceEvents": [...]}` with other keys around them. */
  form?: "array" | "object";
  /** Leave out the closing `]` (and `}`), as a killed process leaves its trace. */
  truncated?: boolean;
  /** Give two nodes names that are not ASCII (one written with a \u escape); default true. */
  unicodeNames?: boolean;
  /**
   * "full": kernel args as onnxruntime 1.30 writes them with its thread pool stats (~1 kB an event); "compact": the
   * args of a build without them (~380 bytes an event, the 1 M-event / 381 MB trace). Default "full".
   */
  args?: "full" | "compact";
  /** Target size of the yielded text pieces, in characters; default 1 MB. */
  chunkChars?: number;
}

const OPS = ["Conv", "Relu", "MatMul", "Add", "Gather", "Softmax", "LayerNormalization"];

/** Node i's name as JSON text in the trace, and as it reads once parsed (two names are not plain ASCII). */
export function ortNodeName(i: number, unicode = true): { json: string; text: string } {
  if (i === 1 && unicode) return { json: "/d\\u00e9codeur/Gather", text: "/décodeur/Gather" };
  if (i === 2 && unicode) return { json: "/décodeur/MatMul_€", text: "/décodeur/MatMul_€" };
  return {
    json: `/blocks.${i >> 2}/${OPS[i % OPS.length]}_${i}`,
    text: `/blocks.${i >> 2}/${OPS[i % OPS.length]}_${i}`,
  };
}

export function ortOpType(i: number): string {
  return OPS[i % OPS.length];
}

/** Kernel duration (µs) of node `node` in run `run`. */
export function ortKernelUs(run: number, node: number): number {
  return 1 + ((run * 7 + node * 13) % 50);
}

const RUN_START_US = 100_000;
/** Each run takes a fixed slot: kernels back to back from its start, then a gap. */
function runSlotUs(nodes: number): number {
  return nodes * 60 + 100;
}

function kernelEvent(run: number, node: number, ts: number, unicode: boolean, compact: boolean): string {
  const name = ortNodeName(node, unicode).json;
  const op = ortOpType(node);
  if (compact)
    return (
      `{"cat" : "Node","pid" :31337,"tid" :31337,"dur" :${ortKernelUs(run, node)},"ts" :${ts},"ph" : "X","name" :"${name}_kernel_time",` +
      `"args" : {"output_type_shape" : [{"float":[1,16,24,96]}],"provider" : "CPUExecutionProvider","op_name" : "${op}",` +
      `"node_index" : "${node}","parameter_size" : "1792","output_size" : "147456",` +
      `"input_type_shape" : [{"float":[1,3,48,192]},{"float":[16,3,3,3]}]}}`
    );
  return (
    `{"cat" : "Node","pid" :31337,"tid" :31337,"dur" :${ortKernelUs(run, node)},"ts" :${ts},"ph" : "X","name" :"${name}_kernel_time",` +
    `"args" : {"output_type_shape" : [{"float":[1,16,24,96]}],"mem_in_use_peak" : "161384","mem_bytes_in_use" : "161384",` +
    `"activation_size" : "110592","mem_arena_held_delta" : "0","provider" : "CPUExecutionProvider","op_name" : "${op}",` +
    `"node_index" : "${node}","mem_bytes_requested_in_use" : "161384","mem_in_use_delta" : "147456",` +
    `"thread_scheduling_stats" : {"main_thread": {"thread_pool_name": "session-1-intra-op", "thread_id": "140495909166208", ` +
    `"block_size": [1], "core": 0, "Distribution": 4, "DistributionEnqueue": 0, "Run": 128, "Wait": 1, "WaitRevoke": 1}, ` +
    `"sub_threads": {"thread::id of a non-executing thread": {"num_run": 0, "core": -1}}},"mem_arena_held" : "1062504",` +
    `"parameter_size" : "1792","output_size" : "147456","mem_requested_in_use_delta" : "147456",` +
    `"input_type_shape" : [{"float":[1,3,48,192]},{"float":[16,3,3,3]},{"float":[16]}]}}`
  );
}

function sessionEvent(name: string, ts: number, dur: number): string {
  return `{"cat" : "Session","pid" :31337,"tid" :31337,"dur" :${dur},"ts" :${ts},"ph" : "X","name" :"${name}","args" : {}}`;
}

/** The trace's events as JSON text, one per element, in onnxruntime's order. */
function* eventTexts(shape: OrtTraceShape): Generator<string> {
  yield sessionEvent("model_loading_uri", 6, 5000);
  yield sessionEvent("session_initialization", 5100, 60000);
  const slot = runSlotUs(shape.nodes);
  for (let r = 0; r < shape.runs; r++) {
    const start = RUN_START_US + r * slot;
    for (let n = 0; n < shape.nodes; n++)
      yield kernelEvent(r, n, start + 10 + n * 60, shape.unicodeNames ?? true, shape.args === "compact");
    yield sessionEvent("SequentialExecutor::Execute", start + 5, slot - 110);
    yield sessionEvent("model_run", start, slot - 100);
  }
}

/** The trace as text pieces of about `chunkChars` characters (their boundaries fall anywhere). */
export function* ortTraceChunks(shape: OrtTraceShape): Generator<string> {
  const limit = shape.chunkChars ?? 1_000_000;
  const object = shape.form === "object";
  let piece = object
    ? `{"displayTimeUnit": "ns", "otherData": {"version": "1.30", "list": [1, {"a": "]}"}]},\n"traceEvents": [\n`
    : "[\n";
  let first = true;
  for (const text of eventTexts(shape)) {
    piece += first ? text : `,\n${text}`;
    first = false;
    if (piece.length >= limit) {
      yield piece.slice(0, limit);
      piece = piece.slice(limit);
    }
  }
  if (!shape.truncated) piece += object ? `\n],\n"metadata": {"source": "edge-studio tests"}}\n` : "\n]\n";
  else piece += ",\n";
  if (piece.length > 0) yield piece;
}

/** Writes the trace to `file`, streamed (never the whole text at once); returns its size in bytes. */
export async function writeOrtTrace(file: string, shape: OrtTraceShape): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  try {
    for (const chunk of ortTraceChunks(shape)) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, "drain");
    }
  } finally {
    out.end();
    await once(out, "close");
  }
  return bytes;
}

/** Per node (parsed name): measured calls and total µs over runs `skipRuns`…`runs - 1`. */
export function expectedNodeTotals(
  shape: OrtTraceShape,
  skipRuns: number,
): Map<string, { calls: number; totalUs: number }> {
  const totals = new Map<string, { calls: number; totalUs: number }>();
  for (let n = 0; n < shape.nodes; n++) {
    let totalUs = 0;
    for (let r = skipRuns; r < shape.runs; r++) totalUs += ortKernelUs(r, n);
    totals.set(ortNodeName(n, shape.unicodeNames ?? true).text, { calls: Math.max(0, shape.runs - skipRuns), totalUs });
  }
  return totals;
}

/** Events in the trace: two session events, then per run its kernels, SequentialExecutor::Execute and model_run. */
export function ortEventCount(shape: OrtTraceShape): number {
  return 2 + shape.runs * (shape.nodes + 2);
}
